import { toKopecks } from './money.ts';

/**
 * The one rule for "the total of an invoice that must equal RCP's": the untaxed amount, or the
 * total when every tax on the lines is included in the price (then the lines' prices hold the tax,
 * and RCP's cost is what the customer pays). The invoice writer checks it after writing, and
 * `reconcile` compares it; both through these functions.
 */
export type InvoiceTotalField = 'amount_untaxed' | 'amount_total';

export function invoiceTotalField(taxes: ReadonlyArray<{ price_include: boolean }>): InvoiceTotalField {
  return taxes.length > 0 && taxes.every((t) => t.price_include) ? 'amount_total' : 'amount_untaxed';
}

/** That total of an invoice as Odoo holds it, in kopecks. */
export function invoiceTotalKopecks(
  move: { amount_untaxed: number; amount_total: number },
  field: InvoiceTotalField,
): number {
  return toKopecks(move[field]);
}
