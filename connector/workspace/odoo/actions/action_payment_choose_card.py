# An accountant chooses the RCP card a payment of a company with several cards credits.
ledger = env['x_rcp_payment'].browse(int(env.context.get('rcp_ledger_id') or 0)).exists()
if not ledger:
    raise UserError('Choose the card from the payment to RCP that waits for it (RCP → Payments to RCP).')
if ledger.x_state != 'review' or ledger.x_review != 'choose_card':
    raise UserError('%s does not wait for the choice of a card: it is %s.' % (ledger.x_name or ledger.id, ledger.x_state))
card = records[:1]
if not card or card not in ledger.x_card_ids:
    raise UserError('That is not an RCP card of the paying company.')
# The guard's trigger lets this write through (the checks above are the rule).
{{trusted_writes}}
ledger.sudo().write({'x_counterparty_id': card.id, 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})
