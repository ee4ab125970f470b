import type { FailedRecord, KindCounts, ProcessDeps } from '../deps.ts';
import type { PlannedChange, UpsertReport } from '../odoo/upsert.ts';
import {
  type CounterpartyBook,
  hasCounterparties,
  prepareCounterparties,
  writeCounterparties,
} from '../workspace/counterparties.ts';
import { loadOdooRefs } from './odoo-refs.ts';
import { contactPricelists } from './pricelist-feature.ts';
import { readClients, readPartners } from './rcp-read.ts';
import { counterpartyRefs, syncClients, syncPartners } from './sync-counterparties.ts';
import { type PlanRef, syncTariffs } from './sync-tariffs.ts';

export type SyncWhat = 'partners' | 'clients' | 'tariffs' | 'all';

export interface SyncInput {
  what: SyncWhat;
  /** Only this RCP partner, its clients and their plans. */
  partner?: string | undefined;
  dryRun?: boolean | undefined;
}

export interface SyncReport {
  dryRun: boolean;
  counts: Record<string, KindCounts>;
  failed: FailedRecord[];
  warnings: string[];
  plan: PlannedChange[];
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
}

/**
 * The sync (companies, products, price lists) in the order their links need: price lists first (clients point at them),
 * then partners, then clients. A failed record is reported and the rest go on.
 */
export async function syncMasterData(deps: ProcessDeps, input: SyncInput): Promise<SyncReport> {
  const started = Date.now();
  const roundTripsBefore = deps.odoo.stats.roundTrips;
  const rcpBefore = deps.rcp.stats.requests;
  const dryRun = input.dryRun ?? false;
  const report: SyncReport = {
    dryRun,
    counts: {},
    failed: [],
    warnings: [],
    plan: [],
    odooRoundTrips: 0,
    rcpRequests: 0,
    seconds: 0,
  };
  const record = (kind: string, result: UpsertReport) => {
    report.counts[kind] = {
      created: result.created,
      updated: result.updated,
      unchanged: result.unchanged,
      failed: result.failed.length,
    };
    report.failed.push(...result.failed);
    report.plan.push(...result.plan);
  };

  const partners = await readPartners(deps.rcp, input.partner);
  report.failed.push(...partners.failed);
  const needClients = input.what !== 'partners';
  const clients = needClients ? await readClients(deps.rcp, input.partner) : { items: [], failed: [] };
  report.failed.push(...clients.failed);

  const refs = await loadOdooRefs(deps.odoo, deps.config.invoicing.postpayTermDays, dryRun);
  const plans = new Map<string, PlanRef>();
  for (const p of partners.items)
    if (p.contract) plans.set(p.contract.billing_plan.id, p.contract.billing_plan);
  for (const c of clients.items) plans.set(c.contract.billing_plan.id, c.contract.billing_plan);

  if (input.what === 'tariffs' || input.what === 'all') {
    const tariffs = await syncTariffs(deps, [...plans.values()], refs, dryRun);
    record('product', tariffs.products);
    record('price list', tariffs.pricelists);
    record('price', tariffs.items);
    // Upsert failures are counted and listed by `record`; the rest (prices RCP sent broken or not at all) here.
    const recorded = new Set([
      ...tariffs.products.failed,
      ...tariffs.pricelists.failed,
      ...tariffs.items.failed,
    ]);
    report.failed.push(...tariffs.failed.filter((f) => !recorded.has(f)));
    report.warnings.push(...tariffs.warnings);
  }
  const cpRefs = await counterpartyRefs(deps, [...plans.keys()], refs);
  const pricelists = input.what === 'tariffs' ? undefined : await contactPricelists(deps.odoo);
  if (pricelists && !pricelists.stored) {
    report.warnings.push(pricelists.why);
    cpRefs.pricelistOf = () => undefined;
  }
  // RCP → Counterparties: the links accountants chose are applied before any company is written.
  const withPartners = input.what === 'partners' || input.what === 'all';
  const withClients = input.what === 'clients' || input.what === 'all';
  let book: CounterpartyBook | undefined;
  if ((withPartners || withClients) && (await hasCounterparties(deps.odoo))) {
    book = await prepareCounterparties(
      deps,
      [
        ...(withPartners
          ? partners.items.map((p) => ({
              kind: 'partner' as const,
              rcpId: p.id,
              label: `partner ${p.name} (${p.id})`,
            }))
          : []),
        ...(withClients
          ? clients.items.map((c) => ({
              kind: 'client' as const,
              rcpId: c.id,
              label: `client ${c.name} (${c.id})`,
            }))
          : []),
      ],
      dryRun,
    );
    if (book.applied > 0)
      report.warnings.push(`${book.applied} link(s) chosen in RCP → Counterparties applied`);
    if (book.waiting.length > 0)
      report.warnings.push(
        `${book.waiting.length} RCP partner(s)/client(s) wait to be linked in RCP → Counterparties (no company made for them)`,
      );
  } else if (deps.config.newCounterparties === 'match' && (withPartners || withClients)) {
    report.warnings.push(
      'SYNC_NEW_COUNTERPARTIES=match needs the RCP workspace (`rcp-odoo setup`): new counterparties get a company',
    );
  }
  const companyIds = new Map<string, number>();
  if (withPartners) {
    const result = await syncPartners(deps, partners.items, cpRefs, dryRun, book);
    record('partner', result);
    for (const [xmlid, id] of result.ids) companyIds.set(xmlid, id);
  }
  if (withClients) {
    const result = await syncClients(deps, clients.items, cpRefs, dryRun, book);
    record('client', result);
    for (const [xmlid, id] of result.ids) companyIds.set(xmlid, id);
  }
  if (book && !dryRun) {
    const written = await writeCounterparties(deps, book, {
      partners: withPartners ? partners.items : [],
      clients: withClients ? clients.items : [],
      companyIds,
    });
    record('counterparty record', written);
  }
  report.odooRoundTrips = deps.odoo.stats.roundTrips - roundTripsBefore;
  report.rcpRequests = deps.rcp.stats.requests - rcpBefore;
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}
