import { z } from 'zod';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import {
  type CorrectionPlan,
  type UsageAmount,
  correctionCsv,
  correctionNote,
  correctionOf,
} from '../../mappings/invoice-corrections.ts';
import { USAGE_ATTACHMENT_PREFIX } from '../../mappings/invoice-values.ts';
import { Decimal, decimalOf, formatRubles, toKopecks } from '../../mappings/money.ts';
import { usageRecordsOf } from '../../mappings/usage-records.ts';
import { batchesOf } from '../batches.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConfigError, messageOf } from '../errors.ts';
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { writeCorrection } from '../workspace/corrections.ts';
import { mergeFailures } from './failures.ts';
import { type InvoiceResult, prepareInvoicesInChunks, refuseOpenPeriod } from './invoice-period.ts';
import type { InvoiceDraft } from './invoice-types.ts';
import { runCost } from './run-cost.ts';
import { counterpartiesOf, hasInvoiceWorkspace } from './write-invoices/usage.ts';
import { totalField } from './write-invoices/verify.ts';

export interface CorrectionsInput {
  period: string;
  partner?: string | undefined;
  client?: string | undefined;
  /** Only these counterparties (RCP ids): a retry of a run's failed records. */
  only?: readonly string[] | undefined;
  dryRun?: boolean | undefined;
}

export type CorrectionOutcome =
  | 'credit note'
  | 'additional invoice'
  | 'would make credit note'
  | 'would make additional invoice'
  | 'no difference'
  | 'failed';

export interface CorrectionResult {
  counterparty: string;
  kind: 'client' | 'partner';
  uuid: string;
  originalId: number;
  originalName: string;
  /** What the original and its corrections invoice, in kopecks. */
  invoicedKopecks: number;
  /** RCP's usage now, priced as the invoice is (re-priced at a reseller's plan). */
  rcpKopecks: number;
  /** RCP now minus invoiced. */
  differenceKopecks: number;
  outcome: CorrectionOutcome;
  /** The correction made (a draft credit note or additional invoice), and Odoo's untaxed amount of it. */
  documentId?: number;
  documentKopecks?: number;
  error?: string;
}

export interface CorrectionsReport {
  period: string;
  dryRun: boolean;
  corrections: CorrectionResult[];
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
  seconds: number;
}

type Original = OdooRecord & {
  id: number;
  name: string;
  state: string;
  partner_id: [number, string] | false;
  currency_id: [number, string] | false;
  journal_id: [number, string] | false;
  amount_untaxed: number;
};

const UsageRow = z.object({
  id: z.number(),
  x_move_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
  x_corrects_move_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
  x_counterparty_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
  x_product_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
  x_name: z.union([z.string(), z.literal(false)]),
  x_quantity: z.number(),
  x_amount: z.number(),
});
type UsageRow = z.infer<typeof UsageRow>;

/** What is invoiced for one original: its own records and its corrections' (not cancelled). */
interface Invoiced {
  amounts: UsageAmount[];
  /** The original's own records, in kopecks (must be its untaxed amount to be trusted). */
  ownKopecks: number;
  corrections: number;
}

/**
 * Corrections of the period's posted invoices: for each, RCP's usage now (priced as the invoice was:
 * a reseller's at its own plan) against what was invoiced (the original's usage records and its
 * corrections'), per client and billing class; one credit note (less) or additional invoice (more)
 * for exactly the difference, as a draft, each decided and written in one Odoo transaction, so a
 * second run, or two at once, make nothing more until RCP's usage changes again.
 */
