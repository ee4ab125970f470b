for record in self:
    record['x_company_id'] = record.x_company_id.id or record.env.company.id
