/**
 * One cell of the usage CSV attached to invoices, safe to open in a spreadsheet: a text that
 * starts with `=`, `+`, `-`, `@`, a tab or a carriage return would be read as a formula (CSV
 * injection: a client named `=HYPERLINK(…)` in RCP), so it gets a leading `'`, which spreadsheets
 * show as text; a cell with a quote, separator or line break is quoted.
 */
export function csvCell(value: string): string {
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
