import { type DraftChange, summarizeDraftChanges } from '../../mappings/draft-changes.ts';
import { invoiceXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import {
  type InputProblems,
  addProblem,
  brokenDirectClients,
  noInputProblems,
  problemsOfUnit,
} from '../../mappings/invoice-inputs.ts';
import {
  type InvoicePlan,
  type PlanPrice,
  type UsageOfClient,
  planInvoiceLines,
  priceAsCharged,
  repriceForPartner,
} from '../../mappings/invoice-lines.ts';
import {
  type InvoicedCounterparty,
  chunksOf,
  counterpartyBook,
  invoicedCounterparties,
  selectUnits,
} from '../../mappings/invoiced-counterparties.ts';
import { rowLister } from '../../mappings/listed-rows.ts';
import { formatRubles } from '../../mappings/money.ts';
import { periodRange, periodState } from '../../mappings/period.ts';
import { implausibilitiesOf, usageRowName } from '../../mappings/usage-plausibility.ts';
import { heldAtOnce } from '../batches.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConfigError, messageOf } from '../errors.ts';
import { companyOf } from '../odoo/company.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { type SkippedRecord, describeSkipped } from '../rcp/errors.ts';
import type { SpilledList } from '../rcp/listing.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import { say } from '../workspace/run-rules.ts';
import { mergeFailures } from './failures.ts';
import { requireSaleTaxes } from './invoice-taxes.ts';
import type { InvoiceDraft, InvoiceOutcome, InvoiceResult } from './invoice-types.ts';
import { unitsOnDisk } from './invoice-units.ts';
import { type KnownUsage, knownUsageOf, unlistedInvoicesOf } from './odoo-known.ts';
import { type OdooRefs, loadOdooRefs } from './odoo-refs.ts';
import { readClients, readPartners, spillClients } from './rcp-read.ts';
import { runCost } from './run-cost.ts';
import { writeInvoices } from './write-invoices.ts';
import { hasInvoiceWorkspace } from './write-invoices/usage.ts';

export interface InvoiceInput {
  period: string;
  /** Invoice exactly these counterparties (a job per counterparty) instead of finding them in RCP. */
  units?: InvoicedCounterparty[] | undefined;
  /** Odoo's reference ids and precisions, when the caller already has them (the worker, per counterparty). */
  context?: InvoiceContext | undefined;
  /** What could not be read among the inputs of `units` (found while choosing them). */
  problems?: InputProblems | undefined;
  /** The period's clients Odoo knows, when the run has read them all while choosing `units`. */
  knownUsage?: readonly KnownUsage[] | undefined;
  partner?: string | undefined;
  client?: string | undefined;
  /** Only these counterparties (RCP ids of partners or clients): a retry of a run's failed records. */
  only?: readonly string[] | undefined;
  dryRun?: boolean | undefined;
  /** Rewrite drafts an accountant changed in Odoo since the connector wrote them (else they are reported). */
  force?: boolean | undefined;
  /** Invoice the current (still open) month or a future one: a provisional, short draft. */
  allowOpenPeriod?: boolean | undefined;
  /**
   * The states of the period's invoices in Odoo compared with RCP's lists (clients gone from them):
   * drafts for a run that writes; reconcile compares posted ones too.
   */
  knownStates?: readonly string[] | undefined;
}

export type { InvoiceDraft, InvoiceOutcome, InvoiceResult };

export interface InvoiceReport {
  period: string;
  dryRun: boolean;
  /**
   * The invoices one by one: every exception (failed, left posted, cancelled or edited), and the
   * first LISTED_ROUTINE routine ones (created, updated, unchanged, no usage); `outcomes` counts all.
   */
  invoices: InvoiceResult[];
  /** Every invoice's outcome counted, listed in `invoices` or not. */
  outcomes: Partial<Record<InvoiceOutcome, number>>;
  /** Every Odoo invoice of the run (written, or found as it should be), listed or not. */
  moveIds: number[];
  /** Routine invoices counted in `outcomes` but not listed in `invoices`. */
  unlisted?: number;
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
  /** Things the person running it should know that are not a failed record (one line each). */
  warnings?: string[];
  /** Each existing draft a changed setting changes (taxes, journal, invoice date, own partners). */
  draftChanges?: DraftChange[];
  /**
   * Counterparties (uuids) whose invoice another live run holds (its claim in Odoo): also in
   * `failed`, for a person; a queued job comes back to them later instead of failing.
   */
  busy?: string[];
  /** The same, one line per kind of change with counts: `taxes: VAT 22 % → no tax on 15 drafts`. */
  changes?: string[];
}

/**
 * Invoicing: a month of usage becomes one draft invoice per invoiced counterparty. Usage is
 * read per client with bounded concurrency and clipped to the month; resellers are re-priced at
 * their own plan; invoices are written in batches and read back to the kopeck.
 */
export async function invoicePeriod(deps: ProcessDeps, input: InvoiceInput): Promise<InvoiceReport> {
  const cost = runCost(deps);
  const dryRun = input.dryRun ?? false;
  const report: InvoiceReport = {
    period: input.period,
    dryRun,
    invoices: [],
    outcomes: {},
    moveIds: [],
    failed: [],
    odooRoundTrips: 0,
    rcpRequests: 0,
    seconds: 0,
  };
  const tally = tallyOf(report);

  // Counterparties go in chunks of about ten batches of clients, so memory holds one chunk's usage at a time.
  if (!input.units) refuseOpenPeriod(deps, input);
  const toInvoice = input.units
    ? unitsInMemory(deps, input.units, input.problems ?? noInputProblems(), input.knownUsage)
    : await unitsToInvoice(deps, input, report, input.period);
  try {
    await invoiceChunks(deps, input, report, toInvoice, tally);
  } finally {
    await toInvoice.dispose();
  }
  tally();
  report.failed = mergeFailures(report.failed);
  return Object.assign(report, cost());
}

/** Each chunk of counterparties prepared and written, the report and progress told as it goes. */
async function invoiceChunks(
  deps: ProcessDeps,
  input: InvoiceInput,
  report: InvoiceReport,
  { chunks, clients, counterparties, problems, known }: UnitsToInvoice,
  /** Counts the rows added to the report, and lists the routine ones only up to LISTED_ROUTINE. */
  tally: () => void,
): Promise<void> {
  const dryRun = input.dryRun ?? false;
  const context = input.context ?? (await invoiceContext(deps));
  if (!context.workspace && !dryRun) report.warnings = [NO_WORKSPACE];
  // Usage is read chunk by chunk; the progress of reading it counts over all of them.
  let usageRead = 0;
  const reading: ProcessDeps = {
    ...deps,
    progress: deps.progress && (() => deps.progress?.({ phase: 'usage', done: ++usageRead, total: clients })),
  };
  let done = 0;
  const draftChanges: DraftChange[] = [];
  for await (const chunk of chunks) {
    const { drafts, refs } = await prepareInvoices(
      reading,
      { ...input, units: chunk, problems, knownUsage: known },
      report,
      context,
    );
    const written = await writeInvoices(deps, drafts, {
      period: input.period,
      dryRun,
      force: input.force ?? false,
      workspace: context.workspace ?? false,
      refs,
    });
    // Lines are shown for a dry run; after a real run they are in Odoo.
    report.invoices.push(...(dryRun ? written.results : written.results.map((r) => ({ ...r, lines: [] }))));
    report.failed.push(...written.failed);
    if (written.busy?.length) {
      report.busy ??= [];
      report.busy.push(...written.busy);
    }
    draftChanges.push(...written.changes);
    tally();
    done += chunk.length;
    deps.progress?.({ phase: 'invoices', done, total: counterparties });
  }
  if (draftChanges.length > 0) {
    report.draftChanges = draftChanges;
    report.changes = summarizeDraftChanges(draftChanges);
  }
}

const ROUTINE: ReadonlySet<InvoiceOutcome> = new Set([
  'created',
  'updated',
  'unchanged',
  'no usage',
  'would create',
  'would update',
]);

/** Counts each row added to `report.invoices` since the last call, keeping the routine ones up to LISTED_ROUTINE. */
function tallyOf(report: InvoiceReport): () => void {
  let counted = 0;
  const list = rowLister(report, report.invoices, ROUTINE);
  return () => {
    const fresh = report.invoices.splice(counted);
    for (const row of fresh) {
      if (row.odooId) report.moveIds.push(row.odooId);
      list(row);
    }
    counted = report.invoices.length;
  };
}

/**
 * Everything before writing: who is invoiced, their usage (clipped to the month), re-pricing, the
 * lines, and the Odoo ids they point at. Writes nothing; `reconcile` uses it too.
 */
async function prepareInvoices(
  deps: ProcessDeps,
  input: InvoiceInput & { units: InvoicedCounterparty[] },
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
  context?: InvoiceContext,
): Promise<{ drafts: InvoiceDraft[]; refs: OdooRefs }> {
  const { units } = input;
  const problems = input.problems ?? noInputProblems();
  const known = input.knownUsage;
  const usage = await readUsage(deps, units, input.period, problems);
  const partnerPrices = await readPlanPrices(deps, units, problems);
  checkUsage(units, usage, partnerPrices, problems);
  const maxKopecks = deps.config.invoicing.maxAmountKopecks;

  const { refs, precision } = context ?? (await invoiceContext(deps));
  const drafts: InvoiceDraft[] = [];
  const xmlids = units.flatMap((u) => [xmlidOf(u.kind, u.uuid)]);
  const classIds = new Set<string>();
  for (const rows of usage.values()) for (const r of rows.rows) classIds.add(r.billing_class.id);
  const found = await externalIds(deps.odoo).resolve([
    ...xmlids,
    ...[...classIds].map((c) => xmlidOf('product', c)),
  ]);

  await noteClientsGoneFromLists(deps, input.period, units, found, problems, input.knownStates, known);

  for (const unit of units) {
    const result = (outcome: InvoiceOutcome, totalKopecks = 0, error?: string): InvoiceResult => ({
      counterparty: unit.name,
      kind: unit.kind,
      uuid: unit.uuid,
      outcome,
      totalKopecks,
      lines: [],
      ...(error ? { error } : {}),
    });
    const fail = (error: string, totalKopecks = 0) => {
      report.invoices.push(result('failed', totalKopecks, error));
      report.failed.push({ kind: 'invoice', record: `${unit.kind} ${unit.name} (${unit.uuid})`, error });
    };
    // Any input missing or broken: no new or updated invoice this run, every reason named.
    const reasons = problemsOfUnit(unit, problems);
    if (reasons.length > 0) {
      fail(`not invoiced, RCP's data for it is incomplete: ${reasons.join('; ')}`);
      continue;
    }
    const unitUsage: UsageOfClient[] = unit.clients.flatMap((c) => {
      const u = usage.get(c.id);
      return u ? [u] : [];
    });
    let rows: ReturnType<typeof priceAsCharged>;
    if (unit.kind === 'client') rows = priceAsCharged(unitUsage);
    else {
      const prices = unit.partnerPlanId ? partnerPrices.get(unit.partnerPlanId) : undefined;
      const repriced = repriceForPartner(unitUsage, prices ?? new Map());
      if (repriced.problems.length > 0) {
        const named = repriced.problems
          .map((p) => `${p.billingClassId} (client ${p.clientName}, ${p.clientId})`)
          .join('; ');
        const error = `no price in partner ${unit.name}'s plan for ${named}: the invoice was not made`;
        report.invoices.push(result('failed', 0, error));
        report.failed.push({ kind: 'invoice', record: `partner ${unit.name} (${unit.uuid})`, error });
        continue;
      }
      rows = repriced.rows;
    }
    const plan = planInvoiceLines(rows, input.period, precision);
    if (plan.lines.length === 0) {
      report.invoices.push(result('no usage'));
      continue;
    }
    if (plan.totalKopecks > maxKopecks) {
      fail(
        `not invoiced: its total ${formatRubles(plan.totalKopecks)} ₽ is above INVOICE_MAX_AMOUNT ${formatRubles(maxKopecks)} ₽, too much to be plausible; check its usage in RCP, and raise INVOICE_MAX_AMOUNT if the amount is right`,
        plan.totalKopecks,
      );
      continue;
    }
    const partner = found.get(xmlidOf(unit.kind, unit.uuid));
    const missingProducts = plan.lines
      .filter((l) => !found.has(xmlidOf('product', l.billingClassId)))
      .map((l) => l.billingClassId);
    const problem = !partner
      ? `${unit.kind} ${unit.name} is not in Odoo yet: run \`rcp-odoo sync all\` first`
      : missingProducts.length > 0
        ? `billing class(es) ${[...new Set(missingProducts)].join(', ')} not in Odoo yet: run \`rcp-odoo sync tariffs\` first`
        : undefined;
    if (problem || !partner) {
      const error = problem ?? 'not in Odoo';
      report.invoices.push(result('failed', plan.totalKopecks, error));
      report.failed.push({ kind: 'invoice', record: `${unit.kind} ${unit.name} (${unit.uuid})`, error });
      continue;
    }
    drafts.push({
      counterparty: unit,
      xmlid: invoiceXmlid(input.period, unit.kind, unit.uuid),
      plan,
      partnerId: partner.id,
      productIds: new Map(
        [...classIds].flatMap((c) => {
          const product = found.get(xmlidOf('product', c));
          return product ? [[c, product.id] as const] : [];
        }),
      ),
    });
  }

  return { drafts, refs };
}

/**
 * `prepareInvoices` over every invoiced counterparty of the period, a chunk at a time (about ten
 * batches of clients each), so that the usage and lines of 100,000 clients never sit in memory at
 * once: the counterparties are listed once, their drafts prepared and given chunk by chunk.
 */
export async function* prepareInvoicesInChunks(
  deps: ProcessDeps,
  input: InvoiceInput,
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
): AsyncGenerator<{ drafts: InvoiceDraft[]; refs: OdooRefs }> {
  const { chunks, problems, dispose } = await unitsToInvoice(deps, input, report, input.period);
  try {
    const context = input.context ?? (await invoiceContext(deps));
    for await (const chunk of chunks)
      yield await prepareInvoices(deps, { ...input, units: chunk, problems }, report, context);
  } finally {
    await dispose();
  }
}

const NO_WORKSPACE =
  'the RCP workspace is not set up in this Odoo: no usage records were written, and this run was not claimed in Odoo (run `rcp-odoo setup` as an Odoo administrator)';

export interface InvoiceContext {
  refs: OdooRefs;
  precision: { quantityDigits: number; priceDigits: number };
  /** Whether `rcp-odoo setup` made the RCP workspace (claims, usage records) in this Odoo. */
  workspace?: boolean | undefined;
}

export async function invoiceContext(deps: ProcessDeps): Promise<InvoiceContext> {
  const refs = await loadOdooRefs(deps.odoo, deps.config.invoicing.postpayTermDays, true);
  if (deps.config.invoicing.taxIds.length > 0)
    await requireSaleTaxes(deps.odoo, deps.config.invoicing.taxIds, await companyOf(deps.odoo));
  const stored = await lineDigits(deps);
  const workspace = await hasInvoiceWorkspace(deps.odoo);
  return {
    refs,
    precision: {
      quantityDigits: stored.quantity ?? refs.quantityDigits,
      priceDigits: stored.price ?? refs.priceDigits,
    },
    workspace,
  };
}

/** Odoo 19 stores an invoice line's unit price as sent (`price_unit` has no digits): plan with these. */
const UNROUNDED_PRICE_DIGITS = 12;

/**
 * The decimal places an invoice line's quantity and unit price are stored with, as `fields_get`
 * says (any user may call it; `decimal.precision` needs Administration / Settings, so a
 * least-privileged user read 2 and sent lines as 1 × amount needlessly). Undefined where not said.
 */
async function lineDigits(deps: ProcessDeps): Promise<{ quantity?: number; price?: number }> {
  let fields: Record<string, Record<string, unknown>>;
  try {
    fields = await deps.odoo.fieldsGet('account.move.line', ['digits']);
  } catch (error) {
    if (error instanceof OdooError && !error.retryable) return {};
    throw error;
  }
  const digitsOf = (field: string): number | undefined => {
    const digits = fields[field]?.digits;
    if (Array.isArray(digits) && typeof digits[1] === 'number') return digits[1];
    return digits === false && field === 'price_unit' ? UNROUNDED_PRICE_DIGITS : undefined;
  };
  const quantity = digitsOf('quantity');
  const price = digitsOf('price_unit');
  return { ...(quantity !== undefined ? { quantity } : {}), ...(price !== undefined ? { price } : {}) };
}

/** Clients per chunk of a run: about ten batches, what memory holds of the usage and lines at once. */
function chunkClients(deps: ProcessDeps): number {
  return heldAtOnce(deps.odoo.config.batchSize);
}

/**
 * Refuses the current (still open) month and future months unless told `allowOpenPeriod`: their
 * usage is still growing, and a draft made now would be short. "Today" is in SCHEDULE_TIMEZONE,
 * the zone the scheduled invoice run works in.
 */
export function refuseOpenPeriod(deps: ProcessDeps, input: Pick<InvoiceInput, 'period' | 'allowOpenPeriod'>) {
  if (input.allowOpenPeriod) return;
  const timezone = deps.config.schedules.timezone;
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: timezone }).format(new Date());
  const state = periodState(input.period, today);
  if (state === 'closed') return;
  throw new ConfigError([
    say(state === 'open' ? 'notOver' : 'notBegun', { period: input.period, today, zone: timezone }),
  ]);
}

