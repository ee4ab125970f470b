import pMap from 'p-map';
import { invoiceNote, usageDetailCsv } from '../../../mappings/invoice-lines.ts';
import {
  formatWriterMark,
  invoiceFingerprint,
  usageAttachmentName,
} from '../../../mappings/invoice-values.ts';
import { batchesOf } from '../../batches.ts';
import type { ProcessDeps } from '../../deps.ts';
import { messageOf } from '../../errors.ts';
import { NOTE_SUBTYPE } from '../../odoo/client.ts';
import { OdooError } from '../../odoo/errors.ts';
import { externalIds } from '../../odoo/external-ids.ts';
import { annotateDrafts } from '../../workspace/draft-marks.ts';
import type { InvoiceDraft } from '../invoice-types.ts';
import { markOf, type readMoves } from './decide.ts';

type Annotated = { draft: InvoiceDraft; id: number };
type HeldMoves = Awaited<ReturnType<typeof readMoves>>;

/**
 * What a person reviewing the invoices sees beside the lines, and what the next run needs to
 * know: ONE chatter note per invoice (updated on later runs, never added again) on those whose
 * total Odoo confirmed, and the usage detail CSV whose description carries the connector's mark
 * (the fingerprint of the invoice as written, and the note's id).
 *
 * @param marked invoices the connector wrote (or found unmarked) this run, as `held` reads them now
 * @param noted those of them that get their note created or brought up to date
 */
export async function annotateInvoices(
  deps: ProcessDeps,
  held: HeldMoves,
  marked: readonly Annotated[],
  noted: readonly Annotated[],
  period: string,
  workspace: {
    workspace: boolean;
    editedBefore: ReadonlyArray<{ id: number; noteId: number | undefined }>;
  } = {
    workspace: false,
    editedBefore: [],
  },
): Promise<void> {
  if (workspace.workspace && workspace.editedBefore.length > 0) {
    await annotateDrafts(
      deps.odoo,
      workspace.editedBefore.map((e) => ({ moveId: e.id, noteId: e.noteId, editedBefore: true })),
    );
  }
  if (marked.length === 0) return;
  const notes = workspace.workspace
    ? await markAndNote(deps, held, marked, noted, period)
    : await postOrUpdateNotes(deps, held, noted, period);
  await attachDetails(deps, held, marked, notes, period);
}

/**
 * With the workspace: the marks of drafts written without one, and one note per invoice, decided in
 * Odoo by `action_annotate_drafts` (two runs at once meet on the draft's mark there).
 */
async function markAndNote(
  deps: ProcessDeps,
  held: HeldMoves,
  marked: readonly Annotated[],
  noted: readonly Annotated[],
  period: string,
): Promise<Map<number, number>> {
  const older = await olderNotes(
    deps,
    noted.filter((w) => !markOf(held, w.id)?.noteId),
  );
  const body = new Map(
    noted.map((w) => [w.id, invoiceNote(period, w.draft.plan.totalKopecks, w.draft.plan.lines.length)]),
  );
  const items = [...new Map(marked.map((w) => [w.id, w])).values()].map((w) => ({
    moveId: w.id,
    body: body.get(w.id),
    noteId: markOf(held, w.id)?.noteId ?? older.get(w.id),
  }));
  const notes = new Map<number, number>();
  for (const batch of batchesOf(items, Math.max(1, Math.min(100, deps.odoo.config.batchSize)))) {
    for (const [id, note] of await annotateDrafts(deps.odoo, batch)) notes.set(id, note);
  }
  return notes;
}

/** Notes an older connector made on invoices it did not mark: the first RCP comment of each. */
async function olderNotes(deps: ProcessDeps, unknown: readonly Annotated[]): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  if (unknown.length === 0) return ids;
  const older = await deps.odoo.searchRead<{ id: number; res_id: number }>(
    'mail.message',
    [
      ['model', '=', 'account.move'],
      ['res_id', 'in', unknown.map((w) => w.id)],
      ['message_type', '=', 'comment'],
      ['body', 'ilike', 'RCP'],
    ],
    ['res_id'],
    { order: 'id' },
  );
  for (const m of older) if (!ids.has(m.res_id)) ids.set(m.res_id, m.id);
  return ids;
}

