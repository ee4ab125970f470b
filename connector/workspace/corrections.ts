import { z } from 'zod';
import type { OdooClient } from '../odoo/client.ts';
import { runWorkspaceAction } from './actions.ts';
import { actionCode } from './odoo-files.ts';

/**
 * A correction of a posted invoice written in ONE Odoo transaction (`action_write_correction`): the
 * credit note or additional invoice, its usage records (`x_rcp_usage`, with `x_corrects_move_id`),
 * its usage CSV and the notes on both documents, only while what is invoiced for the original is
 * still what the run computed from (else nothing, and the answer says what is invoiced now).
 */
export const ACTION_WRITE_CORRECTION = 'action_write_correction';
export const CORRECTION_ACTION = {
  name: ACTION_WRITE_CORRECTION,
  label: 'RCP: write a correction of a posted invoice',
  model: 'x_rcp_usage',
  code: actionCode(ACTION_WRITE_CORRECTION),
} as const;

export interface CorrectionWrite {
  originalId: number;
  /** What the run found invoiced for the original (signed sum of the records counted), in kopecks. */
  invoicedKopecks: number;
  move: Record<string, unknown>;
  usage: Array<Record<string, unknown>>;
  attachment: { name: string; datas: string; mimetype: string; description?: string };
  note: string;
  originalNote: string;
}

const Answer = z.object({
  made: z.boolean(),
  why: z.string(),
  move_id: z.number().int().optional(),
  invoiced_cents: z.number().int(),
});

export async function writeCorrection(
  odoo: OdooClient,
  write: CorrectionWrite,
): Promise<{ made: true; moveId: number } | { made: false; why: string; invoicedKopecks: number }> {
  const answer = Answer.parse(
    await runWorkspaceAction(odoo, ACTION_WRITE_CORRECTION, CORRECTION_ACTION.model, {
      rcp_correction: {
        original_id: write.originalId,
        invoiced_cents: write.invoicedKopecks,
        move: write.move,
        usage: write.usage,
        attachment: write.attachment,
        note: write.note,
        original_note: write.originalNote,
      },
    }),
  );
  return answer.made && answer.move_id
    ? { made: true, moveId: answer.move_id }
    : { made: false, why: answer.why, invoicedKopecks: answer.invoiced_cents };
}
