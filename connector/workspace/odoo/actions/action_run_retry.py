# Retry failed: requests a new run of the same kind, month and filters for just the failed records of
# a finished run (their RCP ids), and opens it. Only kinds whose work takes a list of RCP records can
# ({{kinds}}); the others are refused with the reason. The action is bound to the failed records'
# model, not the run's: Odoo runs an action on its own model's records only where the user may write
# them, and a finished run is the connector's; the run comes from the button's context.
rec = env['x_rcp_run']
if env.context.get('active_model') == 'x_rcp_run' and env.context.get('active_id'):
    rec = env['x_rcp_run'].browse(int(env.context.get('active_id'))).exists()
if not rec:
    raise UserError('Choose a run to retry.')
if rec.x_state not in ('done', 'failed'):
    raise UserError('Only a finished run can be retried: %s is %s.' % (rec.x_name or rec.id, rec.x_state))
if rec.x_kind not in ({{kinds}}):
    raise UserError('{{why_not}}')
ids = []
for f in rec.x_failure_ids:
    if f.x_rcp_id and f.x_rcp_id not in ids:
        ids.append(f.x_rcp_id)
if not ids:
    raise UserError('This run has no failed record with an RCP id to retry: request a new run instead.')
new = env['x_rcp_run'].create({'x_kind': rec.x_kind, 'x_period': rec.x_period or False, 'x_counterparty_id': rec.x_counterparty_id.id or False, 'x_partner_filter': rec.x_partner_filter or False, 'x_client_filter': rec.x_client_filter or False, 'x_dry_run': rec.x_dry_run, 'x_state': 'requested', 'x_trigger': 'odoo', 'x_retry_of_id': rec.id, 'x_only_rcp_ids': chr(10).join(ids)})
action = {'type': 'ir.actions.act_window', 'res_model': 'x_rcp_run', 'res_id': new.id, 'view_mode': 'form', 'views': [[False, 'form']], 'target': 'current'}