/** The counterparties of a run, a chunk at a time, and what is known of them before any is invoiced. */
interface UnitsToInvoice {
  chunks: AsyncIterable<InvoicedCounterparty[]>;
  /** Clients over all chunks (the progress of reading usage). */
  clients: number;
  /** Counterparties over all chunks. */
  counterparties: number;
  problems: InputProblems;
  /** The period's clients Odoo knows, when few enough to keep for every chunk's checks. */
  known?: readonly KnownUsage[] | undefined;
  /** Removes what the chunks were read from (RCP's client list kept on disk). */
  dispose(): Promise<void>;
}

/** Counterparties a caller chose already, in chunks. */
function unitsInMemory(
  deps: ProcessDeps,
  units: InvoicedCounterparty[],
  problems: InputProblems,
  known?: readonly KnownUsage[] | undefined,
): UnitsToInvoice {
  return {
    chunks: (async function* () {
      yield* chunksOf(units, (u) => u.clients.length, chunkClients(deps));
    })(),
    clients: units.reduce((n, u) => n + u.clients.length, 0),
    counterparties: units.length,
    problems,
    known,
    dispose: async () => {},
  };
}

/**
 * Who is invoiced (after `--partner`/`--client`, the same choice for the CLI and the worker), and
 * what could not be read among their inputs: partner and client records that broke the schema.
 * A run over every counterparty keeps RCP's client list on disk and gives its counterparties a
 * chunk at a time (`unitsOnDisk`); a chosen few are chosen from the list in memory.
 */
