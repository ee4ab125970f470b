# In the language of who requests it (names are stored): Russian for a user whose language is Russian.
labels = {{names}}
if (self.env.context.get('lang') or self.env.user.lang) == 'ru_RU':
    labels = {{names_ru}}
for record in self:
    name = labels.get(record.x_kind, labels['run'])
    if record.x_period:
        name = name + ' ' + record.x_period
    if record.x_dry_run:
        name = name + labels['dry']
    record['x_name'] = name