export async function invoiceCorrections(
  deps: ProcessDeps,
  input: CorrectionsInput,
): Promise<CorrectionsReport> {
  const cost = runCost(deps);
  const dryRun = input.dryRun ?? false;
  // A month still open has no final usage to correct against.
  refuseOpenPeriod(deps, { period: input.period });
  if (!(await hasInvoiceWorkspace(deps.odoo)))
    throw new ConfigError([
      'corrections need the RCP workspace (what each invoice was made of is its usage records): run `rcp-odoo setup` as an Odoo administrator',
    ]);
  const taxIds = [...deps.config.invoicing.taxIds].sort((a, b) => a - b);
  if ((await totalField(deps, taxIds)) !== 'amount_untaxed')
    throw new ConfigError([
      'corrections with price-included taxes (INVOICE_TAX_IDS) are not supported yet: make the credit note or additional invoice in Odoo by hand',
    ]);
  // Odoo's own link of an additional invoice to its original, where the Debit Notes module is installed.
  const debitLink = 'debit_origin_id' in (await deps.odoo.fieldsGet('account.move', ['type']));
  const report: CorrectionsReport = {
    period: input.period,
    dryRun,
    corrections: [],
    failed: [],
    odooRoundTrips: 0,
    rcpRequests: 0,
    seconds: 0,
  };
  const notes: { invoices: InvoiceResult[]; failed: FailedRecord[] } = { invoices: [], failed: [] };
  for await (const { drafts } of prepareInvoicesInChunks(
    deps,
    {
      period: input.period,
      partner: input.partner,
      client: input.client,
      only: input.only,
      knownStates: ['draft', 'posted'],
    },
    notes,
  )) {
    // A counterparty whose usage fell to nothing has no draft to compare: its posted invoice is credited whole.
    const gone = notes.invoices.splice(0).filter((i) => i.outcome === 'no usage');
    const originals = await postedOriginals(deps.odoo, [
      ...drafts,
      ...gone.map((i) => noUsageDraft(i, input.period)),
    ]);
    const invoiced = await invoicedFor(
      deps.odoo,
      originals.map((o) => o.original.id),
    );
    for (const { draft, original } of originals) {
      const result = await correctOne(deps, draft, original, invoiced.get(original.id), {
        period: input.period,
        dryRun,
        taxIds,
        debitLink,
      }).catch(
        (error: unknown): CorrectionResult => ({
          ...resultBase(draft, original),
          outcome: 'failed',
          error: messageOf(error),
        }),
      );
      report.corrections.push(result);
      if (result.outcome === 'failed')
        report.failed.push({
          kind: 'invoice',
          record: `${draft.counterparty.kind} ${draft.counterparty.name} (${draft.counterparty.uuid}), invoice ${original.name}`,
          error: result.error ?? 'failed',
        });
    }
  }
  // A counterparty whose RCP data is incomplete gets no correction (never one from partial inputs).
  report.failed.push(...notes.failed);
  report.failed = mergeFailures(report.failed);
  return Object.assign(report, cost());
}

/** A counterparty with no usage now, as a draft of nothing (its products and company come from Odoo). */
function noUsageDraft(result: InvoiceResult, period: string): InvoiceDraft {
  return {
    counterparty: {
      kind: result.kind,
      uuid: result.uuid,
      name: result.counterparty,
      clients: [],
      paymentModel: 'postpay',
    },
    xmlid: invoiceXmlid(period, result.kind, result.uuid),
    plan: { lines: [], exactTotal: new Decimal(0), totalKopecks: 0, details: [] },
    partnerId: 0,
    productIds: new Map(),
  };
}

function resultBase(draft: InvoiceDraft, original: Original) {
  return {
    counterparty: draft.counterparty.name,
    kind: draft.counterparty.kind,
    uuid: draft.counterparty.uuid,
    originalId: original.id,
    originalName: original.name,
    invoicedKopecks: 0,
    rcpKopecks: draft.plan.totalKopecks,
    differenceKopecks: 0,
  };
}