async function unitsToInvoice(
  deps: ProcessDeps,
  input: Pick<InvoiceInput, 'partner' | 'client' | 'only' | 'knownStates'>,
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
  period: string,
): Promise<UnitsToInvoice> {
  const { ownPartnerIds, noOwnPartners } = deps.config;
  if (ownPartnerIds.length === 0 && !noOwnPartners) {
    throw new ConfigError([
      'RCP_OWN_PARTNER_IDS is empty: every partner would be invoiced as a reseller, the provider’s own direct channel too. Set it to your own partners’ uuids, or to `none` if you have no own partner (clients without a partner are invoiced directly either way).',
    ]);
  }
  const client = input.client?.toLowerCase();
  const partner = input.partner?.toLowerCase();
  const partners = await readPartners(deps.rcp);
  if (!client && !partner && !input.only) {
    const clients = await spillClients(deps.rcp);
    try {
      const { problems } = problemsRead(partners, clients.skipped, report, ownPartnerIds, {});
      return await everyCounterparty(deps, partners.items, clients.list, problems, input, report, period);
    } catch (error) {
      await clients.list.dispose();
      throw error;
    }
  }
  const clients = await readClients(deps.rcp, input.partner);
  const { problems, chosenClientBroken } = problemsRead(
    partners,
    clients.skipped,
    report,
    ownPartnerIds,
    input,
  );
  // The direct client asked for broke the schema: named as failed, nothing else to do.
  if (chosenClientBroken) return unitsInMemory(deps, [], problems);
  const units = invoicedCounterparties(partners.items, clients.items, ownPartnerIds);
  const selected = selectUnits(units, input);
  if ('problem' in selected) throw new ConfigError([selected.problem]);
  return unitsInMemory(deps, selected.units, problems);
}

