import { z } from 'zod';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { runWorkspaceAction } from './actions.ts';
import { uniqueIndexName } from './models.ts';
import { actionCode } from './odoo-files.ts';

/**
 * The connector's mark of each draft it wrote, in the workspace (`x_rcp_draft_mark`, one per
 * invoice, only the connector writes it), and the three server actions that use it, each ONE Odoo
 * transaction where every writer meets:
 *
 * - `action_draft_marks`: which of some drafts an accountant changed since the connector wrote them
 *   (the decide phase's question; the answer is only advice, the write checks again);
 * - `action_write_draft`: a draft's header and lines replaced in one `write`, only when the draft
 *   is still as the connector left it (or forced): the check and the write in one transaction, so
 *   an accountant's edit committed at any moment before is seen (a concurrent one collides on the
 *   rows, and Odoo runs the action again, which then sees it); the mark is renewed with the write;
 * - `action_annotate_drafts`: the mark of drafts written without it (new ones, older connectors'),
 *   and ONE chatter note per invoice: the note the mark names is updated, a new one made and named
 *   only when there is none (two runs at once collide on the mark: one note).
 *
 * The fingerprint compared is computed by Odoo itself (`odoo/actions/_fingerprint.py`), from the fields a person
 * edits: partner, date, reference, origin, payment term, and every product, section and note line.
 */
export const ACTION_DRAFT_MARKS = 'action_draft_marks';
export const ACTION_WRITE_DRAFT = 'action_write_draft';
export const ACTION_ANNOTATE_DRAFTS = 'action_annotate_drafts';
export const DRAFT_MARK_MODEL = 'x_rcp_draft_mark';

/** Each action's code (`odoo/actions/<name>.py`), with the fingerprint function they share. */
const code = (name: string) => actionCode(name, { fingerprint: actionCode('_fingerprint') });

/** The server actions, as (name, label, code), for the workspace definition. */
export const DRAFT_MARK_ACTIONS = [
  { name: ACTION_DRAFT_MARKS, label: 'RCP: which drafts were edited', code: code(ACTION_DRAFT_MARKS) },
  { name: ACTION_WRITE_DRAFT, label: 'RCP: rewrite a draft unless edited', code: code(ACTION_WRITE_DRAFT) },
  {
    name: ACTION_ANNOTATE_DRAFTS,
    label: 'RCP: mark drafts and keep one note each',
    code: code(ACTION_ANNOTATE_DRAFTS),
  },
] as const;

export interface DraftMark {
  edited: boolean;
  noteId: number | undefined;
}

const MarksAnswer = z.object({
  marks: z.array(z.object({ move_id: z.number().int(), edited: z.boolean(), note_id: z.number().int() })),
});

/** The drafts among `moveIds` that carry the connector's mark in Odoo, and whether each was edited since. */
export async function readDraftMarks(
  odoo: OdooClient,
  moveIds: readonly number[],
): Promise<Map<number, DraftMark>> {
  if (moveIds.length === 0) return new Map();
  const answer = MarksAnswer.parse(
    await runWorkspaceAction(odoo, ACTION_DRAFT_MARKS, DRAFT_MARK_MODEL, {
      rcp_marks: { move_ids: moveIds },
    }),
  );
  return new Map(
    answer.marks.map((m) => [m.move_id, { edited: m.edited, noteId: m.note_id > 0 ? m.note_id : undefined }]),
  );
}

const WriteAnswer = z.object({ written: z.boolean(), why: z.string() });

/**
 * A draft's header and lines in one write, unless an accountant edited it since the connector's
 * last write (then `edited`, nothing written) or it is no longer a draft.
 */
export async function writeDraft(
  odoo: OdooClient,
  moveId: number,
  values: Record<string, unknown>,
  force: boolean,
): Promise<{ written: true } | { written: false; why: string }> {
  const answer = WriteAnswer.parse(
    await runWorkspaceAction(odoo, ACTION_WRITE_DRAFT, DRAFT_MARK_MODEL, {
      rcp_draft: { move_id: moveId, values, force },
    }),
  );
  return answer.written ? { written: true } : { written: false, why: answer.why };
}

export interface AnnotateItem {
  moveId: number;
  /** The note's text: made, or updated, on this invoice; without it only the mark is made. */
  body?: string | undefined;
  /** A note of this invoice made before the mark was in Odoo (found by an older mark or by search). */
  noteId?: number | undefined;
  /** The draft was edited by an accountant before its mark moved into Odoo: marked so. */
  editedBefore?: boolean | undefined;
}

const AnnotateAnswer = z.object({
  notes: z.array(z.object({ move_id: z.number().int(), note_id: z.number().int() })),
});

/**
 * Marks the drafts without a mark, and keeps one note per invoice (updated, or made once); answers
 * each noted invoice's note id. Two runs at once that both create the mark of an invoice collide on
 * its unique index: the loser asks again and then finds the winner's mark and note.
 */
export async function annotateDrafts(
  odoo: OdooClient,
  items: readonly AnnotateItem[],
): Promise<Map<number, number>> {
  if (items.length === 0) return new Map();
  const payload = items.map((i) => ({
    move_id: i.moveId,
    ...(i.body ? { body: i.body } : {}),
    ...(i.noteId ? { note_id: i.noteId } : {}),
    ...(i.editedBefore ? { edited_before: true } : {}),
  }));
  for (let attempt = 1; ; attempt++) {
    try {
      const answer = AnnotateAnswer.parse(
        await runWorkspaceAction(odoo, ACTION_ANNOTATE_DRAFTS, DRAFT_MARK_MODEL, {
          rcp_notes: { items: payload },
        }),
      );
      return new Map(answer.notes.map((n) => [n.move_id, n.note_id]));
    } catch (error) {
      const collided =
        error instanceof OdooError &&
        error.kind === 'validation' &&
        error.serverMessage.includes(uniqueIndexName(DRAFT_MARK_MODEL, 'x_move_id'));
      if (attempt >= 3 || !collided) throw error;
    }
  }
}
