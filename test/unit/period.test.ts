import { describe, expect, it } from 'vitest';
import { batchesOf, slicesOf } from '../../connector/batches.ts';
import {
  invoiceDate,
  isPeriod,
  monthBefore,
  periodRange,
  periodSeconds,
  quantaOverlapping,
  quantumOf,
} from '../../mappings/period.ts';
import { planUsageRead, rowsOfWholeQuanta } from '../../mappings/usage-window.ts';

describe('calendar quanta', () => {
  it.each([
    ['2024-02-01', 'week', '2024-01-29', '2024-02-04'],
    ['2024-02-04', 'week', '2024-01-29', '2024-02-04'],
    ['2024-02-05', 'week', '2024-02-05', '2024-02-11'],
    ['2024-02-15', 'month', '2024-02-01', '2024-02-29'],
    ['2023-02-15', 'month', '2023-02-01', '2023-02-28'],
    ['2024-07-09', 'year', '2024-01-01', '2024-12-31'],
    ['2024-07-09', 'day', '2024-07-09', '2024-07-09'],
  ] as const)('%s by %s is %s … %s', (day, part, start, end) => {
    expect(quantumOf(day, part)).toEqual({ start, end });
  });

  it('the spec’s week example spans two whole weeks', () => {
    expect(quantaOverlapping({ start: '2024-02-01', end: '2024-02-07' }, 'week')).toEqual([
      { start: '2024-01-29', end: '2024-02-04' },
      { start: '2024-02-05', end: '2024-02-11' },
    ]);
  });

  it('a period is its calendar month', () => {
    expect(periodRange('2024-02')).toEqual({ start: '2024-02-01', end: '2024-02-29' });
    expect(periodRange('2023-12')).toEqual({ start: '2023-12-01', end: '2023-12-31' });
  });

  it.each([
    ['minute', '2024-02-10', 60],
    ['hour', '2024-02-10', 3600],
    ['day', '2024-02-10', 86400],
    ['month', '2024-02-10', 29 * 86400],
    ['month', '2023-02-10', 28 * 86400],
    ['year', '2024-02-10', 366 * 86400],
  ] as const)('a %s billed on %s lasts %i seconds', (period, day, seconds) => {
    expect(periodSeconds(period, day)).toBe(seconds);
  });
});

describe('reading usage without counting a day twice', () => {
  it('a whole month by month needs no day requests', () => {
    expect(planUsageRead({ start: '2024-02-01', end: '2024-02-29' }, 'month').byDay).toEqual([]);
  });

  it('the spec’s week example reads both straddling weeks by day, inside the range only', () => {
    expect(planUsageRead({ start: '2024-02-01', end: '2024-02-07' }, 'week').byDay).toEqual([
      { start: '2024-02-01', end: '2024-02-04' },
      { start: '2024-02-05', end: '2024-02-07' },
    ]);
  });

  it('the spec’s month example reads half of February and half of March by day', () => {
    expect(planUsageRead({ start: '2024-02-15', end: '2024-03-15' }, 'month').byDay).toEqual([
      { start: '2024-02-15', end: '2024-02-29' },
      { start: '2024-03-01', end: '2024-03-15' },
    ]);
  });

  it('a month read by week keeps the whole weeks and re-reads the edges', () => {
    const range = { start: '2024-02-01', end: '2024-02-29' };
    expect(planUsageRead(range, 'week').byDay).toEqual([
      { start: '2024-02-01', end: '2024-02-04' },
      { start: '2024-02-26', end: '2024-02-29' },
    ]);
    const rows = ['2024-01-29', '2024-02-05', '2024-02-12', '2024-02-19', '2024-02-26'].map((date) => ({
      date,
    }));
    expect(rowsOfWholeQuanta(rows, range, 'week').map((r) => r.date)).toEqual([
      '2024-02-05',
      '2024-02-12',
      '2024-02-19',
    ]);
  });
});

describe('periods', () => {
  it.each([
    ['2026-10', true],
    ['2026-1', false],
    ['2026-13', false],
    ['2026-00', false],
    ['26-10', false],
  ] as const)('%s is a period: %s', (text, ok) => {
    expect(isPeriod(text)).toBe(ok);
  });

  it('the month before is last year’s December in January, and depends on the time zone', () => {
    expect(monthBefore(new Date('2026-01-15T12:00:00Z'))).toBe('2025-12');
    expect(monthBefore(new Date('2026-03-31T12:00:00Z'))).toBe('2026-02');
    // 22:30 UTC on 31 March is already 1 April in Moscow.
    expect(monthBefore(new Date('2026-03-31T22:30:00Z'), 'Europe/Moscow')).toBe('2026-03');
    expect(monthBefore(new Date('2026-03-31T22:30:00Z'), 'UTC')).toBe('2026-02');
  });

  it.each([
    ['period-end', '2024-02-29'],
    ['period-start', '2024-02-01'],
    ['next-period-start', '2024-03-01'],
  ] as const)('invoices of 2024-02 dated by %s are dated %s', (rule, day) => {
    expect(invoiceDate('2024-02', rule)).toBe(day);
  });
});

describe('batches', () => {
  it('slice a list into consecutive batches of at most the batch size', () => {
    expect([...batchesOf([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...batchesOf([], 500)]).toEqual([]);
    expect([...batchesOf([1, 2], 0)]).toEqual([[1], [2]]);
  });

  it('regroup the pages of a paged read into slices of the size asked, in order, the last shorter', async () => {
    async function* pages(...list: number[][]) {
      yield* list;
    }
    const all = async (it: AsyncIterable<number[]>) => {
      const out: number[][] = [];
      for await (const slice of it) out.push(slice);
      return out;
    };
    expect(await all(slicesOf(pages([1, 2], [3, 4], [5]), 3))).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(await all(slicesOf(pages([1, 2, 3, 4, 5, 6, 7]), 2))).toEqual([[1, 2], [3, 4], [5, 6], [7]]);
    expect(await all(slicesOf(pages([1, 2], [3, 4]), 4))).toEqual([[1, 2, 3, 4]]);
    expect(await all(slicesOf(pages(), 4))).toEqual([]);
  });
});
