import { invoiceNote, usageDetailCsv } from '../../mappings/invoice-lines.ts';
import { toKopecks } from '../../mappings/money.ts';
import { roundToDigits } from '../../mappings/odoo-values.ts';
import { periodRange } from '../../mappings/period.ts';
import { mapLimit } from '../concurrency.ts';
import { messageOf } from '../errors.ts';
import type { OdooRecord } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import type { InvoiceDraft, InvoiceResult } from './invoice-period.ts';
import type { OdooRefs } from './odoo-refs.ts';

interface WriteOptions {
  period: string;
  dryRun: boolean;
  refs: OdooRefs;
}

interface MoveRow extends OdooRecord {
  state: string;
  partner_id: [number, string] | false;
  invoice_date: string | false;
  ref: string | false;
  invoice_origin: string | false;
  invoice_payment_term_id: [number, string] | false;
  amount_untaxed: number;
  amount_total: number;
}

interface LineRow extends OdooRecord {
  move_id: [number, string];
  product_id: [number, string] | false;
  name: string | false;
  quantity: number;
  price_unit: number;
  tax_ids: number[];
}

interface Header {
  partnerId: number;
  invoiceDate: string;
  ref: string;
  origin: string;
  termId: number;
}

function sameHeader(move: MoveRow, h: Header): boolean {
  return (
    (move.partner_id ? move.partner_id[0] : 0) === h.partnerId &&
    move.invoice_date === h.invoiceDate &&
    move.ref === h.ref &&
    move.invoice_origin === h.origin &&
    (move.invoice_payment_term_id ? move.invoice_payment_term_id[0] : 0) === h.termId
  );
}

const recordOf = (draft: InvoiceDraft) => `${draft.unit.kind} ${draft.unit.name} (${draft.unit.uuid})`;

const HEADER_FIELDS = [
  'state',
  'partner_id',
  'invoice_date',
  'ref',
  'invoice_origin',
  'invoice_payment_term_id',
  'amount_untaxed',
  'amount_total',
];

/**
 * Writes the drafts: new invoices get their header and external ID together through `load()`
 * (one call for many), then their lines; an existing draft whose lines or header differ is
 * rewritten in place; posted and cancelled invoices are left alone and reported. Every written
 * invoice is read back and its amount compared with the connector's total, to the kopeck.
 */
