import { z } from 'zod';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { runWorkspaceAction } from './actions.ts';
import { uniqueIndexName } from './models.ts';

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
 * The fingerprint compared is computed by Odoo itself (`FINGERPRINT_PY`), from the fields a person
 * edits: partner, date, reference, origin, payment term, and every product, section and note line.
 */
export const ACTION_DRAFT_MARKS = 'action_draft_marks';
export const ACTION_WRITE_DRAFT = 'action_write_draft';
export const ACTION_ANNOTATE_DRAFTS = 'action_annotate_drafts';
export const DRAFT_MARK_MODEL = 'x_rcp_draft_mark';

/** The mark of a draft an accountant had edited when its mark moved from the usage CSV into Odoo. */
const EDITED_BEFORE = 'edited before the mark moved into Odoo';

const FINGERPRINT_PY = [
  'def rcp_fingerprint(move):',
  "    head = [str(move.partner_id.id or 0), str(move.invoice_date or ''), move.ref or '', move.invoice_origin or '', str(move.invoice_payment_term_id.id or 0)]",
  '    rows = []',
  '    for line in move.invoice_line_ids:',
  '        taxes = []',
  '        for tax in line.tax_ids.ids:',
  '            taxes.append(str(tax))',
  '        taxes.sort()',
  "        rows.append('|'.join([line.display_type or 'product', str(line.product_id.id or 0), line.name or '', repr(round(line.quantity, 6)), repr(round(line.price_unit, 6)), repr(round(line.discount or 0.0, 6)), ','.join(taxes)]))",
  '    rows.sort()',
  "    return '|'.join(head) + '\\n' + '\\n'.join(rows)",
];

const marksCode = [
  '# Which drafts changed since the connector wrote them (advice for the decide phase).',
  ...FINGERPRINT_PY,
  "given = env.context.get('rcp_marks') or {}",
  'ids = []',
  "for i in given.get('move_ids') or []:",
  '    ids.append(int(i))',
  'marks = []',
  `for mark in env['${DRAFT_MARK_MODEL}'].search([('x_move_id', 'in', ids)]):`,
  '    move = mark.x_move_id',
  "    marks.append({'move_id': move.id, 'edited': move.state == 'draft' and mark.x_fingerprint != rcp_fingerprint(move), 'note_id': mark.x_note_id or 0})",
  "action = {'marks': marks}",
].join('\n');

const writeCode = [
  '# Rewrites a draft only when it is still as the connector left it (or when forced), and renews its',
  '# mark, in one transaction: an edit committed before is seen; one committed meanwhile collides on',
  '# the rows (serialization failure) and Odoo runs this again, which then sees it.',
  ...FINGERPRINT_PY,
  "given = env.context.get('rcp_draft') or {}",
  "move = env['account.move'].browse(int(given.get('move_id') or 0)).exists()",
  `Mark = env['${DRAFT_MARK_MODEL}']`,
  'if not move:',
  "    action = {'written': False, 'why': 'gone'}",
  "elif move.state != 'draft':",
  "    action = {'written': False, 'why': move.state}",
  'else:',
  "    mark = Mark.search([('x_move_id', '=', move.id)], limit=1)",
  "    if mark and not given.get('force') and mark.x_fingerprint != rcp_fingerprint(move):",
  "        action = {'written': False, 'why': 'edited'}",
  '    else:',
  "        move.write(given.get('values') or {})",
  '        env.flush_all()',
  '        env.invalidate_all()',
  '        after = rcp_fingerprint(move)',
  '        if mark:',
  "            mark.write({'x_fingerprint': after})",
  '        else:',
  "            Mark.create({'x_move_id': move.id, 'x_name': move.name or str(move.id), 'x_fingerprint': after})",
  "        action = {'written': True, 'why': ''}",
].join('\n');

const annotateCode = [
  '# Marks drafts the connector wrote without a mark yet, and keeps ONE chatter note per invoice: the',
  '# note the mark names is updated; a new one is made (and named on the mark) only when there is none.',
  '# Two runs at once meet on the mark (a unique index, or its row): one note.',
  ...FINGERPRINT_PY,
  "given = env.context.get('rcp_notes') or {}",
  `Mark = env['${DRAFT_MARK_MODEL}']`,
  "Message = env['mail.message'].sudo()",
  "subtype = env.ref('mail.mt_note', raise_if_not_found=False)",
  'notes = []',
  "for item in given.get('items') or []:",
  "    move = env['account.move'].browse(int(item.get('move_id') or 0)).exists()",
  '    if not move:',
  '        continue',
  "    mark = Mark.search([('x_move_id', '=', move.id)], limit=1)",
  '    if not mark:',
  `        fingerprint = '${EDITED_BEFORE}' if item.get('edited_before') else rcp_fingerprint(move)`,
  "        mark = Mark.create({'x_move_id': move.id, 'x_name': move.name or str(move.id), 'x_fingerprint': fingerprint, 'x_note_id': int(item.get('note_id') or 0)})",
  "    body = item.get('body')",
  '    if not body:',
  '        continue',
  '    note = Message.browse(mark.x_note_id).exists() if mark.x_note_id else Message',
  "    if note and note.model == 'account.move' and note.res_id == move.id:",
  "        note.write({'body': body})",
  '    else:',
  "        vals = {'model': 'account.move', 'res_id': move.id, 'body': body, 'message_type': 'comment', 'author_id': env.user.partner_id.id}",
  '        if subtype:',
  "            vals['subtype_id'] = subtype.id",
  '        note = Message.create(vals)',
  "        mark.write({'x_note_id': note.id})",
  "    notes.append({'move_id': move.id, 'note_id': note.id})",
  "action = {'notes': notes}",
].join('\n');

/** The server actions, as (name, label, code), for the workspace definition. */
export const DRAFT_MARK_ACTIONS = [
  { name: ACTION_DRAFT_MARKS, label: 'RCP: which drafts were edited', code: marksCode },
  { name: ACTION_WRITE_DRAFT, label: 'RCP: rewrite a draft unless edited', code: writeCode },
  { name: ACTION_ANNOTATE_DRAFTS, label: 'RCP: mark drafts and keep one note each', code: annotateCode },
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
