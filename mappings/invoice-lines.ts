import {
  Decimal,
  allocateKopecks,
  decimalOf,
  formatRubles,
  roundHalfUpToKopecks,
  sumDecimals,
} from './money.ts';
import { type BillingPeriod, periodSeconds } from './period.ts';
import { csvCell } from './usage-csv.ts';

/**
 * From usage rows to the lines of one invoice, exactly. The invoice total is RCP's cost (or the
 * re-priced cost) summed as decimals and rounded once to kopecks; lines get kopecks by the largest
 * remainder, so they add up to that total. A line keeps its real quantity and unit price only when
 * Odoo, rounding them to its precisions, computes the same amount, and Odoo's untaxed total lands on
 * RCP's kopeck under both of its rounding methods:
 *  - `round_per_line` (17 and 18 by default, and always without taxes): the sum of the lines'
 *    rounded subtotals;
 *  - `round_globally` (19's default): the rounded sum of the lines' UNROUNDED quantity × price, so
 *    sub-kopeck remainders of several lines can add up to a kopeck (26.94 × 6.90 = 185.886, twice:
 *    371.772 → 371.77, against 185.89 + 185.89 = 371.78).
 * Lines are kept while the remainders of the kept lines add up to less than half a kopeck; any
 * other line is sent as one unit at its amount, its label giving its quantity and price and why.
 */

export interface UsageRowLike {
  target?: { id: string; type: string; name: string } | null | undefined;
  billing_class: { id: string; name: string; measure: string };
  paid_seconds: number;
  quantity: number;
  cost: number;
  period: BillingPeriod;
  date: string;
}

export interface UsageOfClient {
  client: { id: string; name: string };
  rows: readonly UsageRowLike[];
}

export interface PlanPrice {
  cost: number;
  period: BillingPeriod;
}

/** One usage row with the price it is invoiced at. */
export interface PricedRow {
  clientId: string;
  clientName: string;
  target: string;
  billingClass: { id: string; name: string; measure: string };
  period: BillingPeriod;
  quantity: Decimal;
  unitPrice: Decimal;
  amount: Decimal;
}

export interface PricingProblem {
  clientId: string;
  clientName: string;
  billingClassId: string;
}

export interface InvoiceLine {
  billingClassId: string;
  label: string;
  quantity: Decimal;
  unitPrice: Decimal;
  /** The exact amount before rounding. */
  exact: Decimal;
  amountKopecks: number;
  /** What is sent to Odoo. */
  odooQuantity: number;
  odooPriceUnit: number;
  /** Why the line is sent as 1 × its amount instead of its real quantity and price (absent when it is not). */
  asAmount?: AsAmountReason;
}

/** Why a line cannot carry its real quantity and unit price in Odoo. */
export type AsAmountReason =
  | 'quantity precision'
  | 'price precision'
  | 'kopeck allocation'
  | 'global rounding';

/** The label's note for each reason (Russian, like the rest of the invoice). */
const AS_AMOUNT_NOTE: Record<AsAmountReason, (precision: OdooPrecision) => string> = {
  'quantity precision': (p) => `количество в Odoo хранится с ${p.quantityDigits} знаками`,
  'price precision': (p) => `цена в Odoo хранится с ${p.priceDigits} знаками`,
  'kopeck allocation': () => 'копейка итога RCP отнесена на эту строку',
  'global rounding': () => 'иначе итог Odoo без округления по строкам разошёлся бы с RCP на копейку',
};

/**
 * Odoo 19 (round_globally) rounds the sum of unrounded line amounts: the kept lines' remainders
 * must stay under half a kopeck. A little under, so that Odoo's binary floats cannot tip it.
 */
const HALF_KOPECK = new Decimal('0.0049');

export interface InvoicePlan {
  lines: InvoiceLine[];
  exactTotal: Decimal;
  totalKopecks: number;
  details: PricedRow[];
}

export interface OdooPrecision {
  /** 'Product Unit of Measure' decimal places (2 by default). */
  quantityDigits: number;
  /** 'Product Price' decimal places (2 by default). */
  priceDigits: number;
}