export async function writeInvoices(
  deps: ProcessDeps,
  drafts: readonly InvoiceDraft[],
  options: WriteOptions,
): Promise<{ results: InvoiceResult[]; failed: FailedRecord[] }> {
  const { odoo, config } = deps;
  const results: InvoiceResult[] = [];
  const failed: FailedRecord[] = [];
  if (drafts.length === 0) return { results, failed };
  const taxIds = [...config.invoicing.taxIds].sort((a, b) => a - b);
  const existing = await odoo.externalIds.resolve(drafts.map((d) => d.xmlid));
  const existingIds = drafts.flatMap((d) => {
    const found = existing.get(d.xmlid);
    return found && found.model === 'account.move' ? [found.id] : [];
  });
  const moves = new Map(
    (await odoo.read<MoveRow>('account.move', existingIds, HEADER_FIELDS)).map((m) => [m.id, m]),
  );
  const lines = existingIds.length
    ? await odoo.searchRead<LineRow>(
        'account.move.line',
        [
          ['move_id', 'in', existingIds],
          ['display_type', '=', 'product'],
        ],
        ['move_id', 'product_id', 'name', 'quantity', 'price_unit', 'tax_ids'],
      )
    : [];
  const linesOf = (moveId: number) => lines.filter((l) => l.move_id[0] === moveId);
  const header = (draft: InvoiceDraft): Header => ({
    partnerId: draft.partnerId,
    invoiceDate: invoiceDate(options.period, config.invoicing.invoiceDate),
    ref: `RCP ${options.period}`,
    origin: `RCP ${options.period} ${draft.unit.kind} ${draft.unit.uuid}`,
    termId:
      draft.unit.paymentModel === 'prepay' ? options.refs.paymentTermPrepay : options.refs.paymentTermPostpay,
  });
  const desiredLines = (draft: InvoiceDraft) =>
    draft.plan.lines.map((line) => ({
      product_id: draft.productIds.get(line.billingClassId) as number,
      name: line.label,
      quantity: line.odooQuantity,
      price_unit: line.odooPriceUnit,
      tax_ids: [[6, 0, taxIds]],
    }));
  const resultOf = (
    draft: InvoiceDraft,
    outcome: InvoiceResult['outcome'],
    extra: Partial<InvoiceResult> = {},
  ): InvoiceResult => ({
    counterparty: draft.unit.name,
    kind: draft.unit.kind,
    uuid: draft.unit.uuid,
    outcome,
    totalKopecks: draft.plan.totalKopecks,
    lines: draft.plan.lines.map((l) => ({
      label: l.label,
      quantity: l.odooQuantity,
      priceUnit: l.odooPriceUnit,
      amountKopecks: l.amountKopecks,
    })),
    ...extra,
  });

  const toCreate: InvoiceDraft[] = [];
  const toUpdate: Array<{ draft: InvoiceDraft; move: MoveRow }> = [];
  for (const draft of drafts) {
    const found = existing.get(draft.xmlid);
    const move = found ? moves.get(found.id) : undefined;
    if (!move) {
      if (options.dryRun) results.push(resultOf(draft, 'would create'));
      else toCreate.push(draft);
      continue;
    }
    if (move.state !== 'draft') {
      const outcome = move.state === 'cancel' ? 'left cancelled' : 'left posted';
      results.push(
        resultOf(draft, outcome, { odooId: move.id, odooKopecks: toKopecks(move.amount_untaxed) }),
      );
      continue;
    }
    const sameLines = sameLineSet(desiredLines(draft), linesOf(move.id), taxIds);
    if (sameHeader(move, header(draft)) && sameLines)
      results.push(
        resultOf(draft, 'unchanged', { odooId: move.id, odooKopecks: toKopecks(move.amount_untaxed) }),
      );
    else if (options.dryRun) results.push(resultOf(draft, 'would update', { odooId: move.id }));
    else toUpdate.push({ draft, move });
  }
  if (options.dryRun) return { results, failed };

  // New invoices: header and external ID in one load() per batch.
  const created = new Map<InvoiceDraft, number>();
  const columns = [
    'id',
    'move_type',
    'partner_id/.id',
    'invoice_date',
    'ref',
    'invoice_origin',
    'invoice_payment_term_id/.id',
  ];
  if (config.invoicing.journalId) columns.push('journal_id/.id');
  const loadHeaders = async (batchOf: InvoiceDraft[], into?: Map<InvoiceDraft, number>): Promise<void> => {
    for (let start = 0; start < batchOf.length; start += odoo.config.batchSize) {
      const batch = batchOf.slice(start, start + odoo.config.batchSize);
      const rows = batch.map((draft) => {
        const h = header(draft);
        const row = [
          draft.xmlid,
          'out_invoice',
          String(h.partnerId),
          h.invoiceDate,
          h.ref,
          h.origin,
          String(h.termId),
        ];
        if (config.invoicing.journalId) row.push(String(config.invoicing.journalId));
        return row;
      });
      const loaded = await odoo.load(
        'account.move',
        columns,
        rows,
        into ? { tracking_disable: true } : undefined,
      );
      if (!loaded.ids) {
        const error = loaded.messages.map((m) => m.message).join('; ') || 'Odoo refused the invoices';
        for (const draft of batch) {
          failed.push({ kind: 'invoice', record: recordOf(draft), error });
          results.push(resultOf(draft, 'failed', { error }));
        }
        continue;
      }
      batch.forEach((draft, index) => into?.set(draft, loaded.ids?.[index] as number));
    }
  };
  await loadHeaders(toCreate, created);

  // Headers of updated drafts that changed: through load() as well (it updates by external ID).
  const changedHeaders = toUpdate.filter(({ draft, move }) => !sameHeader(move, header(draft)));
  await loadHeaders(changedHeaders.map((u) => u.draft));

  // Lines, in bulk: the old lines of updated drafts go in one unlink, every new line in one create
  // per batch; Odoo keeps each invoice's tax and payment-term lines in step as it does for the UI.
  const jobs = [
    ...[...created].map(([draft, id]) => ({ draft, id, outcome: 'created' as const })),
    ...toUpdate.map(({ draft, move }) => ({ draft, id: move.id, outcome: 'updated' as const })),
  ];
  const oldLines = toUpdate.flatMap(({ move }) => linesOf(move.id).map((l) => l.id));
  const written: Array<{ draft: InvoiceDraft; id: number; outcome: 'created' | 'updated' }> = [];
  try {
    for (let start = 0; start < oldLines.length; start += odoo.config.batchSize) {
      await odoo.unlink('account.move.line', oldLines.slice(start, start + odoo.config.batchSize));
    }
    const newLines = jobs.flatMap((job) =>
      desiredLines(job.draft).map((line) => ({ ...line, move_id: job.id })),
    );
    await odoo.create('account.move.line', newLines);
    written.push(...jobs);
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
    // One invoice's lines were refused: find it by writing them invoice by invoice.
    await mapLimit(jobs, odoo.config.concurrency, async (job) => {
      const current = await odoo.search('account.move.line', [
        ['move_id', '=', job.id],
        ['display_type', '=', 'product'],
      ]);
      try {
        await odoo.write('account.move', [job.id], {
          invoice_line_ids: [
            ...current.map((id) => [2, id]),
            ...desiredLines(job.draft).map((line) => [0, 0, line]),
          ],
        });
        written.push(job);
      } catch (lineError) {
        if (!(lineError instanceof OdooError) || lineError.retryable) throw lineError;
        const message = `Odoo refused the lines: ${lineError.serverMessage}`;
        failed.push({ kind: 'invoice', record: recordOf(job.draft), error: message });
        results.push(resultOf(job.draft, 'failed', { odooId: job.id, error: message }));
      }
    });
  }

  // Read back: Odoo's amount must be the connector's, to the kopeck.
  const compareTotal = await totalField(deps, taxIds);
  const after = new Map(
    (
      await odoo.read<MoveRow>(
        'account.move',
        written.map((w) => w.id),
        ['amount_untaxed', 'amount_total'],
      )
    ).map((m) => [m.id, m]),
  );
  const good: typeof written = [];
  for (const w of written) {
    const move = after.get(w.id);
    const odooKopecks = move ? toKopecks(move[compareTotal]) : Number.NaN;
    if (odooKopecks !== w.draft.plan.totalKopecks) {
      const error = `Odoo's ${compareTotal} is ${odooKopecks / 100} but RCP's total is ${w.draft.plan.totalKopecks / 100}: check the taxes and precisions of the lines; the draft is left for review`;
      failed.push({
        kind: 'invoice',
        record: `${w.draft.unit.kind} ${w.draft.unit.name} (${w.draft.unit.uuid})`,
        error,
      });
      results.push(resultOf(w.draft, 'failed', { odooId: w.id, odooKopecks, error }));
    } else {
      good.push(w);
      results.push(resultOf(w.draft, w.outcome, { odooId: w.id, odooKopecks }));
    }
  }
  await attachDetails(deps, written, options.period);
  await postNotes(deps, good, options.period);
  return { results, failed };
}

