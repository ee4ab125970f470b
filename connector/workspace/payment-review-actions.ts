/**
 * The accountant's buttons on a payment to RCP that needs review (besides "RCP has it" / "RCP does
 * not have it", which settle a lost answer): Send the difference, Taken back in RCP, and the choice
 * of the RCP card for a payment of a company with several. Each is a server action that checks the
 * record and writes, as superuser, in one Odoo transaction; two clicks at once are serialised by
 * PostgreSQL and Odoo's retry sees the first one's write. None calls RCP: the next push (or worker)
 * does, under the ledger's claim, so whatever clicks and runs at once, RCP is called once.
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import { type WorkspaceItem, serverAction } from './items.ts';
import { actionCode } from './odoo-files.ts';

export const ACTION_SEND_DIFFERENCE = 'action_payment_send_difference';
export const ACTION_TAKEN_BACK = 'action_payment_taken_back';
export const ACTION_CHOOSE_CARD = 'action_payment_choose_card';

/** A decision on a review of `kind`: recorded once (a second click of the same is a no-op). */
const decide = (kind: string, decision: string, refusal: string) =>
  actionCode('payment_decide', { kind, decision, refusal });

export function paymentReviewActions(caps: Capabilities, userGroup: string): WorkspaceItem[] {
  return [
    serverAction(
      caps,
      ACTION_SEND_DIFFERENCE,
      'Send the difference',
      'x_rcp_payment',
      [userGroup],
      decide(
        'difference',
        'send_difference',
        '%s has no difference to send: only a payment changed after its push, with an amount to send, has.',
      ),
    ),
    serverAction(
      caps,
      ACTION_TAKEN_BACK,
      'Taken back in RCP',
      'x_rcp_payment',
      [userGroup],
      decide(
        'take_back',
        'taken_back',
        '%s has nothing to take back in RCP: only a payment reduced or cancelled after its push has.',
      ),
    ),
    serverAction(
      caps,
      ACTION_CHOOSE_CARD,
      'Credit this card',
      'x_rcp_counterparty',
      [userGroup],
      actionCode(ACTION_CHOOSE_CARD),
    ),
  ];
}
