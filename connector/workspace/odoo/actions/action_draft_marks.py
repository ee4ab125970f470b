# Which drafts changed since the connector wrote them (advice for the decide phase).
{{fingerprint}}
given = env.context.get('rcp_marks') or {}
ids = []
for i in given.get('move_ids') or []:
    ids.append(int(i))
marks = []
for mark in env['x_rcp_draft_mark'].search([('x_move_id', 'in', ids)]):
    move = mark.x_move_id
    marks.append({'move_id': move.id, 'edited': move.state == 'draft' and mark.x_fingerprint != rcp_fingerprint(move), 'note_id': mark.x_note_id or 0})
action = {'marks': marks}
