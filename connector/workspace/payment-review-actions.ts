/**
 * The accountant's buttons on a payment to RCP that needs review (besides "RCP has it" / "RCP does
 * not have it", which settle a lost answer): Send the difference, Taken back in RCP, and the choice
 * of the RCP card for a payment of a company with several. Each is a server action that checks the
 * record and writes, as superuser, in one Odoo transaction; two clicks at once are serialised by
 * PostgreSQL and Odoo's retry sees the first one's write. None calls RCP: the next push (or worker)
 * does, under the ledger's claim, so whatever clicks and runs at once, RCP is called once.
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import type { WorkspaceItem } from './items.ts';

export const ACTION_SEND_DIFFERENCE = 'action_payment_send_difference';
export const ACTION_TAKEN_BACK = 'action_payment_taken_back';
export const ACTION_CHOOSE_CARD = 'action_payment_choose_card';

type ServerAction = (
  caps: Capabilities,
  name: string,
  label: string,
  model: string,
  groups: string[],
  code: string,
) => WorkspaceItem;

/** A decision on a review of `kind`: recorded once (a second click of the same is a no-op). */
const decide = (kind: string, decision: string, refusal: string) =>
  [
    '# An accountant decides how a payment changed after its push is settled; the next push applies it.',
    'for rec in records:',
    `    if rec.x_state != 'review' or rec.x_review != '${kind}':`,
    `        raise UserError('${refusal}' % (rec.x_name or rec.id))`,
    `    if rec.x_decision == '${decision}':`,
    '        continue',
    '    if rec.x_decision or rec.x_resolution:',
    "        raise UserError('%s is already settled.' % (rec.x_name or rec.id))",
    `    rec.sudo().write({'x_decision': '${decision}', 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})`,
  ].join('\n');

const chooseCard = [
  '# An accountant chooses the RCP card a payment of a company with several cards credits.',
  "ledger = env['x_rcp_payment'].browse(int(env.context.get('rcp_ledger_id') or 0)).exists()",
  'if not ledger:',
  "    raise UserError('Choose the card from the payment to RCP that waits for it (RCP → Payments to RCP).')",
  "if ledger.x_state != 'review' or ledger.x_review != 'choose_card':",
  "    raise UserError('%s does not wait for the choice of a card: it is %s.' % (ledger.x_name or ledger.id, ledger.x_state))",
  'card = records[:1]',
  'if not card or card not in ledger.x_card_ids:',
  "    raise UserError('That is not an RCP card of the paying company.')",
  "ledger.sudo().write({'x_counterparty_id': card.id, 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})",
].join('\n');

export function paymentReviewActions(
  caps: Capabilities,
  serverAction: ServerAction,
  userGroup: string,
): WorkspaceItem[] {
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
    serverAction(caps, ACTION_CHOOSE_CARD, 'Credit this card', 'x_rcp_counterparty', [userGroup], chooseCard),
  ];
}
