# Applies the links accountants chose on RCP counterparties, in one transaction: the external ID
# rcp_connector.<kind>_<uuid> is made, moved to the chosen company, or removed (unlink). Only
# the connector's names of res.partner are touched.
given = env.context.get('rcp_links') or []
Data = env['ir.model.data'].sudo()
done = []
for link in given:
    rec = env['x_rcp_counterparty'].browse(int(link.get('counterparty_id') or 0)).exists()
    if not rec:
        continue
    uuid = rec.x_rcp_id or ''
    if rec.x_kind not in ('partner', 'client') or len(uuid) != 36 or uuid.strip('0123456789abcdef-'):
        raise UserError('not an RCP counterparty: %s %s' % (rec.x_kind, uuid))
    name = '%s_%s' % (rec.x_kind, uuid.replace('-', '_'))
    pid = int(link.get('partner_id') or 0)
    data = Data.search([('module', '=', 'rcp_connector'), ('name', '=', name)], limit=1)
    if pid:
        if data and data.model != 'res.partner':
            raise UserError('%s does not name a contact' % name)
        if data:
            data.write({'res_id': pid})
        else:
            Data.create({'module': 'rcp_connector', 'name': name, 'model': 'res.partner', 'res_id': pid, 'noupdate': True})
        rec.write({'x_partner_id': pid, 'x_linked_partner_id': pid, 'x_keep_details': bool(link.get('keep_details')), 'x_create_partner': False})
    else:
        if data and data.model == 'res.partner':
            data.unlink()
        rec.write({'x_partner_id': False, 'x_linked_partner_id': False, 'x_keep_details': False})
    done.append(rec.id)
action = {'applied': done}