/** The posted invoices of the drafts' counterparties for the period (the invoice writer's external IDs). */
async function postedOriginals(odoo: OdooClient, drafts: readonly InvoiceDraft[]) {
  const found = await externalIds(odoo).resolve(drafts.map((d) => d.xmlid));
  const ids = drafts.flatMap((d) => {
    const target = found.get(d.xmlid);
    return target && target.model === 'account.move' ? [target.id] : [];
  });
  const moves = new Map<number, Original>();
  for (const batch of batchesOf(ids, odoo.config.batchSize))
    for (const move of await odoo.read<Original>('account.move', batch, [
      'name',
      'state',
      'partner_id',
      'currency_id',
      'journal_id',
      'amount_untaxed',
    ]))
      moves.set(move.id, move);
  return drafts.flatMap((draft) => {
    const original = moves.get(found.get(draft.xmlid)?.id ?? 0);
    return original && original.state === 'posted' ? [{ draft, original }] : [];
  });
}

/** What the originals' and their corrections' usage records say was invoiced, per original. */
async function invoicedFor(odoo: OdooClient, originalIds: readonly number[]): Promise<Map<number, Invoiced>> {
  const rows: UsageRow[] = [];
  for (const batch of batchesOf(originalIds, odoo.config.batchSize))
    rows.push(
      ...z
        .array(UsageRow)
        .parse(
          await odoo.searchRead(
            'x_rcp_usage',
            ['|', ['x_move_id', 'in', batch], ['x_corrects_move_id', 'in', batch]],
            [
              'x_move_id',
              'x_corrects_move_id',
              'x_counterparty_id',
              'x_product_id',
              'x_name',
              'x_quantity',
              'x_amount',
            ],
          ),
        ),
    );
  const originals = new Set(originalIds);
  const correctionIds = [
    ...new Set(rows.flatMap((r) => (r.x_move_id && !originals.has(r.x_move_id[0]) ? [r.x_move_id[0]] : []))),
  ];
  const cancelled = new Set<number>();
  for (const batch of batchesOf(correctionIds, odoo.config.batchSize))
    for (const move of await odoo.read<{ id: number; state: string }>('account.move', batch, ['state']))
      if (move.state === 'cancel') cancelled.add(move.id);
  const counterpartyIds = [
    ...new Set(rows.flatMap((r) => (r.x_counterparty_id ? [r.x_counterparty_id[0]] : []))),
  ];
  const uuidOf = new Map<number, string>();
  for (const batch of batchesOf(counterpartyIds, odoo.config.batchSize))
    for (const c of await odoo.read<{ id: number; x_rcp_id: string }>('x_rcp_counterparty', batch, [
      'x_rcp_id',
    ]))
      uuidOf.set(c.id, c.x_rcp_id);
  const byOriginal = new Map<number, Invoiced>();
  const seenCorrections = new Map<number, Set<number>>();
  for (const row of rows) {
    if (!row.x_move_id || cancelled.has(row.x_move_id[0])) continue;
    const moveId = row.x_move_id[0];
    const own = originals.has(moveId) && !row.x_corrects_move_id;
    const originalId = own ? moveId : row.x_corrects_move_id ? row.x_corrects_move_id[0] : 0;
    if (!originals.has(originalId)) continue;
    const held = byOriginal.get(originalId) ?? { amounts: [], ownKopecks: 0, corrections: 0 };
    byOriginal.set(originalId, held);
    const amountKopecks = toKopecks(row.x_amount);
    if (own) held.ownKopecks += amountKopecks;
    else {
      const seen = seenCorrections.get(originalId) ?? new Set<number>();
      seen.add(moveId);
      seenCorrections.set(originalId, seen);
      held.corrections = seen.size;
    }
    held.amounts.push({
      client: row.x_counterparty_id
        ? (uuidOf.get(row.x_counterparty_id[0]) ?? `?${row.x_counterparty_id[0]}`)
        : '?',
      clientName: row.x_counterparty_id ? row.x_counterparty_id[1] : '?',
      productId: row.x_product_id ? row.x_product_id[0] : 0,
      name: row.x_name || (row.x_product_id ? row.x_product_id[1] : '?'),
      quantity: decimalOf(row.x_quantity),
      amountKopecks,
    });
  }
  return byOriginal;
}

