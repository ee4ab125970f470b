import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { CATALOG } from '../../connector/simulator/data.ts';
import { Decimal } from '../../mappings/money.ts';
import type { PriceOverride, RcpUsageRow } from '../support/rcp-usage-override.ts';
import {
  type RoundingMethod,
  realOdooFromEnv,
  realTitle,
  setPrecisions,
  setRoundingMethod,
} from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * Odoo's two ways of summing an invoice, on every version, with Odoo's default precisions and
 * with them raised (as `rcp-odoo setup` does): `round_per_line` sums the lines' rounded subtotals
 * (17 and 18 by default); `round_globally` (19's default; 17 and 18 can be switched to it) rounds the
 * sum of the lines' UNROUNDED quantity × price. RCP answers this client's usage with rows built so
 * that the two sums differ by a kopeck if the connector keeps every line's real quantity and price
 * (NOTES.md: 26.94 × 6.90 and 1880.47 × 0.79 on a real 19): the invoice must still equal RCP's total
 * to the kopeck, and with the precisions raised every line must carry its real quantity and price.
 */
const PERIOD = '2024-05';
const cls = (id: string) => {
  const entry = CATALOG.find((c) => c.id === id);
  if (!entry) throw new Error(`no billing class ${id}`);
  return { id: entry.id, name: entry.name, measure: entry.measure };
};
/** The prices of ROWS, which RCP answers for these clients' plan: each row's cost is price × quantity. */
const PRICES: PriceOverride[] = [
  { classId: 'kvm_cpu', cost: 6.9, period: 'hour' },
  { classId: 'kvm_ram', cost: 6.9, period: 'hour' },
  { classId: 'kvm_hdd_fast', cost: 0.79, period: 'hour' },
  { classId: 'kvm_hdd_ultrafast', cost: 0.0107, period: 'hour' },
];
const row = (classId: string, quantity: string, price: string): Omit<RcpUsageRow, 'date'> => ({
  target: { id: `t-${classId}`, type: 'vm', name: `rounding ${classId}` },
  billing_class: cls(classId),
  paid_seconds: Number(new Decimal(quantity).times(3600)),
  quantity: Number(quantity),
  cost: Number(new Decimal(quantity).times(price)),
  project: 'p-rounding',
  period: 'hour',
});
/** Odoo keeps 26.94 and 1880.47 at 2 decimals: 185.886 twice and 1485.5713 round to RCP's kopecks one by one, not summed. */
const ROWS = [
  row('kvm_cpu', '26.9404', '6.90'),
  row('kvm_ram', '26.9404', '6.90'),
  row('kvm_hdd_fast', '1880.4712', '0.79'),
  row('kvm_hdd_ultrafast', '1234.5678', '0.0107'),
];
/** 185.88876 × 2 + 1485.572248 + 13.20987546 = 1870.55964346 → 1870.56 */
const RCP_KOPECKS = 187056;

interface LineRow extends OdooRecord {
  name: string;
  quantity: number;
  price_unit: number;
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('invoice rounding'), () => {
  const cases: Array<[RoundingMethod, 'default' | 'raised']> = [
    ['round_per_line', 'default'],
    ['round_globally', 'default'],
    ['round_per_line', 'raised'],
    ['round_globally', 'raised'],
  ];
  // One direct client per case, all on the provider's own channel; RCP gives each the rows above.
  let clientIds: string[] = [];
  let planIds: string[] = [];
  const stack = useRealStack(
    'round',
    { today: '2024-06-01', clients: cases.length, partners: 1 },
    {
      usageOf: (client) => (clientIds.includes(client) ? ROWS : undefined),
      pricesOf: (plan) => (planIds.includes(plan) ? PRICES : undefined),
    },
  );
  let s: RealStack;
  beforeAll(async () => {
    s = stack();
    clientIds = s.sim.world.order.map((i) => s.sim.world.client(i).id).sort();
    planIds = s.sim.world.order.map((i) => s.sim.world.client(i).plan.id);
    const sync = await syncMasterData(s.deps, { what: 'all' });
    expect(sync.failed).toEqual([]);
  });

  it('RCP’s rows are what the two sums disagree on: 1870.55 summed unrounded at 2 decimals, 1870.56 line by line', () => {
    const at2 = ROWS.map((r) =>
      new Decimal(r.quantity)
        .toDecimalPlaces(2)
        .times(new Decimal(r.cost).div(r.quantity).toDecimalPlaces(4)),
    );
    // The three lines Odoo can hold at 2 decimals, plus the fourth as 1 × 13.21:
    const unrounded = at2.slice(0, 3).reduce((a, b) => a.plus(b), new Decimal('13.21'));
    const perLine = at2
      .slice(0, 3)
      .reduce((a, b) => a.plus(b.toDecimalPlaces(2, Decimal.ROUND_HALF_UP)), new Decimal('13.21'));
    expect([unrounded.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber(), perLine.toNumber()]).toEqual([
      1870.55, 1870.56,
    ]);
  });

  it.each(cases)(
    '%s with %s precisions: the invoice equals RCP’s total to the kopeck',
    async (method, precision) => {
      const clientId = clientIds[cases.findIndex(([m, p]) => m === method && p === precision)] as string;
      expect(await setRoundingMethod(s.admin, method)).toBe(method);
      const digits = precision === 'raised' ? { price: 4, quantity: 4 } : { price: 2, quantity: 2 };
      expect(await setPrecisions(s.admin, digits)).toEqual(digits);

      const report = await invoicePeriod(s.deps, { period: PERIOD, client: clientId });
      expect(report.failed).toEqual([]);
      const invoice = report.invoices.find((i) => i.uuid === clientId);
      expect(invoice).toMatchObject({ outcome: 'created', totalKopecks: RCP_KOPECKS });
      const [move] = await s.admin.read<OdooRecord & { amount_untaxed: number; amount_total: number }>(
        'account.move',
        [invoice?.odooId as number],
        ['amount_untaxed', 'amount_total'],
      );
      expect(Math.round((move?.amount_untaxed ?? 0) * 100)).toBe(RCP_KOPECKS);
      expect(Math.round((move?.amount_total ?? 0) * 100)).toBe(RCP_KOPECKS);

      const lines = await s.admin.searchRead<LineRow>(
        'account.move.line',
        [
          ['move_id', '=', invoice?.odooId as number],
          ['display_type', '=', 'product'],
        ],
        ['name', 'quantity', 'price_unit'],
      );
      expect(lines).toHaveLength(ROWS.length);
      const real = lines.filter((l) => !l.name.includes('1 × сумма'));
      if (precision === 'raised') {
        // Every line carries RCP's quantity and unit price, and Odoo still lands on RCP's kopeck.
        expect(real).toHaveLength(ROWS.length);
        expect(lines.map((l) => [l.quantity, l.price_unit]).sort()).toEqual(
          ROWS.map((r) => [
            r.quantity,
            Number(new Decimal(r.cost).div(r.quantity).toDecimalPlaces(4)),
          ]).sort(),
        );
      } else {
        // At 2 decimals keeping both 26.94 × 6.90 lines would leave the global sum a kopeck short
        // (and 17/18 cannot hold 0.0107): such lines go as 1 × amount and their labels say why.
        const asAmount = lines.filter((l) => l.name.includes('1 × сумма'));
        expect(real.length).toBeGreaterThanOrEqual(1);
        expect(asAmount.length).toBeGreaterThanOrEqual(1);
        for (const line of asAmount) {
          expect(line.quantity).toBe(1);
          expect(line.name).toMatch(/\(1 × сумма: .+\)$/);
        }
      }
      // A re-run under the same settings writes nothing.
      const again = await invoicePeriod(s.deps, { period: PERIOD, client: clientId });
      expect(again.invoices.find((i) => i.uuid === clientId)?.outcome).toBe('unchanged');
    },
  );
});