/**
 * What could not be read among the inputs: partner and client records that broke the schema, each
 * a problem of whose it was. A broken record of a direct client (of those chosen) is named as a
 * failed invoice: it has no invoice to hold back (`chosenClientBroken`: the one `--client` asked for).
 */
function problemsRead(
  partners: { failed: FailedRecord[]; skipped: SkippedRecord[] },
  clientsSkipped: readonly SkippedRecord[],
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
  ownPartnerIds: readonly string[],
  chosen: Pick<InvoiceInput, 'partner' | 'client' | 'only'>,
): { problems: InputProblems; chosenClientBroken: boolean } {
  const problems = noInputProblems();
  let chosenClientBroken = false;
  report.failed.push(...partners.failed);
  for (const skipped of partners.skipped)
    if (skipped.id) addProblem(problems.byPartner, skipped.id.toLowerCase(), skipped.problem);
  for (const skipped of clientsSkipped) {
    problems.brokenClients.push({
      id: skipped.id?.toLowerCase() ?? '(no id)',
      partner: skipped.partner ?? null,
      reason: skipped.problem,
    });
  }
  // What cannot be pinned on one reseller holds back every reseller: named once here as well.
  for (const skipped of clientsSkipped) {
    if (skipped.partner === null)
      report.failed.push({
        kind: 'client',
        record: `client ${skipped.id ?? '(no id)'}`,
        error: describeSkipped(skipped),
      });
  }
  const client = chosen.client?.toLowerCase();
  const partner = chosen.partner?.toLowerCase();
  for (const broken of brokenDirectClients(problems, ownPartnerIds)) {
    if ((client && broken.id !== client) || (partner && broken.partner !== partner)) continue;
    if (chosen.only && !chosen.only.some((id) => id.toLowerCase() === broken.id)) continue;
    const error = `not invoiced, RCP's client record is broken: ${broken.reason}`;
    report.invoices.push({
      counterparty: broken.id,
      kind: 'client',
      uuid: broken.id,
      outcome: 'failed',
      totalKopecks: 0,
      lines: [],
      error,
    });
    report.failed.push({ kind: 'invoice', record: `client ${broken.id}`, error });
    if (client) chosenClientBroken = true;
  }
  return { problems, chosenClientBroken };
}