const targetName = (row: UsageRowLike) =>
  row.target ? `${row.target.name} (${row.target.type} ${row.target.id})` : '';

/** A direct client's usage at its own prices: RCP's cost is the amount. */
export function priceAsCharged(usage: readonly UsageOfClient[]): PricedRow[] {
  return usage.flatMap(({ client, rows }) =>
    rows.map((row) => {
      const quantity = decimalOf(row.quantity);
      const amount = decimalOf(row.cost);
      return {
        clientId: client.id,
        clientName: client.name,
        target: targetName(row),
        billingClass: row.billing_class,
        period: row.period,
        quantity,
        unitPrice: quantity.isZero() ? amount : amount.div(quantity).toSignificantDigits(12),
        amount,
      };
    }),
  );
}

/**
 * A reseller's clients' usage at the reseller's own prices: `quantity × price` when the periods
 * match, else `paid_seconds / Δt(partner period) × price` (a month is its calendar length).
 * A class the partner's plan has no price for is a problem, never a guessed price.
 */
export function repriceForPartner(
  usage: readonly UsageOfClient[],
  prices: ReadonlyMap<string, PlanPrice>,
): { rows: PricedRow[]; problems: PricingProblem[] } {
  const rows: PricedRow[] = [];
  const problems: PricingProblem[] = [];
  for (const { client, rows: usageRows } of usage) {
    for (const row of usageRows) {
      const price = prices.get(row.billing_class.id);
      if (!price) {
        if (!problems.some((p) => p.clientId === client.id && p.billingClassId === row.billing_class.id)) {
          problems.push({
            clientId: client.id,
            clientName: client.name,
            billingClassId: row.billing_class.id,
          });
        }
        continue;
      }
      const quantity =
        price.period === row.period
          ? decimalOf(row.quantity)
          : decimalOf(row.paid_seconds).div(periodSeconds(price.period, row.date));
      const unitPrice = decimalOf(price.cost);
      rows.push({
        clientId: client.id,
        clientName: client.name,
        target: targetName(row),
        billingClass: row.billing_class,
        period: price.period,
        quantity,
        unitPrice,
        amount: quantity.times(unitPrice),
      });
    }
  }
  return { rows, problems };
}

const PERIOD_WORD: Record<BillingPeriod, string> = {
  minute: 'мин',
  hour: 'час',
  day: 'сут',
  month: 'мес',
  year: 'год',
};
const MONTHS = [
  'январь',
  'февраль',
  'март',
  'апрель',
  'май',
  'июнь',
  'июль',
  'август',
  'сентябрь',
  'октябрь',
  'ноябрь',
  'декабрь',
];

/** `ноябрь 2026` */
export function monthName(period: string): string {
  const [year, month] = period.split('-').map(Number) as [number, number];
  return `${MONTHS[month - 1]} ${year}`;
}

function formatDecimal(value: Decimal, places: number): string {
  return value.toDecimalPlaces(places).toFixed().replace('.', ',');
}

