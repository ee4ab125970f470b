/**
 * Text from RCP made safe where it goes. Odoo's PostgreSQL refuses a NUL in a text column (the
 * whole write fails, and with it the run's record), and control characters, terminal escape
 * sequences among them, have no place in a company's name or an address: `withoutControls` drops
 * them from every string of a record RCP sent, once, where the record is validated. A terminal gets
 * the rest of what the connector prints with `visibleControls`: each control shown as an escape
 * (`\x1b`, `\x00`), so a name can neither colour nor rewrite the screen.
 */

/** C0 controls but tab, line feed and carriage return; DEL; C1 controls. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it removes
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it looks for
const HAS_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;
/** For a terminal, a carriage return too (it rewrites the line). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it shows
const TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters it looks for
const HAS_TERMINAL_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** A whole ANSI escape sequence (CSI `ESC [ … final`, or a two-character `ESC x`), dropped whole. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character starts the sequence
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b[@-Z\\-_]/g;

/** The text without control characters (tab and line breaks kept); ANSI sequences go whole. */
export function withoutControls(text: string): string {
  return HAS_CONTROL.test(text) ? text.replace(ANSI, '').replace(CONTROL, '') : text;
}

/**
 * Every string inside a parsed record, with `withoutControls` applied, in place (the record is
 * fresh from JSON.parse and zod; cheap when the text is clean, which is nearly always).
 */
export function withoutControlsDeep<T>(value: T): T {
  if (typeof value === 'string') return withoutControls(value) as T;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = withoutControlsDeep(value[i]);
    return value;
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = withoutControlsDeep(record[key]);
  }
  return value;
}

/** Text for a terminal: each control character (tab and line feed kept, a carriage return shown too) as its escape. */
export function visibleControls(text: string): string {
  return HAS_TERMINAL_CONTROL.test(text)
    ? text.replace(TERMINAL_CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    : text;
}