/**
 * Every counterparty of RCP's client list kept on disk, a chunk at a time (`unitsOnDisk`), once the
 * period's drafts in Odoo whose clients RCP no longer lists are named.
 */
async function everyCounterparty(
  deps: ProcessDeps,
  partners: readonly Partner[],
  list: SpilledList<Client>,
  problems: InputProblems,
  input: Pick<InvoiceInput, 'knownStates'>,
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
  period: string,
): Promise<UnitsToInvoice> {
  const onDisk = await unitsOnDisk(
    list,
    counterpartyBook(partners, deps.config.ownPartnerIds),
    chunkClients(deps),
  );
  const listed = onDisk.listed;
  for (const broken of problems.brokenClients) listed.add(broken.id);
  // Read page by page. The period's known clients are kept for the checks of each invoiced
  // counterparty only while they are few (one chunk's worth): then those checks read no more;
  // past that, each chunk reads its own, and memory holds one chunk's at a time.
  let known: KnownUsage[] | undefined = [];
  const keep = (page: readonly KnownUsage[]) => {
    if (known && known.length + page.length <= chunkClients(deps)) known.push(...page);
    else known = undefined;
  };
  for await (const orphan of unlistedInvoicesOf(
    deps.odoo,
    period,
    listed,
    input.knownStates ?? ['draft'],
    keep,
  ))
    reportInvoiceOfUnlisted(orphan, period, report);
  return {
    chunks: onDisk.chunks(),
    clients: onDisk.clients,
    counterparties: onDisk.counterparties,
    problems,
    known,
    dispose: () => list.dispose(),
  };
}

