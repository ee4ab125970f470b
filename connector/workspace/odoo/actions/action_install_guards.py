# Installed by rcp-odoo setup: the database guards of the RCP workspace (exactly-once rules, and the
# connector's records changed by the connector only). Context rcp_check_only: reads them;
# rcp_remove: drops the triggers and their functions (setup --remove, before the tables go).
if env.context.get('rcp_remove'):
    {{drop_triggers}}
elif not env.context.get('rcp_check_only'):
    {{create_indexes}}
    {{create_triggers}}
env.cr.execute('SELECT indexname FROM pg_indexes WHERE indexname IN ({{placeholders}})', [{{names}}])
found = []
for row in env.cr.fetchall():
    found.append(row[0])
env.cr.execute('SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgname IN ({{trigger_placeholders}})', [{{trigger_names}}])
triggers = []
for row in env.cr.fetchall():
    triggers.append(row[0])
action = {'indexes': found, 'triggers': triggers}