/** RCP's usage now, as the invoice's usage records would be: per client and product, in kopecks. */
function usageNow(draft: InvoiceDraft): UsageAmount[] {
  return usageRecordsOf(draft.plan, draft.plan.totalKopecks).map((r) => ({
    client: r.clientId.toLowerCase(),
    clientName: r.clientName,
    productId: draft.productIds.get(r.billingClassId) ?? 0,
    name: r.billingClassName,
    quantity: new Decimal(r.quantity),
    amountKopecks: r.amountKopecks,
  }));
}

async function correctOne(
  deps: ProcessDeps,
  draft: InvoiceDraft,
  original: Original,
  known: Invoiced | undefined,
  options: { period: string; dryRun: boolean; taxIds: readonly number[]; debitLink: boolean },
): Promise<CorrectionResult> {
  const base = resultBase(draft, original);
  let invoiced = known ?? { amounts: [], ownKopecks: 0, corrections: 0 };
  const untaxed = toKopecks(original.amount_untaxed);
  // Without records that add up to the invoice, what was invoiced per client and class is not known.
  if (invoiced.ownKopecks !== untaxed)
    return {
      ...base,
      outcome: 'failed',
      error: `its usage records (RCP → Usage) add up to ${formatRubles(invoiced.ownKopecks)} ₽, not its untaxed amount ${formatRubles(untaxed)} ₽: what it invoiced per client and billing class is not known, so no correction was made; correct it by hand`,
    };
  const now = usageNow(draft);
  for (let attempt = 1; attempt <= 3; attempt++) {
    const plan = correctionOf(now, invoiced.amounts, options.period);
    const figures = {
      invoicedKopecks: plan?.invoicedKopecks ?? draft.plan.totalKopecks,
      differenceKopecks: plan?.differenceKopecks ?? 0,
    };
    if (!plan) return { ...base, ...figures, outcome: 'no difference' };
    const refund = plan.moveType === 'out_refund';
    if (options.dryRun)
      return {
        ...base,
        ...figures,
        outcome: refund ? 'would make credit note' : 'would make additional invoice',
      };
    const answer = await writeCorrection(
      deps.odoo,
      await correctionValues(deps, draft, original, plan, invoiced.corrections + 1, options),
    );
    if (answer.made) {
      const [move] = await deps.odoo.read<{ id: number; amount_untaxed: number }>(
        'account.move',
        [answer.moveId],
        ['amount_untaxed'],
      );
      const documentKopecks = move ? toKopecks(move.amount_untaxed) : Number.NaN;
      const outcome = refund ? 'credit note' : 'additional invoice';
      if (documentKopecks !== Math.abs(plan.differenceKopecks))
        return {
          ...base,
          ...figures,
          outcome: 'failed',
          documentId: answer.moveId,
          documentKopecks,
          error: `its ${outcome} (account.move ${answer.moveId}) came out at ${formatRubles(documentKopecks)} ₽ in Odoo, not the difference ${formatRubles(Math.abs(plan.differenceKopecks))} ₽: check its taxes; it is left as a draft for review`,
        };
      return { ...base, ...figures, outcome, documentId: answer.moveId, documentKopecks };
    }
    if (answer.why !== 'changed')
      return {
        ...base,
        ...figures,
        outcome: 'failed',
        error: `the invoice is no longer posted (${answer.why})`,
      };
    // Another run corrected it meanwhile: compared again with what is invoiced now.
    invoiced = (await invoicedFor(deps.odoo, [original.id])).get(original.id) ?? invoiced;
  }
  return {
    ...base,
    outcome: 'failed',
    error: 'what is invoiced kept changing while this run corrected it: run again',
  };
}

