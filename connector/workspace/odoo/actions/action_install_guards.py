# Installed by rcp-odoo setup: the database guards of the RCP workspace (exactly-once rules).
if not env.context.get('rcp_check_only'):
    {{create_indexes}}
env.cr.execute('SELECT indexname FROM pg_indexes WHERE indexname IN ({{placeholders}})', [{{names}}])
found = []
for row in env.cr.fetchall():
    found.append(row[0])
action = {'indexes': found}
