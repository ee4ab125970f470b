import { xmlidOf } from './external-ids.ts';
import type { DesiredRecord, FieldSpecs } from './odoo-values.ts';

export interface BillingClass {
  id: string;
  name: string;
  sku_mask?: string | null | undefined;
  measure: string;
}

/** What differs between versions for a product, as the Odoo edge's capability table says it. */
export interface ProductShape {
  /** `detailed_type` (17) or `type` (18+). */
  typeField: 'detailed_type' | 'type';
  /** 17 and 18 also require the purchase unit `uom_po_id`. */
  hasPurchaseUom: boolean;
}

export interface ProductRefs {
  uomOf(measure: string): number;
  /** Undefined where Odoo needs none (19) and has no standard one. */
  categoryId: number | undefined;
}

export function productFields(shape: ProductShape): FieldSpecs {
  return {
    name: { type: 'char' },
    default_code: { type: 'char' },
    [shape.typeField]: { type: 'selection' },
    uom_id: { type: 'many2one' },
    ...(shape.hasPurchaseUom ? { uom_po_id: { type: 'many2one' } } : {}),
    categ_id: { type: 'many2one' },
    sale_ok: { type: 'boolean' },
    purchase_ok: { type: 'boolean' },
    taxes_id: { type: 'many2many' },
    list_price: { type: 'float' },
  };
}

/**
 * A billing class as a service product: the article is `sku_mask` (the class id when empty), the
 * unit its `measure`, and no taxes: Odoo would add the company's default sale tax otherwise. Its
 * sales price is 0 (Odoo's default is 1.00): prices live in the plans' price lists, and invoices
 * carry RCP's amounts.
 */
export function toProductRecord(
  billingClass: BillingClass,
  shape: ProductShape,
  refs: ProductRefs,
): DesiredRecord {
  const uom = refs.uomOf(billingClass.measure);
  return {
    xmlid: xmlidOf('product', billingClass.id),
    label: `billing class ${billingClass.name} (${billingClass.id})`,
    values: {
      name: billingClass.name,
      default_code: billingClass.sku_mask?.trim() ? billingClass.sku_mask.trim() : billingClass.id,
      [shape.typeField]: 'service',
      uom_id: uom,
      ...(shape.hasPurchaseUom ? { uom_po_id: uom } : {}),
      ...(refs.categoryId === undefined ? {} : { categ_id: refs.categoryId }),
      sale_ok: true,
      purchase_ok: false,
      taxes_id: [],
      list_price: 0,
    },
  };
}

/** Measures that are Odoo's own "Units". */
export function isPieces(measure: string): boolean {
  return /^(шт\.?|pcs|units?|ед\.?)$/i.test(measure.trim());
}
