# A counterparty's status follows the Odoo company chosen for it at once: linked when there is one,
# to match when there is none (an accountant's link or unlink shows before the next sync applies it).
for record in self:
    record['x_state'] = 'linked' if record.x_partner_id else 'to_match'
