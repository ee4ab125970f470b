# Installed by rcp-odoo setup: writes the workspace's texts in another language (context rcp_translate:
# {lang, dry_run, entries}). An entry names a record by external ID and one translated field with its
# text ({xmlid, field, value}), a selection option of a field ({xmlid, selection, value}), or a view's
# terms ({xmlid, field: 'arch_db', terms: {english: translation}}). Only what differs is written, so
# a second run changes nothing; answers the entries written (or, dry run, to write).
given = env.context.get('rcp_translate') or {}
lang = given.get('lang')
dry_run = bool(given.get('dry_run'))
if not lang:
    raise UserError('rcp_translate needs lang')
changed = []
for entry in given.get('entries') or []:
    rec = env.ref(entry['xmlid'], raise_if_not_found=False)
    if not rec:
        continue
    field = entry.get('field') or 'name'
    label = entry['xmlid'] + ' ' + field
    if 'selection' in entry:
        rec = env['ir.model.fields.selection'].search([('field_id', '=', rec.id), ('value', '=', entry['selection'])], limit=1)
        label = entry['xmlid'] + ' ' + entry['selection']
        field = 'name'
        if not rec:
            continue
    rows = rec.get_field_translations(field, langs=[lang])[0]
    if 'terms' in entry:
        have = {}
        for row in rows:
            # A term translated as itself reads back empty.
            have[row['source']] = row['value'] or row['source']
        terms = {}
        for source, value in entry['terms'].items():
            if source in have and have[source] != value:
                terms[source] = value
        if terms:
            changed.append(label)
            if not dry_run:
                rec.update_field_translations(field, {lang: terms})
    elif not rows or (rows[0]['value'] or '') != entry['value']:
        changed.append(label)
        if not dry_run:
            rec.update_field_translations(field, {lang: entry['value']})
if changed and not dry_run:
    # Field labels, selections and menus are cached per language.
    env.registry.clear_cache()
action = {'changed': changed}
