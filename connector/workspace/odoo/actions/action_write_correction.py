# Makes one correction of a posted invoice (a credit note or an additional invoice) with its usage
# records, its usage CSV and a note on both documents, in ONE transaction, and only while what is
# invoiced for the original (its usage records and those of its corrections not cancelled) is still
# what the run computed the difference from. Every writer first updates the original's row: two
# runs at once serialize there, Odoo runs the second again, and it then sees the first's correction.
given = env.context.get('rcp_correction') or {}
Move = env['account.move']
Usage = env['x_rcp_usage']
Message = env['mail.message'].sudo()
subtype = env.ref('mail.mt_note', raise_if_not_found=False)
original = Move.browse(int(given.get('original_id') or 0)).exists()
if not original:
    action = {'made': False, 'why': 'gone', 'invoiced_cents': 0}
elif original.state != 'posted':
    action = {'made': False, 'why': original.state, 'invoiced_cents': 0}
else:
    env.cr.execute('UPDATE account_move SET write_date = write_date WHERE id = %s', [original.id])
    invoiced = 0
    for record in Usage.search(['|', ('x_move_id', '=', original.id), ('x_corrects_move_id', '=', original.id)]):
        if record.x_move_id and record.x_move_id.state != 'cancel':
            invoiced += int(round(record.x_amount * 100))
    if invoiced != int(given.get('invoiced_cents')):
        action = {'made': False, 'why': 'changed', 'invoiced_cents': invoiced}
    else:
        move = Move.create(given.get('move') or {})
        Usage.create([dict(values, x_move_id=move.id, x_corrects_move_id=original.id) for values in given.get('usage') or []])
        attachment = given.get('attachment')
        if attachment:
            env['ir.attachment'].create(dict(attachment, res_model='account.move', res_id=move.id))
        for target, body in ((move, given.get('note')), (original, given.get('original_note'))):
            if body:
                values = {'model': 'account.move', 'res_id': target.id, 'body': body, 'message_type': 'comment', 'author_id': env.user.partner_id.id}
                if subtype:
                    values['subtype_id'] = subtype.id
                Message.create(values)
        action = {'made': True, 'why': '', 'move_id': move.id, 'invoiced_cents': invoiced}