async function correctionValues(
  deps: ProcessDeps,
  draft: InvoiceDraft,
  original: Original,
  plan: CorrectionPlan,
  revision: number,
  options: { period: string; taxIds: readonly number[]; debitLink: boolean },
) {
  const refund = plan.moveType === 'out_refund';
  const counterparties = await counterpartiesOf(
    deps.odoo,
    plan.records.map((r) => ({ id: r.client, name: r.clientName })),
  );
  const currency = original.currency_id ? { currency_id: original.currency_id[0] } : {};
  const note = correctionNote(plan, options.period, original.name);
  return {
    originalId: original.id,
    invoicedKopecks: plan.invoicedKopecks,
    move: {
      move_type: plan.moveType,
      partner_id: original.partner_id ? original.partner_id[0] : draft.partnerId,
      ref: `RCP ${options.period}: корректировка ${original.name}`,
      invoice_origin: original.name,
      ...(refund
        ? { reversed_entry_id: original.id }
        : options.debitLink
          ? { debit_origin_id: original.id }
          : {}),
      ...(original.journal_id ? { journal_id: original.journal_id[0] } : {}),
      ...currency,
      invoice_line_ids: plan.lines.map((line) => [
        0,
        0,
        {
          product_id: line.productId,
          name: line.label,
          quantity: 1,
          price_unit: line.amountKopecks / 100,
          tax_ids: [[6, 0, [...options.taxIds]]],
        },
      ]),
    },
    usage: plan.records.map((r) => ({
      x_name: r.name,
      x_period: options.period,
      x_partner_id: original.partner_id ? original.partner_id[0] : draft.partnerId,
      x_counterparty_id: counterparties.get(r.client) ?? false,
      x_product_id: r.productId || false,
      x_quantity: r.quantity.toDecimalPlaces(6).toNumber(),
      x_amount: r.amountKopecks / 100,
      ...(original.currency_id ? { x_currency_id: original.currency_id[0] } : {}),
    })),
    attachment: {
      name: `${USAGE_ATTACHMENT_PREFIX}${options.period}-correction-${revision}-${original.name.replace(/[^\w-]+/g, '_')}.csv`,
      datas: Buffer.from(correctionCsv(plan.records), 'utf8').toString('base64'),
      mimetype: 'text/csv',
    },
    note,
    originalNote: note,
  };
}

export interface CorrectionsOfInvoice {
  /** What the posted corrections add (an additional invoice) or take off (a credit note), in kopecks. */
  postedKopecks: number;
  /** Corrections still drafts (account.move ids): not counted until the accountant posts them. */
  drafts: number[];
}

/**
 * The corrections made of each of some invoices (found by their usage records, which only the
 * connector writes): what the posted ones add or take off, and which still wait as drafts.
 */
export async function correctionsOf(
  odoo: OdooClient,
  originalIds: readonly number[],
  totalField: 'amount_untaxed' | 'amount_total',
): Promise<Map<number, CorrectionsOfInvoice>> {
  const links = new Map<number, number>();
  for (const batch of batchesOf(originalIds, odoo.config.batchSize))
    for (const row of z
      .array(
        z.object({
          x_move_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
          x_corrects_move_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
        }),
      )
      .parse(
        await odoo.searchRead(
          'x_rcp_usage',
          [
            ['x_corrects_move_id', 'in', batch],
            ['x_move_id', '!=', false],
          ],
          ['x_move_id', 'x_corrects_move_id'],
        ),
      ))
      if (row.x_move_id && row.x_corrects_move_id) links.set(row.x_move_id[0], row.x_corrects_move_id[0]);
  const out = new Map<number, CorrectionsOfInvoice>();
  type Move = OdooRecord & { state: string; move_type: string; amount_untaxed: number; amount_total: number };
  for (const batch of batchesOf([...links.keys()], odoo.config.batchSize))
    for (const move of await odoo.read<Move>('account.move', batch, [
      'state',
      'move_type',
      'amount_untaxed',
      'amount_total',
    ])) {
      const originalId = links.get(move.id) as number;
      const held = out.get(originalId) ?? { postedKopecks: 0, drafts: [] };
      out.set(originalId, held);
      if (move.state === 'draft') held.drafts.push(move.id);
      if (move.state !== 'posted') continue;
      const kopecks = toKopecks(move[totalField]);
      held.postedKopecks += move.move_type === 'out_refund' ? -kopecks : kopecks;
    }
  return out;
}
