import { TAG_XMLIDS, uomCategoryXmlid, uomXmlid } from '../../mappings/external-ids.ts';
import type { DesiredRecord, FieldSpecs } from '../../mappings/odoo-values.ts';
import { isPieces } from '../../mappings/products.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { companyOf, decimalPrecisions } from '../odoo/company.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { type FailedRecord, upsertRecords } from '../odoo/upsert.ts';

/** Odoo's own records the connector points at, by their standard external IDs. */
const STANDARD = {
  unit: 'uom.product_uom_unit',
  categoryAll: 'product.product_category_all',
  /** 19 ships Goods, Services and Expenses instead of one "All". */
  categoryServices: 'product.product_category_services',
  termImmediate: 'account.account_payment_term_immediate',
} as const;

/** Payment terms Odoo's accounting app ships, by days. */
const STANDARD_TERMS: Record<number, string> = {
  0: 'account.account_payment_term_immediate',
  15: 'account.account_payment_term_15days',
  21: 'account.account_payment_term_21days',
  30: 'account.account_payment_term_30days',
  45: 'account.account_payment_term_45days',
};

export interface OdooRefs {
  companyId: number;
  currencyId: number;
  /** 'Product Price' decimal places: what a stored unit price keeps. */
  priceDigits: number;
  /** 'Product Unit of Measure' decimal places: what a stored quantity keeps. */
  quantityDigits: number;
  /** Undefined on a version where products need no category and none is standard. */
  categoryId: number | undefined;
  unitUomId: number;
  paymentTermPrepay: number;
  paymentTermPostpay: number;
  tagPartner: number;
  tagClient: number;
}

/** Finds (and, for the connector's own tags, makes) the Odoo records the mappings refer to. */
export async function loadOdooRefs(
  odoo: OdooClient,
  postpayTermDays: number,
  dryRun = false,
): Promise<OdooRefs> {
  const termXmlid = STANDARD_TERMS[postpayTermDays];
  if (!termXmlid) {
    throw new ConfigError([
      `POSTPAY_TERM_DAYS=${postpayTermDays} has no standard Odoo payment term: use one of ${Object.keys(STANDARD_TERMS).join(', ')}`,
    ]);
  }
  const standard = await externalIds(odoo).resolve([
    STANDARD.unit,
    STANDARD.categoryAll,
    STANDARD.categoryServices,
    STANDARD.termImmediate,
    termXmlid,
  ]);
  const standardId = (xmlid: string, what: string) => {
    const found = standard.get(xmlid);
    if (!found)
      throw new ConfigError([`Odoo has no ${what} (${xmlid}): is the Invoicing/Accounting app installed?`]);
    return found.id;
  };
  const company = await companyOf(odoo);
  const precision = await decimalPrecisions(odoo);
  const tags = await upsertRecords(odoo, {
    kind: 'tag',
    model: 'res.partner.category',
    specs: { name: { type: 'char' } },
    records: [
      { xmlid: TAG_XMLIDS.partner, label: 'tag RCP partner', values: { name: 'RCP partner' } },
      { xmlid: TAG_XMLIDS.client, label: 'tag RCP client', values: { name: 'RCP client' } },
    ],
    dryRun,
  });
  return {
    companyId: company.id,
    currencyId: company.currencyId,
    priceDigits: precision.priceDigits,
    quantityDigits: precision.quantityDigits,
    categoryId:
      standard.get(STANDARD.categoryServices)?.id ??
      (odoo.capabilities.productCategoryRequired
        ? standardId(STANDARD.categoryAll, 'product category "All"')
        : standard.get(STANDARD.categoryAll)?.id),
    unitUomId: standardId(STANDARD.unit, 'unit of measure "Units"'),
    paymentTermPrepay: standardId(STANDARD.termImmediate, 'immediate payment term'),
    paymentTermPostpay: standardId(termXmlid, `${postpayTermDays}-day payment term`),
    tagPartner: tags.ids.get(TAG_XMLIDS.partner) ?? 0,
    tagClient: tags.ids.get(TAG_XMLIDS.client) ?? 0,
  };
}

/**
 * Units of measure for RCP's measures: pieces are Odoo's "Units"; any other measure (ГБ) gets a
 * unit of the connector's own, in a category of its own on 17 and 18 (19 has no categories).
 */
export async function ensureUnits(
  odoo: OdooClient,
  measures: readonly string[],
  refs: OdooRefs,
  dryRun: boolean,
): Promise<{ uomOf: (measure: string) => number; failed: FailedRecord[] }> {
  const own = [...new Set(measures.filter((m) => !isPieces(m)))];
  const ids = new Map<string, number>();
  const failed: FailedRecord[] = [];
  if (own.length > 0) {
    let categoryIds = new Map<string, number>();
    if (odoo.capabilities.hasUomCategory) {
      const categories = await upsertRecords(odoo, {
        kind: 'unit category',
        model: 'uom.category',
        specs: { name: { type: 'char' } },
        records: own.map((m) => ({
          xmlid: uomCategoryXmlid(m),
          label: `unit category ${m}`,
          values: { name: `RCP: ${m}` },
        })),
        dryRun,
      });
      categoryIds = categories.ids;
      failed.push(...categories.failed);
    }
    const specs: FieldSpecs = odoo.capabilities.hasUomCategory
      ? {
          name: { type: 'char' },
          category_id: { type: 'many2one' },
          uom_type: { type: 'selection' },
          factor: { type: 'float' },
          rounding: { type: 'float' },
        }
      : { name: { type: 'char' }, relative_factor: { type: 'float' } };
    const records: DesiredRecord[] = own.map((m) => ({
      xmlid: uomXmlid(m),
      label: `unit ${m}`,
      values: odoo.capabilities.hasUomCategory
        ? {
            name: m,
            category_id: categoryIds.get(uomCategoryXmlid(m)) ?? 0,
            uom_type: 'reference',
            factor: 1,
            rounding: 0.000001,
          }
        : { name: m, relative_factor: 1 },
    }));
    const units = await upsertRecords(odoo, { kind: 'unit', model: 'uom.uom', specs, records, dryRun });
    failed.push(...units.failed);
    for (const m of own) {
      const id = units.ids.get(uomXmlid(m));
      if (id !== undefined) ids.set(m, id);
    }
  }
  return { uomOf: (measure) => (isPieces(measure) ? refs.unitUomId : (ids.get(measure) ?? 0)), failed };
}
