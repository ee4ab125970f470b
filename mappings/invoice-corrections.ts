import { monthName } from './invoice-lines.ts';
import { Decimal, formatRubles } from './money.ts';
import { csvCell } from './usage-csv.ts';

/**
 * Corrections of a posted invoice: what RCP's usage of the month is now against what was invoiced
 * for it (the original's usage records and those of every correction made since, `x_rcp_usage`),
 * per client and billing class, in kopecks. One correction per difference: a credit note for less,
 * an additional invoice for more, for exactly the difference (its lines one per billing class, each
 * 1 × its amount, so that Odoo's total is the difference to the kopeck under either of its rounding
 * methods; the label says the quantity and the amounts before and after).
 */

/** A month's usage of one client in one product (billing class), as invoiced or as RCP has it now. */
export interface UsageAmount {
  /** The RCP client's uuid (lower case). */
  client: string;
  clientName: string;
  /** The Odoo product of the billing class. */
  productId: number;
  /** The billing class's name. */
  name: string;
  quantity: Decimal;
  amountKopecks: number;
}

export interface CorrectionLine {
  productId: number;
  label: string;
  /** The line's amount as the document shows it: positive on a credit note for a decrease. */
  amountKopecks: number;
}

export interface CorrectionPlan {
  /** `out_refund` for less, `out_invoice` for more (or for a change with no change of total). */
  moveType: 'out_refund' | 'out_invoice';
  /** Now minus invoiced, signed (negative for a credit note). */
  differenceKopecks: number;
  invoicedKopecks: number;
  nowKopecks: number;
  /** The usage records of the correction: per client and product, signed like the difference. */
  records: UsageAmount[];
  lines: CorrectionLine[];
}

const keyOf = (u: Pick<UsageAmount, 'client' | 'productId'>) => `${u.client}|${u.productId}`;

function sumByKey(amounts: readonly UsageAmount[]): Map<string, UsageAmount> {
  const sums = new Map<string, UsageAmount>();
  for (const u of amounts) {
    const held = sums.get(keyOf(u));
    sums.set(
      keyOf(u),
      held
        ? {
            ...held,
            quantity: held.quantity.plus(u.quantity),
            amountKopecks: held.amountKopecks + u.amountKopecks,
          }
        : { ...u },
    );
  }
  return sums;
}

const total = (amounts: Iterable<UsageAmount>) => [...amounts].reduce((s, u) => s + u.amountKopecks, 0);

/**
 * The correction an invoice needs, or undefined when RCP's usage now is what was invoiced (to the
 * kopeck, per client and billing class). `invoiced` holds the original's records and its
 * corrections' (signed), `now` the records the invoice would have today.
 */
export function correctionOf(
  now: readonly UsageAmount[],
  invoiced: readonly UsageAmount[],
  period: string,
): CorrectionPlan | undefined {
  const was = sumByKey(invoiced);
  const is = sumByKey(now);
  const records: UsageAmount[] = [];
  for (const key of new Set([...was.keys(), ...is.keys()])) {
    const before = was.get(key);
    const after = is.get(key);
    const base = (after ?? before) as UsageAmount;
    const amountKopecks = (after?.amountKopecks ?? 0) - (before?.amountKopecks ?? 0);
    const quantity = (after?.quantity ?? new Decimal(0)).minus(before?.quantity ?? 0);
    if (amountKopecks === 0) continue;
    records.push({ ...base, quantity, amountKopecks });
  }
  if (records.length === 0) return undefined;
  records.sort((a, b) => a.client.localeCompare(b.client) || a.productId - b.productId);
  const differenceKopecks = total(records);
  const moveType = differenceKopecks < 0 ? 'out_refund' : 'out_invoice';
  const sign = moveType === 'out_refund' ? -1 : 1;
  // One line per product: its difference over all clients, with what was invoiced and what is now.
  const byProduct = new Map<number, { name: string; quantity: Decimal; was: number; is: number }>();
  const add = (u: UsageAmount, side: 'was' | 'is') => {
    const held = byProduct.get(u.productId) ?? { name: u.name, quantity: new Decimal(0), was: 0, is: 0 };
    held[side] += u.amountKopecks;
    held.quantity = side === 'is' ? held.quantity.plus(u.quantity) : held.quantity.minus(u.quantity);
    byProduct.set(u.productId, held);
  };
  for (const u of invoiced) add(u, 'was');
  for (const u of now) add(u, 'is');
  const lines = [...byProduct.entries()]
    .filter(([, p]) => p.is !== p.was)
    .sort(([a], [b]) => a - b)
    .map(([productId, p]) => ({
      productId,
      label: `Корректировка за ${monthName(period)}: ${p.name}: изменение количества ${signed(p.quantity)}; было ${formatRubles(p.was)} ₽, стало ${formatRubles(p.is)} ₽ (1 × сумма)`,
      amountKopecks: sign * (p.is - p.was),
    }));
  return {
    moveType,
    differenceKopecks,
    invoicedKopecks: total(was.values()),
    nowKopecks: total(is.values()),
    records,
    lines,
  };
}

function signed(value: Decimal): string {
  const text = value.toDecimalPlaces(6).toFixed().replace('.', ',');
  return value.isPositive() && !value.isZero() ? `+${text}` : text;
}

/** The note left on the correction and on the original invoice. */
export function correctionNote(
  plan: Pick<CorrectionPlan, 'moveType' | 'differenceKopecks' | 'invoicedKopecks' | 'nowKopecks'>,
  period: string,
  originalName: string,
): string {
  const what = plan.moveType === 'out_refund' ? 'Кредит-нота' : 'Дополнительный счёт';
  return `${what} к ${originalName} за ${monthName(period)} (${period}): использование RCP изменилось после проведения счёта. Выставлено ${formatRubles(plan.invoicedKopecks)} ₽, по данным RCP сейчас ${formatRubles(plan.nowKopecks)} ₽, разница ${formatRubles(plan.differenceKopecks)} ₽.`;
}

/** The correction's usage detail: one row per client and billing class, signed differences. */
export function correctionCsv(records: readonly UsageAmount[]): string {
  const header = ['client', 'client_id', 'billing_class', 'quantity_difference', 'amount_difference'];
  const rows = records.map((r) =>
    [
      r.clientName,
      r.client,
      r.name,
      r.quantity.toDecimalPlaces(6).toFixed(),
      (r.amountKopecks / 100).toFixed(2),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...rows].join('\n')}\n`;
}
