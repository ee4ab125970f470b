import type { InvoicePlan } from './invoice-lines.ts';
import { Decimal, allocateKopecks } from './money.ts';

/**
 * The usage records of one invoice (`x_rcp_usage`): a month's usage of one RCP client in one
 * billing class, as invoiced. Their amounts are the exact invoiced amounts split over the invoice's
 * untaxed amount in Odoo by the largest remainder, so that they add up to it to the kopeck.
 */
export interface UsageRecord {
  clientId: string;
  clientName: string;
  billingClassId: string;
  billingClassName: string;
  quantity: number;
  amountKopecks: number;
}

export function usageRecordsOf(plan: Pick<InvoicePlan, 'details'>, untaxedKopecks: number): UsageRecord[] {
  const groups = new Map<
    string,
    { clientId: string; clientName: string; id: string; name: string; quantity: Decimal; amount: Decimal }
  >();
  for (const row of plan.details) {
    const key = `${row.clientId}|${row.billingClass.id}`;
    const group = groups.get(key) ?? {
      clientId: row.clientId,
      clientName: row.clientName,
      id: row.billingClass.id,
      name: row.billingClass.name,
      quantity: new Decimal(0),
      amount: new Decimal(0),
    };
    group.quantity = group.quantity.plus(row.quantity);
    group.amount = group.amount.plus(row.amount);
    groups.set(key, group);
  }
  const list = [...groups.values()].sort(
    (a, b) => a.clientId.localeCompare(b.clientId) || a.id.localeCompare(b.id),
  );
  // Scaled first to Odoo's untaxed amount (it differs from RCP's when the taxes are price-included).
  const exactTotal = list.reduce((sum, g) => sum.plus(g.amount), new Decimal(0));
  const scale = exactTotal.isZero() ? new Decimal(1) : new Decimal(untaxedKopecks).div(100).div(exactTotal);
  const kopecks = allocateKopecks(
    list.map((g) => g.amount.times(scale)),
    untaxedKopecks,
  );
  return list.map((g, i) => ({
    clientId: g.clientId,
    clientName: g.clientName,
    billingClassId: g.id,
    billingClassName: g.name,
    quantity: g.quantity.toDecimalPlaces(6).toNumber(),
    amountKopecks: kopecks[i] as number,
  }));
}
