import { xmlidOf } from '../../mappings/external-ids.ts';
import {
  PRICELIST_FIELDS,
  pricePrecisionProblems,
  pricelistItemFields,
  toPricelistItemRecord,
  toPricelistRecord,
} from '../../mappings/pricelists.ts';
import { productFields, toProductRecord } from '../../mappings/products.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConnectorError, messageOf } from '../errors.ts';
import { type PlannedChange, type UpsertReport, upsertRecords } from '../odoo/upsert.ts';
import { describeSkipped } from '../rcp/errors.ts';
import type { Price } from '../rcp/schemas.ts';
import { type OdooRefs, ensureUnits } from './odoo-refs.ts';

export interface PlanRef {
  id: string;
  name: string;
}

export interface TariffsReport {
  products: UpsertReport;
  pricelists: UpsertReport;
  items: UpsertReport;
  failed: FailedRecord[];
  warnings: string[];
  plan: PlannedChange[];
}

/**
 * Tariffs: billing classes become service products, billing plans price lists with one fixed
 * price per class. Prices are sent as RCP states them; when Odoo's 'Product Price' precision
 * would round some, the run says so (the invoices never rely on stored unit prices).
 */
export async function syncTariffs(
  deps: ProcessDeps,
  plans: readonly PlanRef[],
  refs: OdooRefs,
  dryRun: boolean,
): Promise<TariffsReport> {
  const { rcp, odoo } = deps;
  const failed: FailedRecord[] = [];
  const pricesByPlan = new Map<string, Price[]>();
  await rcp.fanOut(plans, async (plan) => {
    let read: Awaited<ReturnType<typeof rcp.prices>>;
    try {
      read = await rcp.prices(plan.id);
    } catch (error) {
      // One plan's prices unreadable (429 with a long Retry-After, 503 after the retries): that plan's
      // prices stay as they are in Odoo and are named; the other plans and the counterparties go on.
      if (!(error instanceof ConnectorError)) throw error;
      failed.push({
        kind: 'price list',
        record: `prices of plan ${plan.name} (${plan.id})`,
        error: `not read, left as they are in Odoo: ${messageOf(error)}`,
      });
      return;
    }
    const { items, skipped } = read;
    pricesByPlan.set(plan.id, items);
    for (const s of skipped)
      failed.push({
        kind: 'price',
        record: `price ${s.id ?? ''} of plan ${plan.name}`,
        error: describeSkipped(s),
      });
  });
  const allPrices = [...pricesByPlan.values()].flat();

  const classes = new Map(allPrices.map((p) => [p.billing_class.id, p.billing_class]));
  const units = await ensureUnits(
    odoo,
    [...classes.values()].map((c) => c.measure),
    refs,
    dryRun,
  );
  failed.push(...units.failed);
  const shape = {
    typeField: odoo.capabilities.productTypeField,
    hasPurchaseUom: odoo.capabilities.hasPurchaseUom,
  };
  const products = await upsertRecords(odoo, {
    kind: 'product',
    model: 'product.product',
    specs: productFields(shape),
    records: [...classes.values()].map((c) =>
      toProductRecord(c, shape, { uomOf: units.uomOf, categoryId: refs.categoryId }),
    ),
    dryRun,
  });

  const pricelists = await upsertRecords(odoo, {
    kind: 'price list',
    model: 'product.pricelist',
    specs: PRICELIST_FIELDS,
    records: plans.map((plan) => toPricelistRecord(plan, refs.currencyId)),
    dryRun,
  });

  const itemRecords = [];
  for (const [planId, prices] of pricesByPlan) {
    const pricelistId = pricelists.ids.get(xmlidOf('pricelist', planId));
    for (const price of prices) {
      const productId = products.ids.get(xmlidOf('product', price.billing_class.id));
      if (pricelistId !== undefined && productId !== undefined) {
        itemRecords.push(toPricelistItemRecord(price, pricelistId, productId));
      }
    }
  }
  const items = await upsertRecords(odoo, {
    kind: 'price',
    model: 'product.pricelist.item',
    specs: pricelistItemFields(refs.priceDigits),
    records: itemRecords,
    dryRun,
  });

  const warnings: string[] = [];
  const imprecise = pricePrecisionProblems(allPrices, refs.priceDigits);
  if (imprecise.length > 0) {
    const needs = Math.max(...imprecise.map((p) => p.needs));
    warnings.push(
      `${imprecise.length} price(s) need ${needs} decimal places but Odoo keeps ${refs.priceDigits} ('Product Price' precision), e.g. ${imprecise[0]?.price.billing_class.id} = ${imprecise[0]?.price.cost}: price lists show them rounded (invoices are exact anyway). To show them exactly, raise Settings → Technical → Decimal Accuracy → Product Price to ${needs}.`,
    );
  }
  return {
    products,
    pricelists,
    items,
    failed: [...failed, ...products.failed, ...pricelists.failed, ...items.failed],
    warnings,
    plan: [...products.plan, ...pricelists.plan, ...items.plan],
  };
}
