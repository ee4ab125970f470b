import { type DayRange, type Part, contains, overlaps, quantaOverlapping, quantumOf } from './period.ts';

/**
 * How to read usage of a range at a coarse quantum without counting a day twice or outside it:
 * quanta wholly inside the range are taken as RCP answers them; a quantum that sticks out
 * (a week across the month's edge, a month when the range is half of it) is read again by day,
 * for its days inside the range only.
 */
export interface UsageReadPlan {
  /** The coarse request: every quantum that overlaps the range. */
  coarse: DayRange;
  /** Day-by-day requests for the parts of straddling quanta that lie inside the range. */
  byDay: DayRange[];
}

export function planUsageRead(range: DayRange, part: Part): UsageReadPlan {
  if (part === 'day') return { coarse: range, byDay: [] };
  const byDay = quantaOverlapping(range, part)
    .filter((quantum) => !contains(range, quantum))
    .map((quantum) => ({
      start: quantum.start < range.start ? range.start : quantum.start,
      end: quantum.end > range.end ? range.end : quantum.end,
    }));
  return { coarse: range, byDay };
}

/** Rows of the coarse answer whose quantum lies wholly inside the range. */
export function rowsOfWholeQuanta<R extends { date: string }>(
  rows: readonly R[],
  range: DayRange,
  part: Part,
): R[] {
  return rows.filter((row) => contains(range, quantumOf(row.date, part)));
}

/** Day rows inside the range (RCP may answer days outside what was asked: drop them). */
export function dayRowsWithin<R extends { date: string }>(rows: readonly R[], range: DayRange): R[] {
  return rows.filter((row) => overlaps(range, { start: row.date, end: row.date }));
}

/**
 * Rows whose quantum does not even overlap the range asked: RCP should never answer them, so they
 * are named as bad records rather than dropped as "outside the month".
 */
export function rowsOutsideAsked<R extends { date: string }>(
  rows: readonly R[],
  range: DayRange,
  part: Part,
): R[] {
  return rows.filter((row) => !overlaps(range, quantumOf(row.date, part)));
}
