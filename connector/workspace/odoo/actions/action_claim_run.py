# Claims the oldest requested RCP run for a worker, in one transaction, after failing the runs
# whose worker died (running, no progress written for stale_seconds). Two workers claiming the
# same run: the second write is a serialization failure that Odoo retries, and the retry sees it running.
given = env.context.get('rcp_run') or {}
worker = str(given.get('worker') or '')
stale = int(given.get('stale_seconds') or 0)
if not worker or stale <= 0:
    raise UserError('rcp_run needs worker and stale_seconds')
# The database clock, the one write_date is stamped with.
now = env.cr.now()
Run = env['x_rcp_run']
dead = Run.search([('x_state', '=', 'running'), ('write_date', '<', now - datetime.timedelta(seconds=stale))])
expired = []
for rec in dead:
    why = 'Failed: the worker (%s) stopped, no progress since %s UTC.' % (rec.x_worker or '?', rec.write_date)
    rec.write({'x_state': 'failed', 'x_finished_at': now, 'x_summary': ((rec.x_summary or '') + chr(10) + why).strip()})
    expired.append(rec.id)
domain = [('x_state', '=', 'requested')]
if given.get('only_id'):
    domain.append(('id', '=', int(given.get('only_id'))))
rec = Run.search(domain, order='id', limit=1)
claimed = False
if rec:
    rec.write({'x_state': 'running', 'x_started_at': now, 'x_worker': worker, 'x_progress': 0, 'x_failed_count': 0})
    cp = rec.x_counterparty_id
    claimed = {'id': rec.id, 'kind': rec.x_kind, 'period': rec.x_period or False, 'only': rec.x_only_rcp_ids or False, 'dry_run': bool(rec.x_dry_run), 'partner': rec.x_partner_filter or False, 'client': rec.x_client_filter or False, 'counterparty_kind': cp.x_kind or False, 'counterparty_rcp_id': cp.x_rcp_id or False, 'open_month': bool(rec.x_open_month), 'force': bool(rec.x_force)}
action = {'claimed': claimed, 'expired': expired}