/**
 * A chatter note on each written invoice, all in one call (internal notes are `mail.message`
 * records); one `message_post` per invoice when the user may not create messages directly.
 */
async function postNotes(
  deps: ProcessDeps,
  written: Array<{ draft: InvoiceDraft; id: number }>,
  period: string,
) {
  if (written.length === 0) return;
  const { odoo } = deps;
  const note = (w: { draft: InvoiceDraft }) =>
    invoiceNote(period, w.draft.plan.totalKopecks, w.draft.plan.lines.length);
  const subtype = (await odoo.externalIds.resolve(['mail.mt_note'])).get('mail.mt_note')?.id;
  try {
    await odoo.create(
      'mail.message',
      written.map((w) => ({
        model: 'account.move',
        res_id: w.id,
        body: note(w),
        message_type: 'comment',
        ...(subtype ? { subtype_id: subtype } : {}),
      })),
    );
    return;
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
  }
  await mapLimit(written, odoo.config.concurrency, async (w) => {
    try {
      await odoo.postNote('account.move', w.id, note(w));
    } catch (error) {
      // A note that cannot be posted (on 17/18 a user without an email address) does not undo an invoice.
      deps.log.warn({ invoice: w.id, problem: messageOf(error) }, 'could not post the chatter note');
    }
  });
}

