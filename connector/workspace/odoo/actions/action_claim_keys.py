# Claims each free, expired or own key of a list for a lease, in one transaction, with its holder
# (run, queue job, worker, host, pid) and a heartbeat. A key held by another owner is taken over
# at once when its lease ran out (no heartbeat) or when the claimer runs the holder's own queue job
# (the queue gave that job to this worker: its first holder stopped). With renew, only keys still
# the owner's are renewed; the others are answered lost. A concurrent creator of one of the keys
# fails the whole call on the unique index of x_key: the caller asks again; two claimers of the same
# row collide on it (Odoo retries the loser, which then sees the winner).
given = env.context.get('rcp_lock') or {}
keys = [str(k) for k in (given.get('keys') or [])]
owner = str(given.get('owner') or '')
ttl = int(given.get('ttl_seconds') or 0)
renew = bool(given.get('renew'))
holder = given.get('holder') or {}
job = str(holder.get('job') or '')
if not keys or not owner or ttl <= 0:
    raise UserError('rcp_lock needs keys, owner and ttl_seconds')
now = datetime.datetime.now()
until = now + datetime.timedelta(seconds=ttl)
vals = {'x_owner': owner, 'x_expires_at': until, 'x_heartbeat_at': now, 'x_run': str(holder.get('run') or '') or False, 'x_job': job or False, 'x_worker': str(holder.get('worker') or '') or False, 'x_host': str(holder.get('host') or '') or False, 'x_pid': int(holder.get('pid') or 0)}
Lock = env['x_rcp_lock']
held = {}
for rec in Lock.search([('x_key', 'in', keys)]):
    held[rec.x_key] = rec
claimed = []
refused = []
taken = []
lost = []
fresh = []
for key in keys:
    rec = held.get(key)
    if rec and rec.x_owner == owner:
        rec.write({'x_expires_at': until, 'x_heartbeat_at': now})
        claimed.append(key)
    elif renew:
        lost.append(key)
    elif rec and rec.x_expires_at and rec.x_expires_at > now and not (job and rec.x_job == job):
        refused.append({'key': key, 'owner': rec.x_owner, 'run': rec.x_run or False, 'job': rec.x_job or False, 'worker': rec.x_worker or False, 'host': rec.x_host or False, 'pid': rec.x_pid or 0, 'heartbeat_at': str(rec.x_heartbeat_at or ''), 'expires_at': str(rec.x_expires_at)})
    elif rec:
        taken.append({'key': key, 'owner': rec.x_owner, 'why': 'job' if (job and rec.x_job == job and rec.x_expires_at and rec.x_expires_at > now) else 'lease'})
        rec.write(vals)
        claimed.append(key)
    else:
        row = dict(vals)
        row['x_key'] = key
        row['x_name'] = key
        fresh.append(row)
        claimed.append(key)
if fresh:
    Lock.create(fresh)
action = {'claimed': claimed, 'refused': refused, 'taken_over': taken, 'lost': lost}