/**
 * A draft invoice of the period whose every client RCP's (whole) client list no longer has: its
 * counterparty left RCP. Nothing is invoiced for it by guess: the draft is left as it was, and the
 * run names it (and ends 1), so that a person looks.
 */
function reportInvoiceOfUnlisted(
  orphan: { moveId: number; partnerName: string; clients: Array<{ uuid: string; name: string }> },
  period: string,
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
): void {
  const names = orphan.clients.map((c) => `${c.name} (${c.uuid})`).join(', ');
  const error = `its invoice for ${period} in Odoo (account.move ${orphan.moveId}) holds the usage of ${names}, which RCP's client list no longer has: the invoice was left as it was; check the client in RCP, then correct or delete the invoice in Odoo`;
  const [first] = orphan.clients;
  report.invoices.push({
    counterparty: orphan.partnerName,
    kind: orphan.clients.length === 1 && first?.name === orphan.partnerName ? 'client' : 'partner',
    uuid: first?.uuid ?? '',
    outcome: 'failed',
    totalKopecks: 0,
    lines: [],
    error,
  });
  report.failed.push({
    kind: 'invoice',
    record: `${orphan.partnerName} (account.move ${orphan.moveId})`,
    error,
  });
}

/**
 * A counterparty whose draft for the period in Odoo holds a client its RCP list no longer has: its
 * invoice is held back (rewriting it would make it smaller because a list was short), the client named.
 */