/** Groups priced rows into lines (one per billing class and unit price) and rounds them as the header says. */
export function planInvoiceLines(
  rows: readonly PricedRow[],
  period: string,
  precision: OdooPrecision,
): InvoicePlan {
  const groups = new Map<string, { first: PricedRow; quantity: Decimal; amount: Decimal }>();
  for (const row of rows) {
    const key = `${row.billingClass.id}|${row.period}|${row.unitPrice.toString()}`;
    const group = groups.get(key) ?? { first: row, quantity: new Decimal(0), amount: new Decimal(0) };
    group.quantity = group.quantity.plus(row.quantity);
    group.amount = group.amount.plus(row.amount);
    groups.set(key, group);
  }
  const ordered = [...groups.values()]
    .filter((g) => !g.amount.isZero() || !g.quantity.isZero())
    .sort(
      (a, b) =>
        a.first.billingClass.name.localeCompare(b.first.billingClass.name, 'ru') ||
        a.first.unitPrice.comparedTo(b.first.unitPrice),
    );
  const exactTotal = sumDecimals(ordered.map((g) => g.amount));
  const totalKopecks = roundHalfUpToKopecks(exactTotal);
  const kopecks = allocateKopecks(
    ordered.map((g) => g.amount),
    totalKopecks,
  );
  let remainder = new Decimal(0);
  const lines = ordered.map((group, index): InvoiceLine => {
    const amountKopecks = kopecks[index] as number;
    const { billingClass, period: billing, unitPrice } = group.first;
    const odooQuantity = group.quantity.toDecimalPlaces(precision.quantityDigits, Decimal.ROUND_HALF_UP);
    const odooPrice = unitPrice.toDecimalPlaces(precision.priceDigits, Decimal.ROUND_HALF_UP);
    const odooAmount = odooQuantity.times(odooPrice);
    const lineRemainder = odooAmount.minus(new Decimal(amountKopecks).div(100));
    let asAmount: AsAmountReason | undefined;
    if (roundHalfUpToKopecks(odooAmount) !== amountKopecks) {
      asAmount = !odooQuantity.equals(group.quantity)
        ? 'quantity precision'
        : !odooPrice.equals(unitPrice)
          ? 'price precision'
          : 'kopeck allocation';
    } else if (remainder.plus(lineRemainder).abs().greaterThan(HALF_KOPECK)) {
      asAmount = 'global rounding';
    } else {
      remainder = remainder.plus(lineRemainder);
    }
    const label = `${billingClass.name}: ${formatDecimal(group.quantity, 6)} ${billingClass.measure}×${PERIOD_WORD[billing]} × ${formatDecimal(unitPrice, 6)} ₽ за ${monthName(period)}`;
    return {
      billingClassId: billingClass.id,
      label: asAmount ? `${label} (1 × сумма: ${AS_AMOUNT_NOTE[asAmount](precision)})` : label,
      quantity: group.quantity,
      unitPrice,
      exact: group.amount,
      amountKopecks,
      odooQuantity: asAmount ? 1 : odooQuantity.toNumber(),
      odooPriceUnit: asAmount ? amountKopecks / 100 : odooPrice.toNumber(),
      ...(asAmount ? { asAmount } : {}),
    };
  });
  return { lines, exactTotal, totalKopecks, details: [...rows] };
}

/** The usage detail attached to an invoice: one row per client, target and billing class. */
export function usageDetailCsv(rows: readonly PricedRow[]): string {
  const header = [
    'client',
    'client_id',
    'target',
    'billing_class',
    'measure',
    'period',
    'quantity',
    'unit_price',
    'amount',
  ];
  const grouped = new Map<string, { row: PricedRow; quantity: Decimal; amount: Decimal }>();
  for (const row of rows) {
    const key = `${row.clientId}|${row.target}|${row.billingClass.id}|${row.period}|${row.unitPrice}`;
    const group = grouped.get(key) ?? { row, quantity: new Decimal(0), amount: new Decimal(0) };
    group.quantity = group.quantity.plus(row.quantity);
    group.amount = group.amount.plus(row.amount);
    grouped.set(key, group);
  }
  const lines = [...grouped.values()].map(({ row, quantity, amount }) =>
    [
      row.clientName,
      row.clientId,
      row.target,
      row.billingClass.id,
      row.billingClass.measure,
      row.period,
      quantity.toDecimalPlaces(6).toFixed(),
      row.unitPrice.toFixed(),
      amount.toDecimalPlaces(6).toFixed(),
    ]
      .map(csvCell)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\n')}\n`;
}

/** The note left in each invoice's chatter. */
export function invoiceNote(period: string, totalKopecks: number, lines: number): string {
  return `Создано из использования RCP за ${monthName(period)} (${period}): итого ${formatRubles(totalKopecks)} ₽, строк: ${lines}. Повторный запуск обновит этот черновик; проведённый счёт не изменяется.`;
}
