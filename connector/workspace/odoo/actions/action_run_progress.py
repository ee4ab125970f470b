# Raises a running run's progress, in one transaction: only upwards, never on a finished run. The
# jobs of a queued invoice run finish side by side, in one worker or several; each reports the share
# done when it ends, and a report read before a later one may arrive after it. Two raises at once:
# the second write is a serialization failure that Odoo retries, and the retry sees the higher value.
# Context rcp_progress: {id, percent}.
given = env.context.get('rcp_progress') or {}
percent = int(given.get('percent') or 0)
rec = env['x_rcp_run'].browse(int(given.get('id') or 0)).exists()
raised = False
if rec and rec.x_state == 'running' and rec.x_progress < percent:
    rec.write({'x_progress': percent})
    raised = True
action = {'raised': raised}
