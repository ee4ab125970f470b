# Rewrites a draft only when it is still as the connector left it (or when forced), and was never
# corrected (an original reset to draft after its credit notes / additional invoices were made),
# and renews its mark, in one transaction: an edit committed before is seen; one committed meanwhile collides on
# the rows (serialization failure) and Odoo runs this again, which then sees it.
{{fingerprint}}
given = env.context.get('rcp_draft') or {}
move = env['account.move'].browse(int(given.get('move_id') or 0)).exists()
Mark = env['x_rcp_draft_mark']
if not move:
    action = {'written': False, 'why': 'gone'}
elif move.state != 'draft':
    action = {'written': False, 'why': move.state}
elif env['x_rcp_usage'].search_count([('x_corrects_move_id', '=', move.id), ('x_move_id.state', '!=', 'cancel')]):
    # An invoice reset to draft after corrections were made for it: rewriting it to RCP's usage now
    # would count the corrected difference twice (never, even when forced).
    action = {'written': False, 'why': 'corrected'}
else:
    mark = Mark.search([('x_move_id', '=', move.id)], limit=1)
    if mark and not given.get('force') and mark.x_fingerprint != rcp_fingerprint(move):
        action = {'written': False, 'why': 'edited'}
    else:
        move.write(given.get('values') or {})
        env.flush_all()
        env.invalidate_all()
        after = rcp_fingerprint(move)
        if mark:
            mark.write({'x_fingerprint': after})
        else:
            Mark.create({'x_move_id': move.id, 'x_name': move.name or str(move.id), 'x_fingerprint': after})
        action = {'written': True, 'why': ''}
