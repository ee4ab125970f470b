import { pricelistItemXmlid, xmlidOf } from './external-ids.ts';
import type { DesiredRecord, FieldSpecs } from './odoo-values.ts';

export interface Price {
  cost: number;
  billing_plan: string;
  billing_class: { id: string };
}

export const PRICELIST_FIELDS: FieldSpecs = {
  name: { type: 'char' },
  currency_id: { type: 'many2one' },
  // Odoo archives every price list when the Pricelists feature is turned off; turned on again, the
  // sync makes the connector's active again, or contacts would fall back to Odoo's default list.
  active: { type: 'boolean' },
};

export function pricelistItemFields(priceDigits: number): FieldSpecs {
  return {
    pricelist_id: { type: 'many2one' },
    applied_on: { type: 'selection' },
    product_id: { type: 'many2one' },
    compute_price: { type: 'selection' },
    fixed_price: { type: 'float', digits: priceDigits },
    min_quantity: { type: 'float' },
  };
}

export function toPricelistRecord(plan: { id: string; name: string }, currencyId: number): DesiredRecord {
  return {
    xmlid: xmlidOf('pricelist', plan.id),
    label: `billing plan ${plan.name} (${plan.id})`,
    values: { name: `RCP: ${plan.name}`, currency_id: currencyId, active: true },
  };
}

/** One fixed price per billing class of the plan, as RCP states it (Odoo may round it: see `pricePrecisionProblems`). */
export function toPricelistItemRecord(price: Price, pricelistId: number, productId: number): DesiredRecord {
  return {
    xmlid: pricelistItemXmlid(price.billing_plan, price.billing_class.id),
    label: `price of ${price.billing_class.id} in plan ${price.billing_plan}`,
    values: {
      pricelist_id: pricelistId,
      applied_on: '0_product_variant',
      product_id: productId,
      compute_price: 'fixed',
      fixed_price: price.cost,
      min_quantity: 0,
    },
  };
}

/** Decimal places a price needs (0.0107 → 4). */
export function decimalsOf(value: number): number {
  const text = String(value);
  if (text.includes('e-')) return Number(text.split('e-')[1]);
  return text.includes('.') ? (text.split('.')[1]?.length ?? 0) : 0;
}

/** Prices Odoo would store rounded: each with the digits it needs, for `check` and the sync summary. */
export function pricePrecisionProblems(
  prices: readonly Price[],
  digits: number,
): Array<{ price: Price; needs: number }> {
  return prices
    .map((price) => ({ price, needs: decimalsOf(price.cost) }))
    .filter(({ needs }) => needs > digits);
}
