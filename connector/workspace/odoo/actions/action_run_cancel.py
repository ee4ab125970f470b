# An accountant cancels a run no worker has taken yet: checked and written in one transaction, so a
# worker claiming it at the same moment wins or loses whole. A taken or finished run is the connector's.
now = env.cr.now()
# The guard's trigger lets these writes through (the check below is the rule).
{{trusted_writes}}
for rec in records:
    if rec.x_state != 'requested':
        raise UserError('Only a requested run can be cancelled: %s is %s.' % (rec.x_name or rec.id, rec.x_state))
    rec.sudo().write({'x_state': 'failed', 'x_finished_at': now, 'x_summary': 'Cancelled by %s before a worker took it.' % env.user.name})