async function noteClientsGoneFromLists(
  deps: ProcessDeps,
  period: string,
  units: readonly InvoicedCounterparty[],
  found: ReadonlyMap<string, { id: number }>,
  problems: InputProblems,
  states: readonly string[] = ['draft'],
  /** The period's known clients when the run has read them all already (same states). */
  knownAll?: readonly KnownUsage[],
): Promise<void> {
  const unitsOfPartner = new Map<number, InvoicedCounterparty[]>();
  for (const unit of units) {
    const partner = found.get(xmlidOf(unit.kind, unit.uuid));
    if (partner) unitsOfPartner.set(partner.id, [...(unitsOfPartner.get(partner.id) ?? []), unit]);
  }
  if (unitsOfPartner.size === 0) return;
  const rows = knownAll
    ? knownAll.filter((k) => unitsOfPartner.has(k.partnerId))
    : await knownUsageOf(deps.odoo, period, { partnerIds: [...unitsOfPartner.keys()], states });
  // A known client none of its company's counterparties lists, or listed by another card of the
  // same company: which invoice holds it is asked by the counterparties' own invoices (two RCP
  // cards linked to one company have an invoice each, and neither holds the other's clients).
  const doubtful = rows.filter((k) =>
    (unitsOfPartner.get(k.partnerId) ?? []).some((u) => !u.clients.some((c) => c.id === k.clientUuid)),
  );
  if (doubtful.length === 0) return;
  const doubtfulUnits = [...new Set(doubtful.flatMap((k) => unitsOfPartner.get(k.partnerId) ?? []))];
  const moves = await externalIds(deps.odoo).resolve(
    doubtfulUnits.map((u) => invoiceXmlid(period, u.kind, u.uuid)),
  );
  const unitOfMove = new Map<number, InvoicedCounterparty>();
  for (const unit of doubtfulUnits) {
    const move = moves.get(invoiceXmlid(period, unit.kind, unit.uuid));
    if (move) unitOfMove.set(move.id, unit);
  }
  for (const k of doubtful) {
    const unit = unitOfMove.get(k.moveId);
    if (!unit || unit.clients.some((c) => c.id === k.clientUuid)) continue;
    addProblem(
      problems.fromOdoo,
      unit.uuid,
      `client ${k.clientName} (${k.clientUuid}) is on its draft for ${period} in Odoo (account.move ${k.moveId}) but not in RCP's client list of this ${unit.kind}: the draft was left as it was (was the client removed in RCP, or moved to another partner?)`,
    );
  }
}

/** Each client's usage of the month; what cannot be read or breaks validation is a problem of that client. */
async function readUsage(
  deps: ProcessDeps,
  units: InvoicedCounterparty[],
  period: string,
  problems: InputProblems,
) {
  const range = periodRange(period);
  const clients = units.flatMap((u) => u.clients);
  const usage = new Map<string, UsageOfClient>();
  let read = 0;
  await deps.rcp.fanOut(clients, async (client) => {
    try {
      const { items, skipped } = await deps.rcp.usage({ client: client.id, range, part: 'month' });
      usage.set(client.id, { client, rows: items });
      for (const s of skipped)
        addProblem(problems.byClient, client.id, `usage row ${s.id ?? ''}: ${s.problem}`);
    } catch (error) {
      addProblem(problems.byClient, client.id, `usage not read: ${messageOf(error)}`);
    }
    deps.progress?.({ phase: 'usage', done: ++read, total: clients.length });
  });
  return usage;
}

/**
 * The prices of the resellers' plans (to re-price) and of the clients' own plans (to check their
 * usage's cost); a plan that cannot be read or has a broken price is a problem of that plan.
 */
async function readPlanPrices(
  deps: ProcessDeps,
  units: InvoicedCounterparty[],
  problems: InputProblems,
): Promise<Map<string, Map<string, PlanPrice>>> {
  const plans = [
    ...new Set(
      units.flatMap((u) => [
        ...(u.kind === 'partner' && u.partnerPlanId ? [u.partnerPlanId] : []),
        ...u.clients.flatMap((c) => (c.planId ? [c.planId] : [])),
      ]),
    ),
  ];
  const byPlan = new Map<string, Map<string, PlanPrice>>();
  await deps.rcp.fanOut(plans, async (plan) => {
    try {
      const { items, skipped } = await deps.rcp.prices(plan);
      byPlan.set(plan, new Map(items.map((p) => [p.billing_class.id, { cost: p.cost, period: p.period }])));
      for (const s of skipped) addProblem(problems.byPlan, plan, `price ${s.id ?? ''}: ${s.problem}`);
    } catch (error) {
      addProblem(problems.byPlan, plan, `not read: ${messageOf(error)}`);
    }
  });
  return byPlan;
}

/**
 * Every usage row checked before it is priced (mappings/usage-plausibility.ts): a row that cannot
 * be true is a problem of its client, so its invoice (or its reseller's) is held back, the row named.
 * A client whose own plan could not be read cannot have its usage's cost checked: held back too.
 */
