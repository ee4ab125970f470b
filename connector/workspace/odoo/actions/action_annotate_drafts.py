# Marks drafts the connector wrote without a mark yet, and keeps ONE chatter note per invoice: the
# note the mark names is updated; a new one is made (and named on the mark) only when there is none.
# Two runs at once meet on the mark (a unique index, or its row): one note.
{{fingerprint}}
given = env.context.get('rcp_notes') or {}
Mark = env['x_rcp_draft_mark']
Message = env['mail.message'].sudo()
subtype = env.ref('mail.mt_note', raise_if_not_found=False)
notes = []
for item in given.get('items') or []:
    move = env['account.move'].browse(int(item.get('move_id') or 0)).exists()
    if not move:
        continue
    mark = Mark.search([('x_move_id', '=', move.id)], limit=1)
    if not mark:
        fingerprint = 'edited before the mark moved into Odoo' if item.get('edited_before') else rcp_fingerprint(move)
        mark = Mark.create({'x_move_id': move.id, 'x_name': move.name or str(move.id), 'x_fingerprint': fingerprint, 'x_note_id': int(item.get('note_id') or 0)})
    body = item.get('body')
    if not body:
        continue
    note = Message.browse(mark.x_note_id).exists() if mark.x_note_id else Message
    if note and note.model == 'account.move' and note.res_id == move.id:
        note.write({'body': body})
    else:
        vals = {'model': 'account.move', 'res_id': move.id, 'body': body, 'message_type': 'comment', 'author_id': env.user.partner_id.id}
        if subtype:
            vals['subtype_id'] = subtype.id
        note = Message.create(vals)
        mark.write({'x_note_id': note.id})
    notes.append({'move_id': move.id, 'note_id': note.id})
action = {'notes': notes}