/** The usage detail CSV on each written invoice, replacing the previous one. */
async function attachDetails(
  deps: ProcessDeps,
  written: Array<{ draft: InvoiceDraft; id: number }>,
  period: string,
) {
  if (written.length === 0) return;
  const { odoo } = deps;
  const old = await odoo.search('ir.attachment', [
    ['res_model', '=', 'account.move'],
    ['res_id', 'in', written.map((w) => w.id)],
    ['name', '=like', 'rcp-usage-%'],
  ]);
  await odoo.unlink('ir.attachment', old);
  await odoo.create(
    'ir.attachment',
    written.map((w) => ({
      name: `rcp-usage-${period}-${w.draft.unit.kind}-${w.draft.unit.uuid}.csv`,
      res_model: 'account.move',
      res_id: w.id,
      mimetype: 'text/csv',
      datas: Buffer.from(usageDetailCsv(w.draft.plan.details), 'utf8').toString('base64'),
    })),
  );
}

/** With only price-included taxes, the lines' prices hold the tax: compare the total; else the untaxed amount. */
async function totalField(deps: ProcessDeps, taxIds: number[]): Promise<'amount_untaxed' | 'amount_total'> {
  if (taxIds.length === 0) return 'amount_untaxed';
  const taxes = await deps.odoo.read<{ id: number; price_include: boolean }>('account.tax', taxIds, [
    'price_include',
  ]);
  return taxes.length > 0 && taxes.every((t) => t.price_include) ? 'amount_total' : 'amount_untaxed';
}

function sameLineSet(
  desired: Array<{ product_id: number; name: string; quantity: number; price_unit: number }>,
  current: LineRow[],
  taxIds: number[],
): boolean {
  if (desired.length !== current.length) return false;
  const key = (l: { product: number; name: string; quantity: number; price: number }) =>
    `${l.product}|${l.name}|${roundToDigits(l.quantity, 6)}|${roundToDigits(l.price, 6)}`;
  const want = desired
    .map((l) => key({ product: l.product_id, name: l.name, quantity: l.quantity, price: l.price_unit }))
    .sort();
  const have = current
    .map((l) =>
      key({
        product: l.product_id ? l.product_id[0] : 0,
        name: l.name || '',
        quantity: l.quantity,
        price: l.price_unit,
      }),
    )
    .sort();
  const taxesSame = current.every(
    (l) => JSON.stringify([...l.tax_ids].sort((a, b) => a - b)) === JSON.stringify(taxIds),
  );
  return taxesSame && JSON.stringify(want) === JSON.stringify(have);
}

export function invoiceDate(
  period: string,
  rule: 'period-end' | 'period-start' | 'next-period-start',
): string {
  const range = periodRange(period);
  if (rule === 'period-start') return range.start;
  if (rule === 'period-end') return range.end;
  const next = new Date(`${range.end}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}
