# Installed by rcp-odoo setup: checks runs requested in RCP → Runs by the worker's rules, with its
# words (connector/workspace/run-rules.ts), so that what the worker would refuse cannot be saved. Called by
# the computed field x_checked on every save of a request (records: the runs saved).
{{period_check}}
# In the user's language (a recompute's environment may carry no language of its own).
russian = (env.context.get('lang') or env.user.lang) == 'ru_RU'
words = {{words}}
if russian:
    words = {{words_ru}}
month_kinds = {{month_kinds}}
closed_month_kinds = {{closed_month_kinds}}
option_kinds = {{option_kinds}}
options = {{options}}
if russian:
    options = {{options_ru}}
manager = env.user.has_group('rcp_connector.group_manager')
zone = env.user.tz or 'UTC'
today = datetime.datetime.now(timezone(zone)).strftime('%Y-%m-%d')
for run in records:
    if run.x_state != 'requested' or run.x_trigger != 'odoo':
        continue
    if run.x_kind in month_kinds:
        if not is_period(run.x_period or ''):
            raise UserError(words['monthNeeded'] % {'got': run.x_period or ''})
        open_allowed = run.x_kind in option_kinds and run.x_open_month
        if run.x_kind in closed_month_kinds and run.x_period > today[:7]:
            raise UserError(words['notBegun'] % {'period': run.x_period, 'today': today, 'zone': zone})
        if run.x_kind in closed_month_kinds and run.x_period == today[:7] and not open_allowed:
            raise UserError(words['notOver'] % {'period': run.x_period, 'today': today, 'zone': zone})
    for field in ('x_open_month', 'x_force'):
        if run[field] and run.x_kind not in option_kinds:
            raise UserError(words['invoicesOnly'] % {'option': options[field]})
        if run[field] and not manager:
            raise UserError(words['managersOnly'] % {'option': options[field]})
action = {'checked': records.ids}
