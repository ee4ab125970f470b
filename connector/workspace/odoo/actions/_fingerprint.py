def rcp_fingerprint(move):
    head = [str(move.partner_id.id or 0), str(move.invoice_date or ''), move.ref or '', move.invoice_origin or '', str(move.invoice_payment_term_id.id or 0)]
    rows = []
    for line in move.invoice_line_ids:
        taxes = []
        for tax in line.tax_ids.ids:
            taxes.append(str(tax))
        taxes.sort()
        rows.append('|'.join([line.display_type or 'product', str(line.product_id.id or 0), line.name or '', repr(round(line.quantity, 6)), repr(round(line.price_unit, 6)), repr(round(line.discount or 0.0, 6)), ','.join(taxes)]))
    rows.sort()
    return '|'.join(head) + '\n' + '\n'.join(rows)
