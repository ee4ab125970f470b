labels = {'sync': 'Sync', 'invoice': 'Invoices', 'corrections': 'Corrections', 'payments': 'Payments push', 'reconcile': 'Reconcile'}
for record in self:
    name = labels.get(record.x_kind, 'Run')
    if record.x_period:
        name = name + ' ' + record.x_period
    if record.x_dry_run:
        name = name + ' (dry run)'
    record['x_name'] = name
