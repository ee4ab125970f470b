import { invoiceXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import {
  type InvoicePlan,
  type PlanPrice,
  type UsageOfClient,
  planInvoiceLines,
  priceAsCharged,
  repriceForPartner,
} from '../../mappings/invoice-lines.ts';
import { type InvoicedCounterparty, invoicedCounterparties } from '../../mappings/invoiced-counterparties.ts';
import { periodRange } from '../../mappings/period.ts';
import { ConfigError, messageOf } from '../errors.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import type { InvoiceDraft, InvoiceOutcome, InvoiceResult } from './invoice-types.ts';
import { type OdooRefs, loadOdooRefs } from './odoo-refs.ts';
import { readClients, readPartners } from './rcp-read.ts';
import { writeInvoices } from './write-invoices.ts';

export interface InvoiceInput {
  period: string;
  /** Invoice exactly these counterparties (a job per counterparty) instead of finding them in RCP. */
  units?: InvoicedCounterparty[] | undefined;
  /** Odoo's reference ids and precisions, when the caller already has them (the worker, per counterparty). */
  context?: InvoiceContext | undefined;
  partner?: string | undefined;
  client?: string | undefined;
  dryRun?: boolean;
}

export type { InvoiceDraft, InvoiceOutcome, InvoiceResult };

export interface InvoiceReport {
  period: string;
  dryRun: boolean;
  invoices: InvoiceResult[];
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
}

/**
 * Invoicing: a month of usage becomes one draft invoice per invoiced counterparty. Usage is
 * read per client with bounded concurrency and clipped to the month; resellers are re-priced at
 * their own plan; invoices are written in batches and read back to the kopeck.
 */
export async function invoicePeriod(deps: ProcessDeps, input: InvoiceInput): Promise<InvoiceReport> {
  const started = Date.now();
  const roundTrips = deps.odoo.stats.roundTrips;
  const rcpRequests = deps.rcp.stats.requests;
  const dryRun = input.dryRun ?? false;
  const report: InvoiceReport = {
    period: input.period,
    dryRun,
    invoices: [],
    failed: [],
    odooRoundTrips: 0,
    rcpRequests: 0,
    seconds: 0,
  };

  // Counterparties go in chunks of about ten batches of clients, so memory holds one chunk's usage at a time.
  const units = input.units ?? (await unitsToInvoice(deps, input, report));
  const context = input.context ?? (await invoiceContext(deps));
  for (const chunk of chunksOf(units, (deps.config.odoo?.batchSize ?? 500) * 10)) {
    const { drafts, refs } = await prepareInvoices(deps, { ...input, units: chunk }, report, context);
    const written = await writeInvoices(deps, drafts, { period: input.period, dryRun, refs });
    // Lines are shown for a dry run; after a real run they are in Odoo.
    report.invoices.push(...(dryRun ? written.results : written.results.map((r) => ({ ...r, lines: [] }))));
    report.failed.push(...written.failed);
  }
  report.odooRoundTrips = deps.odoo.stats.roundTrips - roundTrips;
  report.rcpRequests = deps.rcp.stats.requests - rcpRequests;
  report.seconds = Math.round((Date.now() - started) / 100) / 10;
  return report;
}

/**
 * Everything before writing: who is invoiced, their usage (clipped to the month), re-pricing, the
 * lines, and the Odoo ids they point at. Writes nothing; `reconcile` uses it too.
 */
export async function prepareInvoices(
  deps: ProcessDeps,
  input: InvoiceInput,
  report: Pick<InvoiceReport, 'invoices' | 'failed'>,
  context?: InvoiceContext,
): Promise<{ drafts: InvoiceDraft[]; refs: OdooRefs }> {
  const units = input.units ?? (await unitsToInvoice(deps, input, report));
  const usage = await readUsage(deps, units, input.period, report);
  const partnerPrices = await readPartnerPrices(deps, units);

  const { refs, precision } = context ?? (await invoiceContext(deps));
  const drafts: InvoiceDraft[] = [];
  const xmlids = units.flatMap((u) => [xmlidOf(u.kind, u.uuid)]);
  const classIds = new Set<string>();
  for (const rows of usage.values()) for (const r of rows.rows) classIds.add(r.billing_class.id);
  const found = await externalIds(deps.odoo).resolve([
    ...xmlids,
    ...[...classIds].map((c) => xmlidOf('product', c)),
  ]);

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

export interface InvoiceContext {
  refs: OdooRefs;
  precision: { quantityDigits: number; priceDigits: number };
}

export async function invoiceContext(deps: ProcessDeps): Promise<InvoiceContext> {
  const refs = await loadOdooRefs(deps.odoo, deps.config.invoicing.postpayTermDays, true);
  return { refs, precision: { quantityDigits: refs.quantityDigits, priceDigits: refs.priceDigits } };
}

/** Invoiced counterparties grouped so that each group covers about `clients` clients (a reseller is never split). */
function chunksOf(units: InvoicedCounterparty[], clients: number): InvoicedCounterparty[][] {
  const chunks: InvoicedCounterparty[][] = [];
  let current: InvoicedCounterparty[] = [];
  let size = 0;
  for (const unit of units) {
    if (size > 0 && size + unit.clients.length > clients) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(unit);
    size += unit.clients.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

async function unitsToInvoice(
  deps: ProcessDeps,
  input: InvoiceInput,
  report: Pick<InvoiceReport, 'failed'>,
): Promise<InvoicedCounterparty[]> {
  const partners = await readPartners(deps.rcp);
  const clients = await readClients(deps.rcp, input.partner);
  report.failed.push(...partners.failed, ...clients.failed);
  let units = invoicedCounterparties(partners.items, clients.items, deps.config.ownPartnerIds);
  if (input.partner) units = units.filter((u) => u.uuid === input.partner || u.kind === 'client');
  if (input.client) {
    const direct = units.find((u) => u.kind === 'client' && u.uuid === input.client);
    if (!direct) {
      const reseller = units.find((u) => u.clients.some((c) => c.id === input.client));
      throw new ConfigError([
        reseller
          ? `client ${input.client} is invoiced through its partner ${reseller.name}: use --partner ${reseller.uuid}`
          : `client ${input.client} is not in RCP's client list`,
      ]);
    }
    units = [direct];
  }
  return units;
}

async function readUsage(
  deps: ProcessDeps,
  units: InvoicedCounterparty[],
  period: string,
  report: Pick<InvoiceReport, 'failed'>,
) {
  const range = periodRange(period);
  const clients = units.flatMap((u) => u.clients);
  const usage = new Map<string, UsageOfClient>();
  await deps.rcp.fanOut(clients, async (client) => {
    try {
      const { items, skipped } = await deps.rcp.usage({ client: client.id, range, part: 'month' });
      usage.set(client.id, { client, rows: items });
      for (const s of skipped) {
        report.failed.push({
          kind: 'usage',
          record: `client ${client.name} (${client.id})`,
          error: `${s.what} ${s.id}: ${s.problem}`,
        });
      }
    } catch (error) {
      report.failed.push({
        kind: 'usage',
        record: `client ${client.name} (${client.id})`,
        error: messageOf(error),
      });
      usage.set(client.id, { client, rows: [] });
      // Without a client's usage its invoice would be short: its invoiced counterparty must not be invoiced.
      const unit = units.find((u) => u.clients.some((c) => c.id === client.id));
      if (unit) unit.clients = [];
    }
  });
  return usage;
}

async function readPartnerPrices(
  deps: ProcessDeps,
  units: InvoicedCounterparty[],
): Promise<Map<string, Map<string, PlanPrice>>> {
  const plans = [
    ...new Set(units.flatMap((u) => (u.kind === 'partner' && u.partnerPlanId ? [u.partnerPlanId] : []))),
  ];
  const byPlan = new Map<string, Map<string, PlanPrice>>();
  await deps.rcp.fanOut(plans, async (plan) => {
    const { items } = await deps.rcp.prices(plan);
    byPlan.set(plan, new Map(items.map((p) => [p.billing_class.id, { cost: p.cost, period: p.period }])));
  });
  return byPlan;
}

/** A counterparty to invoice, as a job names it: small, serialisable. */
export interface CounterpartyRef {
  kind: 'client' | 'partner';
  uuid: string;
  name: string;
  paymentModel: 'prepay' | 'postpay';
}

/** Who is invoiced for a period, without usage: what the invoice job fans out over. */
export async function listCounterparties(
  deps: ProcessDeps,
  period: string,
): Promise<{ units: CounterpartyRef[]; failed: FailedRecord[] }> {
  const report: Pick<InvoiceReport, 'failed'> = { failed: [] };
  const units = await unitsToInvoice(deps, { period }, report);
  return {
    units: units.map(({ kind, uuid, name, paymentModel }) => ({ kind, uuid, name, paymentModel })),
    failed: report.failed,
  };
}

/** Invoices one counterparty for a period: a direct client, or a reseller with all its clients. */
export async function invoiceCounterparty(
  deps: ProcessDeps,
  period: string,
  ref: CounterpartyRef,
  context?: InvoiceContext,
): Promise<InvoiceReport> {
  let unit: InvoicedCounterparty;
  if (ref.kind === 'client') {
    unit = { ...ref, clients: [{ id: ref.uuid, name: ref.name }] };
  } else {
    const partner = (await readPartners(deps.rcp, ref.uuid)).items[0];
    const clients = await readClients(deps.rcp, ref.uuid);
    if (clients.failed.length > 0) {
      // A reseller's invoice without one of its clients would be short: not made.
      return {
        period,
        dryRun: false,
        invoices: [],
        failed: clients.failed,
        odooRoundTrips: 0,
        rcpRequests: 0,
        seconds: 0,
      };
    }
    unit = {
      ...ref,
      clients: clients.items.map((c) => ({ id: c.id, name: c.name })),
      ...(partner?.contract ? { partnerPlanId: partner.contract.billing_plan.id } : {}),
    };
  }
  return invoicePeriod(deps, { period, units: [unit], context });
}
