import {
  COUNTERPARTY_FIELDS,
  type CounterpartyRefs,
  toClientRecord,
  toPartnerRecord,
} from '../../mappings/counterparties.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { batchesOf } from '../batches.ts';
import { externalIds } from '../odoo/external-ids.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import type { ProcessDeps } from './deps.ts';
import type { OdooRefs } from './odoo-refs.ts';
import { type UpsertReport, upsertRecords } from './upsert.ts';

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

/** Partners: each RCP partner is a company in Odoo, tagged "RCP partner". */
export function syncPartners(
  deps: ProcessDeps,
  partners: readonly Partner[],
  refs: CounterpartyRefs,
  dryRun: boolean,
): Promise<UpsertReport> {
  return upsertRecords(deps.odoo, {
    kind: 'partner',
    model: 'res.partner',
    specs: COUNTERPARTY_FIELDS,
    records: partners.map((p) => toPartnerRecord(p, refs)),
    dryRun,
    onProgress: (done) => deps.progress?.({ phase: 'partners', done, total: partners.length }),
  });
}

/** Clients: each RCP client is a company in Odoo, tagged "RCP client", on its plan's price list. */
export async function syncClients(
  deps: ProcessDeps,
  clients: readonly Client[],
  refs: CounterpartyRefs,
  dryRun: boolean,
): Promise<UpsertReport> {
  // In slices, so that the Odoo values of 100,000 clients never sit in memory at once.
  const sliceSize = (deps.config.odoo?.batchSize ?? 500) * 10;
  const total: UpsertReport = { created: 0, updated: 0, unchanged: 0, failed: [], ids: new Map(), plan: [] };
  let sliced = 0;
  for (const slice of batchesOf(clients, sliceSize)) {
    const before = sliced;
    sliced += slice.length;
    const part = await upsertRecords(deps.odoo, {
      kind: 'client',
      model: 'res.partner',
      specs: COUNTERPARTY_FIELDS,
      records: slice.map((c) => toClientRecord(c, refs)),
      dryRun,
      onProgress: (done) => deps.progress?.({ phase: 'clients', done: before + done, total: clients.length }),
    });
    total.created += part.created;
    total.updated += part.updated;
    total.unchanged += part.unchanged;
    total.failed.push(...part.failed);
    // The plan is shown for a dry run; ids are not needed after the clients (nothing points at them).
    if (dryRun) total.plan.push(...part.plan);
  }
  return total;
}
