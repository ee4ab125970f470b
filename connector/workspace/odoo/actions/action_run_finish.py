# Writes a run's outcome in one transaction: its state, counts and summary, its failed records (one
# x_rcp_run_failure each, linked to the RCP counterparty, its Odoo company and the Odoo payment when
# they exist), then tells the requester: a note in the run's chatter addressed to them (their inbox)
# and a notification in their open Odoo (the bus), which stays until closed: a run may end long after
# it was asked for, while the accountant looks elsewhere. Context rcp_finish: {id, vals, failures: [{name,
# kind, rcp_id, payment_id, reason}], ending, message, level}.
given = env.context.get('rcp_finish') or {}
rec = env['x_rcp_run'].browse(int(given.get('id') or 0)).exists()
if not rec:
    raise UserError('no RCP run %s' % given.get('id'))
rec.write(dict(given.get('vals') or {}))
failures = given.get('failures') or []
rec.x_failure_ids.unlink()
uuids = list(set([f.get('rcp_id') for f in failures if f.get('rcp_id')]))
cps = {}
for cp in env['x_rcp_counterparty'].search([('x_rcp_id', 'in', uuids)]):
    cps[cp.x_rcp_id] = cp
pids = [int(f.get('payment_id')) for f in failures if f.get('payment_id')]
payments = env['account.payment'].browse(pids).exists().ids
rows = []
for f in failures:
    cp = cps.get(f.get('rcp_id') or '')
    pid = int(f.get('payment_id') or 0)
    rows.append({'x_run_id': rec.id, 'x_name': f.get('name') or '', 'x_kind': f.get('kind') or '', 'x_rcp_id': f.get('rcp_id') or False, 'x_counterparty_id': cp.id if cp else False, 'x_partner_id': cp.x_partner_id.id if cp and cp.x_partner_id else False, 'x_payment_id': pid if pid in payments else False, 'x_reason': f.get('reason') or ''})
if rows:
    env['x_rcp_run_failure'].create(rows)
partner = rec.create_uid.partner_id if rec.x_trigger == 'odoo' and rec.create_uid else False
title = '%s: %s' % (rec.x_name or 'RCP run', given.get('ending') or rec.x_state)
message = given.get('message') or ''
body = '%s. %s' % (title, message)
if partner and not rec.create_uid.share:
    rec.message_subscribe(partner_ids=[partner.id])
    rec.message_post(body=body, partner_ids=[partner.id], message_type='comment', subtype_xmlid='mail.mt_note')
    env['bus.bus']._sendone(partner, 'simple_notification', {'title': title, 'message': message, 'type': given.get('level') or 'info', 'sticky': True})
else:
    rec.message_post(body=body, message_type='comment', subtype_xmlid='mail.mt_note')
action = {'failures': len(rows)}
