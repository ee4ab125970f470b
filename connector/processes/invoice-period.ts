import { invoiceXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import {
  type InvoicePlan,
  type PlanPrice,
  type UsageOfClient,
  planInvoiceLines,
  priceAsCharged,
  repriceForPartner,
} from '../../mappings/invoice-lines.ts';
import { type InvoicedUnit, invoicedUnits } from '../../mappings/invoiced-units.ts';
import { periodRange } from '../../mappings/period.ts';
import { ConfigError, messageOf } from '../errors.ts';
import { OdooError } from '../odoo/errors.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import { type OdooRefs, loadOdooRefs } from './odoo-refs.ts';
import { readClients, readPartners } from './rcp-read.ts';
import { writeInvoices } from './write-invoices.ts';

export interface InvoiceInput {
  period: string;
  /** Invoice exactly these counterparties (a job per counterparty) instead of finding them in RCP. */
  units?: InvoicedUnit[] | undefined;
  /** Odoo's reference ids and precisions, when the caller already has them (the worker, per counterparty). */
  context?: InvoiceContext | undefined;
  partner?: string | undefined;
  client?: string | undefined;
  dryRun?: boolean;
}

export type InvoiceOutcome =
  | 'created'
  | 'updated'
  | 'unchanged'
  | 'would create'
  | 'would update'
  | 'left posted'
  | 'left cancelled'
  | 'no usage'
  | 'failed';

export interface InvoiceResult {
  counterparty: string;
  kind: 'client' | 'partner';
  uuid: string;
  outcome: InvoiceOutcome;
  /** The connector's total, in kopecks. */
  totalKopecks: number;
  /** Odoo's untaxed amount after writing, in kopecks. */
  odooKopecks?: number;
  odooId?: number;
  lines: Array<{ label: string; quantity: number; priceUnit: number; amountKopecks: number }>;
  error?: string;
}

export interface InvoiceReport {
  period: string;
  dryRun: boolean;
  invoices: InvoiceResult[];
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
}

/** A unit of work ready to be written: its counterparty, its lines and the Odoo ids they need. */
export interface InvoiceDraft {
  unit: InvoicedUnit;
  xmlid: string;
  plan: InvoicePlan;
  partnerId: number;
  productIds: Map<string, number>;
}

/**
 * Processes 4–5: a month of usage becomes one draft invoice per invoiced counterparty. Usage is
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
  const found = await deps.odoo.externalIds.resolve([
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
      unit,
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
  const stored = await lineDigits(deps);
  return {
    refs,
    precision: {
      quantityDigits: stored.quantity ?? (await quantityDigits(deps)),
      priceDigits: stored.price ?? refs.priceDigits,
    },
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

/** Units grouped so that each group covers about `clients` clients (a reseller is never split). */
function chunksOf(units: InvoicedUnit[], clients: number): InvoicedUnit[][] {
  const chunks: InvoicedUnit[][] = [];
  let current: InvoicedUnit[] = [];
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
): Promise<InvoicedUnit[]> {
  const partners = await readPartners(deps.rcp);
  const clients = await readClients(deps.rcp, input.partner);
  report.failed.push(...partners.failed, ...clients.failed);
  let units = invoicedUnits(partners.items, clients.items, deps.config.ownPartnerIds);
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
  units: InvoicedUnit[],
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
      // Without a client's usage its invoice would be short: the unit must not be invoiced.
      const unit = units.find((u) => u.clients.some((c) => c.id === client.id));
      if (unit) unit.clients = [];
    }
  });
  return usage;
}

async function readPartnerPrices(
  deps: ProcessDeps,
  units: InvoicedUnit[],
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

/** 'Product Unit of Measure' precision ('Product Unit' on 19); 2 when it cannot be read. */
async function quantityDigits(deps: ProcessDeps): Promise<number> {
  try {
    const rows = await deps.odoo.searchRead<{ id: number; name: string; digits: number }>(
      'decimal.precision',
      [['name', 'in', ['Product Unit of Measure', 'Product Unit']]],
      ['name', 'digits'],
    );
    return rows[0]?.digits ?? 2;
  } catch (error) {
    if (error instanceof OdooError) return 2;
    throw error;
  }
}

/** A counterparty to invoice, as a job names it: small, serialisable. */
export interface UnitRef {
  kind: 'client' | 'partner';
  uuid: string;
  name: string;
  paymentModel: 'prepay' | 'postpay';
}

/** Who is invoiced for a period, without usage: what the invoice job fans out over. */
export async function listUnits(
  deps: ProcessDeps,
  period: string,
): Promise<{ units: UnitRef[]; failed: FailedRecord[] }> {
  const report: Pick<InvoiceReport, 'failed'> = { failed: [] };
  const units = await unitsToInvoice(deps, { period }, report);
  return {
    units: units.map(({ kind, uuid, name, paymentModel }) => ({ kind, uuid, name, paymentModel })),
    failed: report.failed,
  };
}

/** Invoices one counterparty for a period: a direct client, or a reseller with all its clients. */
export async function invoiceUnit(
  deps: ProcessDeps,
  period: string,
  ref: UnitRef,
  context?: InvoiceContext,
): Promise<InvoiceReport> {
  let unit: InvoicedUnit;
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
