import { heldAtOnce } from '../batches.ts';
import type { FailedRecord, KindCounts, ProcessDeps } from '../deps.ts';
import type { PlannedChange, UpsertReport } from '../odoo/upsert.ts';
import type { SpilledList } from '../rcp/listing.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import {
  type CounterpartyKind,
  counterpartyWriter,
  hasCounterparties,
  prepareCounterparties,
} from '../workspace/counterparties.ts';
import { loadOdooRefs } from './odoo-refs.ts';
import { contactPricelists } from './pricelist-feature.ts';
import { readPartners, spillClients } from './rcp-read.ts';
import { runCost } from './run-cost.ts';
import { counterpartyRefs, syncCompanies } from './sync-counterparties.ts';
import { type PlanRef, syncTariffs } from './sync-tariffs.ts';

export type SyncWhat = 'partners' | 'clients' | 'tariffs' | 'all';

export interface SyncInput {
  what: SyncWhat;
  /** Only this RCP partner, its clients and their plans. */
  partner?: string | undefined;
  dryRun?: boolean | undefined;
  /** Clients per slice (their book, companies and counterparty records); ten Odoo batches unless given. */
  sliceSize?: number | undefined;
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
  const cost = runCost(deps);
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
  const clients = needClients ? await spillClients(deps.rcp, input.partner) : undefined;
  try {
    report.failed.push(...(clients?.failed ?? []));
    await syncRead(deps, input, report, record, partners.items, clients?.list);
  } finally {
    await clients?.list.dispose();
  }
  return Object.assign(report, cost());
}

/** The sync of what was read from RCP: price lists, then partners, then clients slice by slice. */
async function syncRead(
  deps: ProcessDeps,
  input: SyncInput,
  report: SyncReport,
  record: (kind: string, result: UpsertReport) => void,
  partners: readonly Partner[],
  clients: SpilledList<Client> | undefined,
): Promise<void> {
  const dryRun = input.dryRun ?? false;
  // In slices, so that the Odoo values of 100,000 clients never sit in memory at once.
  const sliceSize = input.sliceSize ?? heldAtOnce(deps.odoo.config.batchSize);

  const refs = await loadOdooRefs(deps.odoo, deps.config.invoicing.postpayTermDays, dryRun);
  const plans = new Map<string, PlanRef>();
  for (const p of partners) if (p.contract) plans.set(p.contract.billing_plan.id, p.contract.billing_plan);
  for await (const slice of clients?.slices(sliceSize) ?? [])
    for (const c of slice) plans.set(c.contract.billing_plan.id, c.contract.billing_plan);

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
  // RCP → Counterparties: the links accountants chose are applied before a company is written,
  // slice by slice (a book and its writes hold one slice of clients, never all of them).
  const withPartners = input.what === 'partners' || input.what === 'all';
  const withClients = input.what === 'clients' || input.what === 'all';
  const workspace = (withPartners || withClients) && (await hasCounterparties(deps.odoo));
  if (!workspace && deps.config.newCounterparties === 'match' && (withPartners || withClients)) {
    report.warnings.push(
      'SYNC_NEW_COUNTERPARTIES=match needs the RCP workspace (`rcp-odoo setup`): new counterparties get a company',
    );
  }
  const writer = workspace && !dryRun ? await counterpartyWriter(deps) : undefined;
  const links = { applied: 0, waiting: 0 };
  let companies = blankReport();
  const records = blankReport();
  /** One slice: its book, its companies, its counterparty records. */
  const syncSlice = async (
    kind: CounterpartyKind,
    slice: { partners: readonly Partner[]; clients: readonly Client[] },
    offset: number,
    total: number,
  ) => {
    const book = workspace
      ? await prepareCounterparties(
          deps,
          [
            ...slice.partners.map((p) => ({ kind: 'partner' as const, rcpId: p.id })),
            ...slice.clients.map((c) => ({ kind: 'client' as const, rcpId: c.id })),
          ],
          dryRun,
        )
      : undefined;
    links.applied += book?.applied ?? 0;
    links.waiting += book?.waiting ?? 0;
    const progress = (done: number) => deps.progress?.({ phase: `${kind}s`, done: offset + done, total });
    const result = await syncCompanies(deps, kind, slice, cpRefs, dryRun, book, progress);
    addUp(companies, result, dryRun);
    if (book && writer) addUp(records, await writer.write(book, { ...slice, companyIds: result.ids }), false);
  };
  if (withPartners) {
    await syncSlice('partner', { partners, clients: [] }, 0, partners.length);
    record('partner', companies);
    companies = blankReport();
  }
  if (withClients && clients) {
    let offset = 0;
    for await (const slice of clients.slices(sliceSize)) {
      await syncSlice('client', { partners: [], clients: slice }, offset, clients.size);
      offset += slice.length;
    }
    record('client', companies);
  }
  if (writer) record('counterparty record', records);
  if (links.applied > 0)
    report.warnings.push(`${links.applied} link(s) chosen in RCP → Counterparties applied`);
  if (links.waiting > 0)
    report.warnings.push(
      `${links.waiting} RCP partner(s)/client(s) wait to be linked in RCP → Counterparties (no company made for them)`,
    );
}

/** Upsert reports added up over slices: counts and failures, the plan only for a dry run, no ids. */
function blankReport(): UpsertReport {
  return { created: 0, updated: 0, unchanged: 0, failed: [], ids: new Map(), plan: [] };
}

function addUp(sum: UpsertReport, part: UpsertReport, withPlan: boolean): void {
  sum.created += part.created;
  sum.updated += part.updated;
  sum.unchanged += part.unchanged;
  sum.failed.push(...part.failed);
  if (withPlan) sum.plan.push(...part.plan);
}
