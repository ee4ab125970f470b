given = env.context.get('rcp_lock') or {}
keys = [str(k) for k in (given.get('keys') or [])]
rec = env['x_rcp_lock'].search([('x_key', 'in', keys), ('x_owner', '=', str(given.get('owner') or ''))])
action = {'released': len(rec)}
rec.unlink()
