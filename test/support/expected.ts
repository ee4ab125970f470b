import type { SimClient, World } from '../../connector/simulator/data.ts';
import { Decimal } from '../../mappings/money.ts';
import { periodRange, periodSeconds } from '../../mappings/period.ts';

/** RCP's cost of a client's days in a month, summed by hand from the simulator's own day rows. */
export function rcpCostKopecks(world: World, client: SimClient, period: string): number {
  const total = world
    .dailyUsage(client, periodRange(period))
    .reduce((sum, row) => sum.plus(String(row.cost)), new Decimal(0));
  return total.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** The re-pricing rule of docs/product.md, by hand, for all clients of a reseller in a month. */
export function repricedKopecks(world: World, partnerIndex: number, period: string): number {
  const partner = world.partners[partnerIndex];
  let total = new Decimal(0);
  for (const index of world.order) {
    const client = world.client(index);
    if (client.partner.id !== partner?.id) continue;
    for (const row of world.dailyUsage(client, periodRange(period))) {
      const price = partner.plan.prices.get(row.billing_class.id);
      if (!price) throw new Error(`no partner price for ${row.billing_class.id}`);
      const quantity =
        price.period === row.period
          ? new Decimal(String(row.quantity))
          : new Decimal(row.paid_seconds).div(periodSeconds(price.period, row.date));
      total = total.plus(quantity.times(price.cost));
    }
  }
  return total.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}
