import pMap from 'p-map';
import {
  invoiceColumns,
  replaceLineCommands,
  toInvoiceHeaderValues,
  toInvoiceRows,
} from '../../../mappings/invoice-values.ts';
import { batchesOf } from '../../batches.ts';
import type { ProcessDeps } from '../../deps.ts';
import { OdooError } from '../../odoo/errors.ts';
import { writeDraft } from '../../workspace/draft-marks.ts';
import type { DesiredInvoice, InvoiceDecisions } from './decide.ts';
import { type WriteOutcomes, type WrittenInvoice, recordOf, reportFailure, resultOf } from './outcomes.ts';

/**
 * Writes what was decided. New invoices: header, external ID and lines in ONE `load()` per batch,
 * so a run (or an Odoo) that dies at any moment leaves the draft whole or not there, never a header
 * at 0.00. Drafts to rewrite: header and lines in ONE `write` each, so an update Odoo refuses
 * leaves the old draft as it was. Returns the invoices whose lines are in Odoo; the others are
 * reported in `out`.
 */
export async function writeDecidedInvoices(
  deps: ProcessDeps,
  decisions: InvoiceDecisions,
  out: WriteOutcomes,
  /** With the workspace: each rewrite checks the draft's mark in the same Odoo transaction. */
  guarded?: Guarded,
): Promise<WrittenInvoice[]> {
  // New drafts without chatter bookkeeping (their creation is noted once, by the annotate phase).
  const written = await createDrafts(deps, decisions.toCreate, out, { tracking_disable: true });
  const updates = decisions.toUpdate.map((update) => ({ invoice: update, id: update.move.id, header: true }));
  written.push(...(await replaceEach(deps, updates, out, 'updated', guarded)));
  return written;
}

/**
 * New invoices through `load()`, one call per batch: it creates each invoice with its external ID
 * and its lines in one transaction (all of the batch or none). A refused batch is tried again
 * invoice by invoice, so one invoice Odoo refuses is reported alone and the others are made.
 */
async function createDrafts(
  deps: ProcessDeps,
  invoices: readonly DesiredInvoice[],
  out: WriteOutcomes,
  context?: Record<string, unknown>,
): Promise<WrittenInvoice[]> {
  const { odoo, config } = deps;
  const journalId = config.invoicing.journalId;
  const columns = invoiceColumns(journalId);
  const written: WrittenInvoice[] = [];
  const load = async (batch: readonly DesiredInvoice[]): Promise<string | undefined> => {
    const rows = batch.flatMap((invoice) =>
      toInvoiceRows(invoice.draft.xmlid, invoice.header, invoice.lines, journalId),
    );
    const loaded = await odoo.load('account.move', columns, rows, context);
    if (loaded.ids) {
      batch.forEach((invoice, index) =>
        written.push({ draft: invoice.draft, id: loaded.ids?.[index] as number, outcome: 'created' }),
      );
      return undefined;
    }
    const messages = loaded.messages.map((m) => m.message.trim());
    // load() does not retry a serialization failure: another run wrote these invoices at that moment.
    return messages.length > 0 && messages.every((m) => m.includes('could not serialize access'))
      ? 'another run was writing these invoices at the same moment: left to it; run again to check them'
      : [...new Set(messages)].join('; ') || 'Odoo refused the invoices';
  };
  for (const batch of batchesOf(invoices, odoo.config.batchSize)) {
    const refused = await load(batch);
    if (refused === undefined) continue;
    if (batch.length === 1 || refused.startsWith('another run')) {
      for (const invoice of batch) reportFailure(out, invoice.draft, refused);
      continue;
    }
    for (const invoice of batch) {
      const alone = await load([invoice]);
      if (alone !== undefined) reportFailure(out, invoice.draft, alone);
    }
  }
  return written;
}

export interface LineJob {
  invoice: DesiredInvoice;
  id: number;
  /** Rewrite the header too (a draft that exists). */
  header?: boolean;
}

/** With the workspace: rewrites go through the server action that checks the draft's mark first. */
export interface Guarded {
  /** Rewrite drafts an accountant edited (`--force`). */
  force: boolean;
}

/**
 * Each invoice's lines (and, for a rewritten draft, its header) replaced in one `write`: Odoo
 * applies all of it or none of it, keeping tax and payment-term lines in step as it does for the UI.
 * With the workspace the write is made by `action_write_draft`, which first compares the draft with
 * the connector's mark in the same transaction: a draft an accountant edited at any moment before
 * is left as it is and reported `left edited` (unless forced).
 */
export async function replaceEach(
  deps: ProcessDeps,
  jobs: readonly LineJob[],
  out: WriteOutcomes,
  outcome: WrittenInvoice['outcome'],
  guarded?: Guarded,
): Promise<WrittenInvoice[]> {
  const { odoo } = deps;
  const written: WrittenInvoice[] = [];
  await pMap(
    jobs,
    async (job) => {
      const values = {
        ...(job.header ? toInvoiceHeaderValues(job.invoice.header, deps.config.invoicing.journalId) : {}),
        invoice_line_ids: replaceLineCommands(job.invoice.lines),
      };
      try {
        if (guarded) {
          const answer = await writeDraft(odoo, job.id, values, guarded.force);
          if (!answer.written) {
            const error =
              answer.why === 'edited'
                ? 'the draft was changed in Odoo since the connector wrote it (while this run was writing): not overwritten; review it, or run again with --force to replace it'
                : answer.why === 'corrected'
                  ? 'the invoice was reset to draft after corrections were made for it (credit notes / additional invoices of `invoice --corrections`): not rewritten, it would count the corrected difference twice; post it again as it was, or cancel its corrections first'
                  : `the invoice is no longer a draft (${answer.why}): left as it is`;
            out.failed.push({ kind: 'invoice', record: recordOf(job.invoice.draft), error });
            out.results.push(
              resultOf(job.invoice.draft, answer.why === 'edited' ? 'left edited' : 'failed', {
                odooId: job.id,
                error,
              }),
            );
            return;
          }
        } else {
          await odoo.write('account.move', [job.id], values);
        }
        written.push({ draft: job.invoice.draft, id: job.id, outcome });
      } catch (error) {
        if (!(error instanceof OdooError) || error.retryable) throw error;
        const message = `Odoo refused the lines, the draft is left as it was: ${error.serverMessage}`;
        reportFailure(out, job.invoice.draft, message, { odooId: job.id });
      }
    },
    { concurrency: Math.max(1, odoo.config.concurrency) },
  );
  return written;
}
