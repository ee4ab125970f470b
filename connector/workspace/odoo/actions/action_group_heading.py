# Installed by rcp-odoo setup on Odoo 17 and 18: puts RCP / User and RCP / Manager under an "RCP"
# heading of Settings → Users, as a choice shown without developer mode (groups without a heading are
# shown only in developer mode). The heading is an ir.module.category, which only modules create:
# made here as superuser, once, with its external ID. Answers the heading's id.
# With `rcp_remove` in the context (setup --remove), takes the heading and its external ID away.
category = env.ref('rcp_connector.module_category_rcp', raise_if_not_found=False)
if env.context.get('rcp_remove'):
    if category:
        env['res.groups'].sudo().search([('category_id', '=', category.id)]).write({'category_id': False})
        env['ir.model.data'].sudo().search([('module', '=', 'rcp_connector'), ('name', '=', 'module_category_rcp')]).unlink()
        category.sudo().unlink()
    action = {'removed': bool(category)}
else:
    if not category:
        category = env['ir.module.category'].sudo().create({'name': 'RCP', 'sequence': 50, 'visible': True})
        env['ir.model.data'].sudo().create({'module': 'rcp_connector', 'name': 'module_category_rcp', 'model': 'ir.module.category', 'res_id': category.id, 'noupdate': True})
    groups = env.ref('rcp_connector.group_user') | env.ref('rcp_connector.group_manager')
    groups = groups.filtered(lambda g: g.category_id != category)
    if groups:
        groups.sudo().write({'category_id': category.id})
    action = {'category': category.id}
