import { describe, expect, it } from 'vitest';
import type { PlanPrice, UsageRowLike } from '../../mappings/invoice-lines.ts';
import { implausibilitiesOf } from '../../mappings/usage-plausibility.ts';

const row = (over: Partial<UsageRowLike>): UsageRowLike => ({
  billing_class: { id: 'kvm_hdd', name: 'HDD', measure: 'ГБ' },
  // 50 GB for 12 hours at 0.8 RUB per GB-hour (the spec's example): 600 GB-hours, 480 RUB.
  paid_seconds: 50 * 12 * 3600,
  quantity: 600,
  cost: 480,
  period: 'hour',
  date: '2024-05-01',
  ...over,
});
const HOURLY: PlanPrice = { cost: 0.8, period: 'hour' };

describe('a usage row is checked before it is priced', () => {
  it.each<[string, Partial<UsageRowLike>, PlanPrice | undefined, RegExp[]]>([
    ['the spec’s example', {}, HOURLY, []],
    ['no price known: seconds still checked', {}, undefined, []],
    [
      'a month row of May: 31 days of seconds',
      { period: 'month', quantity: 2, paid_seconds: 2 * 31 * 86_400, cost: 1 },
      undefined,
      [],
    ],
    ['quantity rounded to 6 places over a month of days', { quantity: 600.000015 }, HOURLY, []],
    [
      'paid_seconds 30 times the quantity’s',
      { paid_seconds: 30 * 600 * 3600 },
      HOURLY,
      [/paid_seconds 64800000 is not quantity 600 × 3600 s of a hour \(2160000\)/],
    ],
    [
      'a month row counted as 30 days in May',
      { period: 'month', quantity: 2, paid_seconds: 2 * 30 * 86_400, cost: 1 },
      undefined,
      [/of a month/],
    ],
    [
      'cost 2 kopecks off',
      { cost: 480.02 },
      HOURLY,
      [/cost 480.02 is not the plan's price 0.8 × quantity 600 \(480\), not within a kopeck/],
    ],
    ['cost within a kopeck', { cost: 480.01 }, HOURLY, []],
    ['a price of another period is not compared', { cost: 1 }, { cost: 0.8, period: 'day' }, []],
    ['a negative cost', { cost: -480 }, HOURLY, [/cost -480 is negative/]],
  ])('%s', (_, over, price, expected) => {
    const reasons = implausibilitiesOf(row(over), price);
    expect(reasons).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(reasons[i]).toMatch(pattern));
  });
});
