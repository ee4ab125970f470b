# An accountant accepts the suggested company: the next sync links it.
for rec in records:
    if rec.x_suggested_partner_id and not rec.x_partner_id:
        rec.write({'x_partner_id': rec.x_suggested_partner_id.id})
