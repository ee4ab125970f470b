import pMap from 'p-map';
import {
  invoiceHeaderColumns,
  productLinesDomain,
  sameHeader,
  toInvoiceHeaderRow,
} from '../../../mappings/invoice-values.ts';
import { batchesOf } from '../../batches.ts';
import { OdooError } from '../../odoo/errors.ts';
import type { ProcessDeps } from '../deps.ts';
import type { CurrentInvoices, DesiredInvoice, InvoiceDecisions } from './decide.ts';
import { type WriteOutcomes, type WrittenInvoice, reportFailure } from './outcomes.ts';

/**
 * Writes what was decided: headers first (new invoices get header and external ID together), then
 * the lines. Returns the invoices whose lines are in Odoo; the others are reported in `out`.
 */
export async function writeDecidedInvoices(
  deps: ProcessDeps,
  decisions: InvoiceDecisions,
  current: CurrentInvoices,
  out: WriteOutcomes,
): Promise<WrittenInvoice[]> {
  // New drafts without chatter bookkeeping (their creation is noted once, by the annotate phase).
  const created = await writeHeaders(deps, decisions.toCreate, out, { tracking_disable: true });
  // Headers of updated drafts that changed: through load() as well (it updates by external ID).
  await writeHeaders(
    deps,
    decisions.toUpdate.filter((u) => !sameHeader(u.move, u.header)),
    out,
  );
  const jobs = [
    ...[...created].map(([invoice, id]) => ({ invoice, id, outcome: 'created' as const })),
    ...decisions.toUpdate.map((u) => ({
      invoice: u as DesiredInvoice,
      id: u.move.id,
      outcome: 'updated' as const,
    })),
  ];
  const oldLines = decisions.toUpdate.flatMap(({ move }) => current.linesOf(move.id).map((l) => l.id));
  return replaceLines(deps, jobs, oldLines, out);
}

/**
 * Headers through `load()`, one call per batch: it creates a new invoice with its external ID, or
 * updates the one the external ID names. A refused batch is reported invoice by invoice.
 */
async function writeHeaders(
  deps: ProcessDeps,
  invoices: readonly DesiredInvoice[],
  out: WriteOutcomes,
  context?: Record<string, unknown>,
): Promise<Map<DesiredInvoice, number>> {
  const { odoo, config } = deps;
  const journalId = config.invoicing.journalId;
  const columns = invoiceHeaderColumns(journalId);
  const ids = new Map<DesiredInvoice, number>();
  for (const batch of batchesOf(invoices, odoo.config.batchSize)) {
    const rows = batch.map((invoice) => toInvoiceHeaderRow(invoice.draft.xmlid, invoice.header, journalId));
    const loaded = await odoo.load('account.move', columns, rows, context);
    if (!loaded.ids) {
      const error = loaded.messages.map((m) => m.message).join('; ') || 'Odoo refused the invoices';
      for (const invoice of batch) reportFailure(out, invoice.draft, error);
      continue;
    }
    batch.forEach((invoice, index) => ids.set(invoice, loaded.ids?.[index] as number));
  }
  return ids;
}

interface LineJob {
  invoice: DesiredInvoice;
  id: number;
  outcome: 'created' | 'updated';
}

/**
 * Lines, in bulk: the old lines of updated drafts go in one unlink per batch, every new line in one
 * create; Odoo keeps each invoice's tax and payment-term lines in step as it does for the UI. When
 * Odoo refuses, the invoice at fault is found by writing the lines invoice by invoice.
 */
async function replaceLines(
  deps: ProcessDeps,
  jobs: readonly LineJob[],
  oldLines: readonly number[],
  out: WriteOutcomes,
): Promise<WrittenInvoice[]> {
  const { odoo } = deps;
  const written: WrittenInvoice[] = [];
  const done = (job: LineJob) => written.push({ draft: job.invoice.draft, id: job.id, outcome: job.outcome });
  try {
    for (const batch of batchesOf(oldLines, odoo.config.batchSize))
      await odoo.unlink('account.move.line', batch);
    const newLines = jobs.flatMap((job) => job.invoice.lines.map((line) => ({ ...line, move_id: job.id })));
    await odoo.create('account.move.line', newLines);
    for (const job of jobs) done(job);
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
    await pMap(
      jobs,
      async (job) => {
        const current = await odoo.search('account.move.line', productLinesDomain([job.id]));
        try {
          await odoo.write('account.move', [job.id], {
            invoice_line_ids: [
              ...current.map((id) => [2, id]),
              ...job.invoice.lines.map((line) => [0, 0, line]),
            ],
          });
          done(job);
        } catch (lineError) {
          if (!(lineError instanceof OdooError) || lineError.retryable) throw lineError;
          const message = `Odoo refused the lines: ${lineError.serverMessage}`;
          reportFailure(out, job.invoice.draft, message, { odooId: job.id });
        }
      },
      { concurrency: Math.max(1, odoo.config.concurrency) },
    );
  }
  return written;
}
