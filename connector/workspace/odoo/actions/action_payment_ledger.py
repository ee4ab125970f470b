# Installed by rcp-odoo setup: the payments ledger, written by the connector only through this action.
ops = env.context.get('rcp_ledger') or []
# The ledger has Odoo's chatter for people; the connector's own writes leave no "created" note and
# follow nothing (thousands of payments a push).
Ledger = env['x_rcp_payment'].with_context(mail_create_nolog=True, mail_create_nosubscribe=True)
now = datetime.datetime.now()
protected = ('x_payment_id', 'x_resolution', 'x_resolved_by', 'x_resolved_at', 'x_decision')
answers = []
touched = set()
for op in ops:
    given = op.get('vals') or {}
    vals = {}
    for k in given:
        if k.startswith('x_') and k not in protected:
            vals[k] = given[k]
    kind = op.get('op')
    if kind in ('claim', 'import'):
        pid = int(op.get('payment_id') or 0)
        if not pid:
            raise UserError('rcp_ledger: %s needs payment_id' % kind)
        rec = Ledger.search([('x_payment_id', '=', pid)], limit=1)
        if kind == 'claim':
            vals['x_state'] = 'intent'
        if not rec and kind == 'claim':
            blocked = False
            for m in env['ir.attachment'].sudo().search([('res_model', '=', 'account.payment'), ('res_id', '=', pid), ('name', '=', '{{mark_name}}')], limit=1):
                d = (m.description or '').replace(' ', '')
                blocked = not ('"state":"not-pushed"' in d or '"state":"rejected"' in d)
            if blocked:
                vals['x_state'] = 'review'
                vals['x_reason'] = 'the payment carries a record (%s) that it was sent to RCP, or may have been: check RCP before settling' % m.name
                vals['x_payment_id'] = pid
                rec = Ledger.create(vals)
                touched.add(rec.id)
                answers.append({'done': False, 'id': rec.id, 'state': 'review'})
                continue
        if not rec:
            vals['x_payment_id'] = pid
            rec = Ledger.create(vals)
            touched.add(rec.id)
            answers.append({'done': True, 'id': rec.id, 'state': rec.x_state})
        elif kind == 'claim' and (rec.x_state == 'not_pushed' or (rec.x_state == 'review' and rec.x_resolution == 'not_pushed')):
            vals['x_resolution'] = False
            vals['x_resolved_by'] = False
            vals['x_resolved_at'] = False
            rec.write(vals)
            touched.add(rec.id)
            answers.append({'done': True, 'id': rec.id, 'state': rec.x_state})
        else:
            answers.append({'done': False, 'id': rec.id, 'state': rec.x_state})
    elif kind in ('set', 'resolve'):
        rec = Ledger.browse(int(op.get('id') or 0)).exists()
        ok = bool(rec) and rec.x_state in (op.get('from') or [])
        if ok and kind == 'set' and 'resolution' in op:
            ok = (rec.x_resolution or False) == (op.get('resolution') or False)
        if ok and kind == 'set' and op.get('older_than'):
            ok = rec.write_date <= now - datetime.timedelta(seconds=int(op.get('older_than')))
        if ok and kind == 'set':
            for k, v in (op.get('expect') or {}).items():
                ok = ok and (rec[k] or False) == (v or False)
            for k, v in (op.get('expect_ids') or {}).items():
                ok = ok and (rec[k].id or False) == (v or False)
        if ok:
            if kind == 'resolve':
                vals['x_resolution'] = op.get('resolution')
                vals['x_resolved_by'] = env.user.id
                vals['x_resolved_at'] = now
            elif op.get('clear_resolution'):
                vals['x_resolution'] = False
                vals['x_resolved_by'] = False
                vals['x_resolved_at'] = False
                vals['x_decision'] = False
            rec.write(vals)
            touched.add(rec.id)
        answers.append({'done': ok, 'id': rec.id or False, 'state': rec.x_state or False})
    else:
        raise UserError('rcp_ledger: unknown operation %s' % kind)
# What reached RCP, kept on the payment: rewritten with every change, in this same transaction.
def rcp_json_text(value):
    text = str(value or '')
    return '"' + text.replace(chr(92), chr(92) + chr(92)).replace('"', chr(92) + '"').replace(chr(10), ' ') + '"'
if touched:
    Att = env['ir.attachment'].sudo()
    states = {'intent': 'intent', 'pushed': 'pushed', 'review': 'review', 'not_pushed': 'not-pushed'}
    recs = Ledger.browse(list(touched)).exists()
    marks = {}
    for a in Att.search([('res_model', '=', 'account.payment'), ('res_id', 'in', recs.mapped('x_payment_id').ids), ('name', '=', '{{mark_name}}')]):
        marks[a.res_id] = a
    for rec in recs:
        at = str(rec.x_pushed_at).replace(' ', 'T') + 'Z' if rec.x_pushed_at else ''
        desc = '{"state": %s, "target": %s, "amountKopecks": %d, "details": %s, "at": %s, "rcpPaymentId": %s, "sends": %s}' % (rcp_json_text(states.get(rec.x_state, 'review')), rcp_json_text(rec.x_target), int(round((rec.x_amount or 0) * 100)), rcp_json_text(rec.x_details), rcp_json_text(at), rcp_json_text(rec.x_rcp_reference), rec.x_sends or '[]')
        pid = rec.x_payment_id.id
        mark = marks.get(pid)
        if mark and mark.description != desc:
            mark.write({'description': desc, 'datas': b64encode(desc.encode())})
        elif not mark:
            marks[pid] = Att.create({'name': '{{mark_name}}', 'res_model': 'account.payment', 'res_id': pid, 'type': 'binary', 'mimetype': 'application/json', 'description': desc, 'datas': b64encode(desc.encode())})
action = {'answers': answers}
