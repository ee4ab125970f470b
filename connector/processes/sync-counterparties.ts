import {
  COUNTERPARTY_FIELDS,
  type CounterpartyRefs,
  toClientRecord,
  toPartnerRecord,
} from '../../mappings/counterparties.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import type { DesiredRecord } from '../../mappings/odoo-values.ts';
import type { ProcessDeps } from '../deps.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { type UpsertReport, upsertRecords } from '../odoo/upsert.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import type { CounterpartyBook, CounterpartyKind } from '../workspace/counterparties.ts';
import type { OdooRefs } from './odoo-refs.ts';

/** The price list of each billing plan that has been synced, found by external ID in one go. */
export async function counterpartyRefs(
  deps: ProcessDeps,
  planIds: readonly string[],
  refs: OdooRefs,
): Promise<CounterpartyRefs> {
  const found = await externalIds(deps.odoo).resolve(planIds.map((id) => xmlidOf('pricelist', id)));
  return {
    tagPartner: refs.tagPartner,
    tagClient: refs.tagClient,
    paymentTermPrepay: refs.paymentTermPrepay,
    paymentTermPostpay: refs.paymentTermPostpay,
    pricelistOf: (planId) => found.get(xmlidOf('pricelist', planId))?.id,
  };
}

/**
 * What the connector owns on a company an accountant chose: tag (added), reference, price list,
 * payment term (only the tag when several RCP records share the company).
 */
const OWNED_FIELDS = {
  ref: COUNTERPARTY_FIELDS.ref,
  property_product_pricelist: COUNTERPARTY_FIELDS.property_product_pricelist,
  property_payment_term_id: COUNTERPARTY_FIELDS.property_payment_term_id,
} as const;

/**
 * Companies of one kind, as the workspace's counterparties say: those waiting to be matched are
 * not written; those an accountant chose get only what the connector owns, and its tag added to
 * theirs; the others are written in full.
 */
async function upsertCompanies(
  deps: ProcessDeps,
  kind: CounterpartyKind,
  records: ReadonlyArray<{ rcpId: string; record: DesiredRecord }>,
  dryRun: boolean,
  book: CounterpartyBook | undefined,
  onProgress: (done: number) => void,
): Promise<UpsertReport> {
  const written = book ? records.filter((r) => book.writes(kind, r.rcpId)) : records;
  const kept = book ? written.filter((r) => book.keepsDetails(kind, r.rcpId)) : [];
  const keptIds = new Set(kept.map((r) => r.rcpId));
  const full = written.filter((r) => !keptIds.has(r.rcpId));
  const report = await upsertRecords(deps.odoo, {
    kind,
    model: 'res.partner',
    specs: COUNTERPARTY_FIELDS,
    records: full.map((r) => r.record),
    dryRun,
    onProgress,
  });
  if (kept.length === 0) return report;
  const withRef = kept.filter((r) => !book?.shared(kind, r.rcpId));
  const withoutRef = kept.filter((r) => book?.shared(kind, r.rcpId));
  const groups: Array<[typeof kept, string[]]> = [
    [withRef, Object.keys(OWNED_FIELDS)],
    // A company several RCP records share: their contracts may differ (plan, payment model), so
    // the sync adds its tag and leaves reference, price list and payment term to the accountant.
    [withoutRef, []],
  ];
  for (const [group, fields] of groups) {
    if (group.length === 0) continue;
    const specs = Object.fromEntries(
      fields.map((f) => [f, COUNTERPARTY_FIELDS[f as keyof typeof OWNED_FIELDS]]),
    );
    const part = await upsertRecords(deps.odoo, {
      kind,
      model: 'res.partner',
      specs: specs as typeof COUNTERPARTY_FIELDS,
      records: group.map(({ record }) => ({
        ...record,
        values: Object.fromEntries(Object.entries(record.values).filter(([f]) => fields.includes(f))),
      })),
      dryRun,
    });
    report.created += part.created;
    report.updated += part.updated;
    report.unchanged += part.unchanged;
    report.failed.push(...part.failed);
    report.plan.push(...part.plan);
    for (const [xmlid, id] of part.ids) report.ids.set(xmlid, id);
  }
  // The connector's tag is added to the company's own tags, never put in their place.
  const tagged = kept.flatMap(({ record }) => {
    const id = report.ids.get(record.xmlid);
    const tags = record.values.category_id;
    return id !== undefined && Array.isArray(tags) ? [{ id, tags: tags as number[] }] : [];
  });
  if (!dryRun && tagged.length > 0) {
    const current = new Map(
      (
        await deps.odoo.read<{ id: number; category_id: number[] }>(
          'res.partner',
          tagged.map((t) => t.id),
          ['category_id'],
        )
      ).map((row) => [row.id, row.category_id]),
    );
    for (const { id, tags } of tagged) {
      const missing = tags.filter((t) => !(current.get(id) ?? []).includes(t));
      if (missing.length > 0)
        await deps.odoo.write('res.partner', [id], { category_id: missing.map((t) => [4, t]) });
    }
  }
  return report;
}

/**
 * The companies of a slice of RCP records with that slice's book: each RCP partner is a company in
 * Odoo tagged "RCP partner", each client one tagged "RCP client", on its plan's price list. A slice
 * holds one kind (the sync writes partners, then clients slice by slice).
 */
export function syncCompanies(
  deps: ProcessDeps,
  kind: CounterpartyKind,
  slice: { partners: readonly Partner[]; clients: readonly Client[] },
  refs: CounterpartyRefs,
  dryRun: boolean,
  book: CounterpartyBook | undefined,
  onProgress: (done: number) => void,
): Promise<UpsertReport> {
  const records =
    kind === 'partner'
      ? slice.partners.map((p) => ({ rcpId: p.id, record: toPartnerRecord(p, refs) }))
      : slice.clients.map((c) => ({ rcpId: c.id, record: toClientRecord(c, refs) }));
  return upsertCompanies(deps, kind, records, dryRun, book, onProgress);
}
