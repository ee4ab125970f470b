import type { PlanPrice, UsageRowLike } from './invoice-lines.ts';
import { Decimal, decimalOf } from './money.ts';
import { periodSeconds } from './period.ts';

/**
 * Whether a usage row can be true, before anything is priced from it (spec: `quantity =
 * paid_seconds / Δt`, `cost = price × quantity`). A row that breaks these rules is not invoiced
 * at all: a reseller is re-priced from `paid_seconds`, a direct client from `cost`, so a row whose
 * numbers disagree would invoice one of them many times its real amount.
 */

/** `paid_seconds` may differ from `quantity × Δt` by this share (RCP states quantities to 6 places, per day). */
const SECONDS_TOLERANCE = new Decimal('0.001');
/** `cost` may differ from `price × quantity` by one kopeck. */
const COST_TOLERANCE = new Decimal('0.01');

/**
 * The reasons `row` cannot be true, in words naming its fields (empty when it is plausible).
 * `price` is the client's own plan price of the row's billing class, when known; a price of
 * another period than the row's is not the one it was charged at, and is not compared.
 */
export function implausibilitiesOf(row: UsageRowLike, price: PlanPrice | undefined): string[] {
  const reasons: string[] = [];
  for (const field of ['paid_seconds', 'quantity', 'cost'] as const) {
    if (!Number.isFinite(row[field]) || row[field] < 0) reasons.push(`${field} ${row[field]} is negative`);
  }
  if (reasons.length > 0) return reasons;
  const seconds = periodSeconds(row.period, row.date);
  const quantity = decimalOf(row.quantity);
  const expected = quantity.times(seconds);
  const slack = Decimal.max(expected, seconds).times(SECONDS_TOLERANCE);
  if (decimalOf(row.paid_seconds).minus(expected).abs().greaterThan(slack)) {
    reasons.push(
      `paid_seconds ${row.paid_seconds} is not quantity ${row.quantity} × ${seconds} s of a ${row.period} (${expected.toString()})`,
    );
  }
  if (price && price.period === row.period) {
    const charged = quantity.times(decimalOf(price.cost));
    if (decimalOf(row.cost).minus(charged).abs().greaterThan(COST_TOLERANCE)) {
      reasons.push(
        `cost ${row.cost} is not the plan's price ${price.cost} × quantity ${row.quantity} (${charged.toDecimalPlaces(6).toString()}), not within a kopeck`,
      );
    }
  }
  return reasons;
}

/** How a failing row is named: its billing class, day, and target. */
export function usageRowName(row: UsageRowLike): string {
  return `${row.billing_class.id} (${row.date}${row.target ? `, ${row.target.type} ${row.target.name}` : ''})`;
}