/** The note ids by invoice: the one the connector made before (updated), else a new one. */
async function postOrUpdateNotes(
  deps: ProcessDeps,
  held: HeldMoves,
  noted: readonly Annotated[],
  period: string,
): Promise<Map<number, number>> {
  const { odoo } = deps;
  const ids = new Map<number, number>();
  for (const w of noted) {
    const known = markOf(held, w.id)?.noteId;
    if (known) ids.set(w.id, known);
  }
  // An invoice written by an older connector has its note but no mark: find that note.
  for (const [id, note] of await olderNotes(
    deps,
    noted.filter((w) => !ids.has(w.id)),
  ))
    ids.set(id, note);
  const note = (w: Annotated) => invoiceNote(period, w.draft.plan.totalKopecks, w.draft.plan.lines.length);
  const fresh = noted.filter((w) => !ids.has(w.id));
  const update = noted.filter((w) => ids.has(w.id));
  await pMap(
    update,
    async (w) => {
      try {
        await odoo.write('mail.message', [ids.get(w.id) as number], { body: note(w) });
      } catch (error) {
        if (!(error instanceof OdooError) || error.retryable) throw error;
        // Deleted by a person, or not the connector's to change: say so, and add no second note.
        deps.log.warn({ invoice: w.id, problem: messageOf(error) }, 'could not update the chatter note');
      }
    },
    { concurrency: Math.max(1, odoo.config.concurrency) },
  );
  for (const [w, id] of await createNotes(deps, fresh, note)) ids.set(w.id, id);
  return ids;
}

/**
 * New notes, all in one call (internal notes are `mail.message` records); one `message_post` per
 * invoice when the user may not create messages directly.
 */
async function createNotes(
  deps: ProcessDeps,
  fresh: readonly Annotated[],
  note: (w: Annotated) => string,
): Promise<Array<[Annotated, number]>> {
  if (fresh.length === 0) return [];
  const { odoo } = deps;
  const subtype = (await externalIds(odoo).resolve([NOTE_SUBTYPE])).get(NOTE_SUBTYPE)?.id;
  try {
    const ids = await odoo.create(
      'mail.message',
      fresh.map((w) => ({
        model: 'account.move',
        res_id: w.id,
        body: note(w),
        message_type: 'comment',
        ...(subtype ? { subtype_id: subtype } : {}),
      })),
    );
    return fresh.map((w, i) => [w, ids[i] as number]);
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
  }
  const made: Array<[Annotated, number]> = [];
  await pMap(
    fresh,
    async (w) => {
      try {
        made.push([w, await odoo.postNote('account.move', w.id, note(w))]);
      } catch (error) {
        // A note that cannot be posted (on 17/18 a user without an email address) does not undo an invoice.
        deps.log.warn({ invoice: w.id, problem: messageOf(error) }, 'could not post the chatter note');
      }
    },
    { concurrency: Math.max(1, odoo.config.concurrency) },
  );
  return made;
}

/** The usage detail CSV on each invoice, replacing the previous one, with the connector's mark. */
async function attachDetails(
  deps: ProcessDeps,
  held: HeldMoves,
  marked: readonly Annotated[],
  notes: ReadonlyMap<number, number>,
  period: string,
) {
  const { odoo } = deps;
  const old = marked.flatMap((w) => held.attachmentsOf(w.id).map((a) => a.id));
  const rows = marked.flatMap((w) => {
    const move = held.move(w.id);
    if (!move) return [];
    const mark = formatWriterMark({
      fingerprint: invoiceFingerprint(move, held.invoiceLinesOf(w.id)),
      noteId: notes.get(w.id) ?? markOf(held, w.id)?.noteId,
    });
    return [
      {
        name: usageAttachmentName(period, w.draft.counterparty),
        res_model: 'account.move',
        res_id: w.id,
        mimetype: 'text/csv',
        description: mark,
        datas: Buffer.from(usageDetailCsv(w.draft.plan.details), 'utf8').toString('base64'),
      },
    ];
  });
  // The new attachments first: a run stopped in between leaves two (the newest mark counts), never none.
  await odoo.create('ir.attachment', rows);
  await odoo.unlinkExisting('ir.attachment', old);
}
