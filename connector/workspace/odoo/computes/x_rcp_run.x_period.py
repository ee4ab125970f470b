# The month chosen in the form's picker (x_month), as YYYY-MM; a month written as text (the API, the
# connector) is kept as written, and checked (x_checked).
for record in self:
    if record.x_month:
        record['x_period'] = record.x_month.strftime('%Y-%m')
    else:
        record['x_period'] = record.x_period
