import { describe, expect, it } from 'vitest';
import { periodRange, periodSeconds, quantaOverlapping, quantumOf } from '../../mappings/period.ts';
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