function checkUsage(
  units: InvoicedCounterparty[],
  usage: Map<string, UsageOfClient>,
  prices: Map<string, Map<string, PlanPrice>>,
  problems: InputProblems,
): void {
  for (const client of units.flatMap((u) => u.clients)) {
    const rows = usage.get(client.id)?.rows ?? [];
    if (rows.length === 0) continue;
    const plan = client.planId ? prices.get(client.planId) : undefined;
    if (client.planId && !plan) {
      addProblem(
        problems.byClient,
        client.id,
        `its usage's cost cannot be checked: the prices of its plan ${client.planId} were not read`,
      );
      continue;
    }
    for (const row of rows) {
      const reasons = implausibilitiesOf(row, plan?.get(row.billing_class.id));
      if (reasons.length > 0)
        addProblem(
          problems.byClient,
          client.id,
          `usage row ${usageRowName(row)} cannot be true: ${reasons.join('; ')}`,
        );
    }
  }
}

/** A counterparty to invoice, as a job names it: small, serialisable. */
export interface CounterpartyRef {
  kind: 'client' | 'partner';
  uuid: string;
  name: string;
  paymentModel: 'prepay' | 'postpay';
  /** A direct client's own partner (to find the draft it was on while that partner was a reseller). */
  partnerId?: string | undefined;
  /** A direct client's own billing plan (its usage's cost is checked against it). */
  planId?: string | undefined;
}

/** Who is invoiced for a period, without usage: what the invoice job fans out over. */
export async function listCounterparties(
  deps: ProcessDeps,
  period: string,
  filter: Pick<InvoiceInput, 'partner' | 'client' | 'allowOpenPeriod'> = {},
): Promise<{ units: CounterpartyRef[]; failed: FailedRecord[] }> {
  refuseOpenPeriod(deps, { period, allowOpenPeriod: filter.allowOpenPeriod });
  const report: Pick<InvoiceReport, 'invoices' | 'failed'> = { invoices: [], failed: [] };
  const { chunks, dispose } = await unitsToInvoice(deps, filter, report, period);
  // Named only: a reseller's clients are read again by its own job.
  const units: CounterpartyRef[] = [];
  try {
    for await (const chunk of chunks)
      for (const { kind, uuid, name, paymentModel, partnerId, clients } of chunk)
        units.push({
          kind,
          uuid,
          name,
          paymentModel,
          ...(partnerId ? { partnerId } : {}),
          ...(kind === 'client' && clients[0]?.planId ? { planId: clients[0].planId } : {}),
        });
  } finally {
    await dispose();
  }
  return { failed: mergeFailures(report.failed), units };
}

/** Invoices one counterparty for a period: a direct client, or a reseller with all its clients. */
export async function invoiceCounterparty(
  deps: ProcessDeps,
  period: string,
  ref: CounterpartyRef,
  context?: InvoiceContext,
  force = false,
): Promise<InvoiceReport> {
  let unit: InvoicedCounterparty;
  const problems = noInputProblems();
  if (ref.kind === 'client') {
    const { partnerId, planId, ...rest } = ref;
    unit = {
      ...rest,
      clients: [{ id: ref.uuid, name: ref.name, ...(planId ? { planId } : {}) }],
      ...(partnerId ? { partnerId } : {}),
    };
  } else {
    const partners = await readPartners(deps.rcp, ref.uuid);
    const clients = await readClients(deps.rcp, ref.uuid);
    // A reseller's invoice without one of its clients would be short: its broken clients hold it back.
    for (const skipped of partners.skipped)
      if (skipped.id?.toLowerCase() === ref.uuid) addProblem(problems.byPartner, ref.uuid, skipped.problem);
    for (const skipped of clients.skipped)
      problems.brokenClients.push({
        id: skipped.id?.toLowerCase() ?? '(no id)',
        partner: ref.uuid,
        reason: skipped.problem,
      });
    const partner = partners.items[0];
    unit = {
      kind: ref.kind,
      uuid: ref.uuid,
      name: ref.name,
      paymentModel: ref.paymentModel,
      clients: clients.items.map((c) => ({ id: c.id, name: c.name, planId: c.contract.billing_plan.id })),
      ...(partner?.contract ? { partnerPlanId: partner.contract.billing_plan.id } : {}),
    };
  }
  return invoicePeriod(deps, { period, units: [unit], problems, context, force });
}
