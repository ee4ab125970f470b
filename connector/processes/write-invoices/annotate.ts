import pMap from 'p-map';
import { invoiceNote, usageDetailCsv } from '../../../mappings/invoice-lines.ts';
import { USAGE_ATTACHMENT_PREFIX, usageAttachmentName } from '../../../mappings/invoice-values.ts';
import { messageOf } from '../../errors.ts';
import { NOTE_SUBTYPE } from '../../odoo/client.ts';
import { OdooError } from '../../odoo/errors.ts';
import { externalIds } from '../../odoo/external-ids.ts';
import type { ProcessDeps } from '../deps.ts';
import type { InvoiceDraft } from '../invoice-types.ts';

type Annotated = { draft: InvoiceDraft; id: number };

/**
 * What a person reviewing the invoices sees beside the lines: the usage detail CSV on every
 * written invoice, and a chatter note on those whose total Odoo confirmed.
 */
export async function annotateInvoices(
  deps: ProcessDeps,
  written: readonly Annotated[],
  verified: readonly Annotated[],
  period: string,
): Promise<void> {
  await attachDetails(deps, written, period);
  await postNotes(deps, verified, period);
}

/**
 * A chatter note on each written invoice, all in one call (internal notes are `mail.message`
 * records); one `message_post` per invoice when the user may not create messages directly.
 */
async function postNotes(deps: ProcessDeps, written: readonly Annotated[], period: string) {
  if (written.length === 0) return;
  const { odoo } = deps;
  const note = (w: { draft: InvoiceDraft }) =>
    invoiceNote(period, w.draft.plan.totalKopecks, w.draft.plan.lines.length);
  const subtype = (await externalIds(odoo).resolve([NOTE_SUBTYPE])).get(NOTE_SUBTYPE)?.id;
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
  await pMap(
    written,
    async (w) => {
      try {
        await odoo.postNote('account.move', w.id, note(w));
      } catch (error) {
        // A note that cannot be posted (on 17/18 a user without an email address) does not undo an invoice.
        deps.log.warn({ invoice: w.id, problem: messageOf(error) }, 'could not post the chatter note');
      }
    },
    { concurrency: Math.max(1, odoo.config.concurrency) },
  );
}

/** The usage detail CSV on each written invoice, replacing the previous one. */
async function attachDetails(deps: ProcessDeps, written: readonly Annotated[], period: string) {
  if (written.length === 0) return;
  const { odoo } = deps;
  const old = await odoo.search('ir.attachment', [
    ['res_model', '=', 'account.move'],
    ['res_id', 'in', written.map((w) => w.id)],
    ['name', '=like', `${USAGE_ATTACHMENT_PREFIX}%`],
  ]);
  await odoo.unlink('ir.attachment', old);
  await odoo.create(
    'ir.attachment',
    written.map((w) => ({
      name: usageAttachmentName(period, w.draft.counterparty),
      res_model: 'account.move',
      res_id: w.id,
      mimetype: 'text/csv',
      datas: Buffer.from(usageDetailCsv(w.draft.plan.details), 'utf8').toString('base64'),
    })),
  );
}
