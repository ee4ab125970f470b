# An accountant decides how a payment changed after its push is settled; the next push applies it.
# The guard's trigger lets these writes through (the checks below are the rule).
{{trusted_writes}}
for rec in records:
    if rec.x_state != 'review' or rec.x_review != '{{kind}}':
        raise UserError('{{refusal}}' % (rec.x_name or rec.id))
    if rec.x_decision == '{{decision}}':
        continue
    if rec.x_decision or rec.x_resolution:
        raise UserError('%s is already settled.' % (rec.x_name or rec.id))
    rec.sudo().write({'x_decision': '{{decision}}', 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})
