/**
 * Calendar math on plain `YYYY-MM-DD` strings, in UTC: RCP's billing quanta are fixed to the
 * calendar (a week is Monday–Sunday, a month a calendar month, a quantum's `date` its first day).
 */

export type Part = 'day' | 'week' | 'month' | 'year';
export type BillingPeriod = 'minute' | 'hour' | 'day' | 'month' | 'year';

/** A closed range of days, both ends included. */
export interface DayRange {
  start: string;
  end: string;
}

/** A month to invoice, `YYYY-MM`. */
export type Period = string;

/** What a day looks like: `YYYY-MM-DD` (whether it exists is checked where it matters). */
export const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** What a period looks like: `YYYY-MM`, month 01–12. */
export const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2])$/;

export function isPeriod(text: string): boolean {
  return PERIOD_PATTERN.test(text);
}

const DAY_MS = 86_400_000;

export function parseDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

export function formatDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return formatDay(new Date(parseDay(day).getTime() + days * DAY_MS));
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function daysInYear(year: number): number {
  return Date.UTC(year + 1, 0, 1) / DAY_MS - Date.UTC(year, 0, 1) / DAY_MS;
}

/** The days of a `YYYY-MM` period. */
export function periodRange(period: Period): DayRange {
  const [year, month] = period.split('-').map(Number) as [number, number];
  const mm = String(month).padStart(2, '0');
  return { start: `${year}-${mm}-01`, end: `${year}-${mm}-${daysInMonth(year, month)}` };
}

/** The quantum of `part` that holds `day`. */
export function quantumOf(day: string, part: Part): DayRange {
  const date = parseDay(day);
  const year = date.getUTCFullYear();
  const month = date.getUTCMonth() + 1;
  switch (part) {
    case 'day':
      return { start: day, end: day };
    case 'week': {
      const sinceMonday = (date.getUTCDay() + 6) % 7;
      const start = addDays(day, -sinceMonday);
      return { start, end: addDays(start, 6) };
    }
    case 'month':
      return periodRange(`${year}-${String(month).padStart(2, '0')}`);
    case 'year':
      return { start: `${year}-01-01`, end: `${year}-12-31` };
  }
}

/** Every quantum of `part` that overlaps `range`, in order. */
export function quantaOverlapping(range: DayRange, part: Part): DayRange[] {
  const quanta: DayRange[] = [];
  let day = range.start;
  while (day <= range.end) {
    const quantum = quantumOf(day, part);
    quanta.push(quantum);
    day = addDays(quantum.end, 1);
  }
  return quanta;
}

export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let day = range.start; day <= range.end; day = addDays(day, 1)) days.push(day);
  return days;
}

export function contains(outer: DayRange, inner: DayRange): boolean {
  return outer.start <= inner.start && inner.end <= outer.end;
}

export function overlaps(a: DayRange, b: DayRange): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/**
 * The length of a billing period in seconds, for the day the usage happened on: a month is its
 * calendar length, a year too (the product's rule for re-pricing across periods).
 */
export function periodSeconds(period: BillingPeriod, day: string): number {
  const date = parseDay(day);
  switch (period) {
    case 'minute':
      return 60;
    case 'hour':
      return 3_600;
    case 'day':
      return 86_400;
    case 'month':
      return daysInMonth(date.getUTCFullYear(), date.getUTCMonth() + 1) * 86_400;
    case 'year':
      return daysInYear(date.getUTCFullYear()) * 86_400;
  }
}

/** Which day of a period its invoices are dated (`INVOICE_DATE`). */
export const INVOICE_DATE_RULES = ['period-end', 'period-start', 'next-period-start'] as const;
export type InvoiceDateRule = (typeof INVOICE_DATE_RULES)[number];

/** The date of the invoices of `period` under `rule`. */
export function invoiceDate(period: Period, rule: InvoiceDateRule): string {
  const range = periodRange(period);
  if (rule === 'period-start') return range.start;
  if (rule === 'period-end') return range.end;
  const next = new Date(`${range.end}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

/** The month before the one `now` falls in, in `timezone` (the default period of an invoice run). */
export function monthBefore(now: Date, timezone = 'UTC'): Period {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
  }).formatToParts(now);
  const year = Number(parts.find((p) => p.type === 'year')?.value);
  const month = Number(parts.find((p) => p.type === 'month')?.value);
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

/**
 * Whether a month can be invoiced: it is over on `today` (YYYY-MM-DD). The current month's usage
 * is still growing and a future month has none: invoicing either makes a short draft.
 */
export function periodState(period: Period, today: string): 'closed' | 'open' | 'future' {
  const range = periodRange(period);
  if (today > range.end) return 'closed';
  return today >= range.start ? 'open' : 'future';
}
