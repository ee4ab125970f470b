# A saved request is checked by the worker's rules (action_run_check): what the worker would refuse
# cannot be saved. Not while the form is being filled in (new records), nor runs the connector records.
check = self.env.ref('rcp_connector.action_run_check', raise_if_not_found=False)
saved = self.filtered(lambda r: isinstance(r.id, int) and r.x_state == 'requested' and r.x_trigger == 'odoo')
if check and saved:
    check.with_context(active_model='x_rcp_run', active_ids=saved.ids, active_id=saved.ids[0]).run()
for record in self:
    record['x_checked'] = True
