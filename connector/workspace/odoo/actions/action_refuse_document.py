# Refuses to print an RCP document for a record it does not apply to (the УКД for a move that is not
# a connector correction): QWeb cannot raise Odoo's UserError itself, so the template runs this
# action with the reason in its context, and the print stops with that message. It writes nothing.
raise UserError(env.context.get('rcp_refusal') or 'Этот документ RCP не печатается для этой записи.')
