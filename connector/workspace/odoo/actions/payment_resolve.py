# An accountant settles a payment that needs review, after checking RCP. The ledger is the
# connector's (its guard): this action checks the state and writes, as superuser, in one transaction.
for rec in records:
    if rec.x_state != 'review':
        raise UserError('Only a payment that needs review can be settled: %s is %s.' % (rec.x_name or rec.id, rec.x_state))
    if rec.x_review and rec.x_review != 'lost':
        raise UserError('%s does not wait for a lost answer: settle it with the button its review offers.' % (rec.x_name or rec.id))
    if rec.x_resolution:
        raise UserError('%s is already settled.' % (rec.x_name or rec.id))
{{trusted_writes}}
records.sudo().write({'x_resolution': '{{resolution}}', 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})
