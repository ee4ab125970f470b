# Runs inside `odoo-bin shell -d COPY` (stdin): replays the Odoo calls the connector made in one
# benchmark phase, as Odoo's external API dispatcher runs them (execute_kw: a cursor per call, the
# user's environment, odoo's own call_kw, a flush and a commit), with no HTTP, no JSON and no
# connector, and prints one line `REPLAY {json}`: the in-process seconds, per model.method, and how
# many created ids differ from the recorded ones (the copy starts where the phase started, so the
# ids should be the same). REPLAY_PROFILE=path: a cProfile of the calls, its top functions in path.
# A benchmark tool, run on a throwaway copy of a database: nothing of it is installed in Odoo.
import cProfile
import io
import json
import os
import pstats
import time

try:
    from odoo.service.model import call_kw  # 19
except ImportError:
    from odoo.api import call_kw  # 17, 18

registry = env.registry  # noqa: F821 (given by odoo-bin shell)
uid = int(os.environ['REPLAY_UID'])
profile_path = os.environ.get('REPLAY_PROFILE')
profiler = cProfile.Profile() if profile_path else None


def ids_of(result):
    if isinstance(result, dict):
        return result.get('ids') or None
    if isinstance(result, list) and all(isinstance(i, int) for i in result):
        return result
    if isinstance(result, int) and not isinstance(result, bool):
        return [result]
    return None


def replay_one(call):
    manage = getattr(registry, 'manage_changes', None)
    with registry.cursor() as cr:  # commits when the call returns, rolls back when it raises
        if manage:
            with manage():
                result = call_kw(odoo.api.Environment(cr, uid, {})[call['model']], call['method'], call['args'], call['kwargs'])  # noqa: F821
        else:
            result = call_kw(odoo.api.Environment(cr, uid, {})[call['model']], call['method'], call['args'], call['kwargs'])  # noqa: F821
        cr.flush()
    return result


total = 0.0
by_call = {}
count = failed = compared = differing = 0
with open(os.environ['REPLAY_CALLS']) as lines:
    for line in lines:
        call = json.loads(line)
        count += 1
        key = call['model'] + '.' + call['method']
        started = time.perf_counter()
        if profiler:
            profiler.enable()
        try:
            result = replay_one(call)
            ok = True
        except Exception:  # the connector's call failed too, or the copy differs: counted, not fatal
            result, ok = None, False
        finally:
            if profiler:
                profiler.disable()
        spent = time.perf_counter() - started
        total += spent
        entry = by_call.setdefault(key, {'calls': 0, 'seconds': 0.0})
        entry['calls'] += 1
        entry['seconds'] += spent
        if ok != call.get('ok', True):
            failed += 1
        recorded = call.get('ids')
        if recorded is not None and ok:
            compared += 1
            if ids_of(result) != recorded:
                differing += 1

if profiler:
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats('tottime').print_stats(40)
    stats.sort_stats('cumulative').print_stats(60)
    with open(profile_path, 'w') as f:
        f.write(out.getvalue())

print('REPLAY ' + json.dumps({
    'seconds': total,
    'calls': count,
    'outcomeDiffers': failed,
    'idsCompared': compared,
    'idsDiffer': differing,
    'byCall': {k: {'calls': v['calls'], 'seconds': round(v['seconds'], 3)} for k, v in sorted(by_call.items(), key=lambda kv: -kv[1]['seconds'])},
}), flush=True)
