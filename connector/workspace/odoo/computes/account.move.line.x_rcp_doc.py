# Installed by rcp-odoo setup: how every RCP document (Счёт, Акт, Счёт-фактура, the УПД file) prints
# an invoice's product line. The one home of these rules (README, "Primary documents"):
#  - amounts: each line's untaxed amount and VAT are Odoo's own (price_subtotal, price_total -
#    price_subtotal); where they do not add up to the invoice's amount_untaxed / amount_tax (Odoo 19
#    rounds VAT over the whole invoice), the difference is placed one kopeck at a time by the largest
#    remainder: a kopeck added goes to the line whose exact figure (quantity x price, its VAT at the
#    line's rate) lies furthest above its rounded one, a kopeck taken to the line furthest below;
#    ties to the larger line, then the earlier one; VAT only onto lines with a tax; at most one
#    kopeck per line (rounding never needs more: a larger gap is left as Odoo has it, and shows).
#    The invoice's figures stay Odoo's.
#  - quantity: the real one, in RCP's unit: a line sent as 1 x its amount takes its quantity and unit
#    from its label; whole when within 1e-4 of a whole number.
#  - price: the line's amount over that quantity, with the fewest decimals (2 to 11) that give the
#    amount back to the kopeck.
# The same code computes each x_rcp_doc_* field (FIELD says which one this copy assigns). Odoo runs it
# with safe_eval: no imports, and no comprehension or lambda may read a name set here (not seen there).
FIELD = {{field}}
out = {}
for move in self.mapped('move_id'):
    lines = move.invoice_line_ids.filtered(lambda l: l.display_type == 'product')
    printed = {'untaxed': [], 'tax': []}
    exact = {'untaxed': [], 'tax': []}
    rated = []
    for l in lines:
        untaxed = int(round(l.price_subtotal * 100))
        printed['untaxed'].append(untaxed)
        printed['tax'].append(int(round(l.price_total * 100)) - untaxed)
        rate = 0.0
        included = False
        for t in l.tax_ids:
            if t.amount_type == 'percent':
                rate = rate + t.amount
            if t.price_include:
                included = True
        gross = l.quantity * l.price_unit * (1 - (l.discount or 0.0) / 100) * 100
        net = gross / (1 + rate / 100) if included else gross
        exact['untaxed'].append(net)
        exact['tax'].append(net * rate / 100)
        rated.append(bool(l.tax_ids))
    targets = {'untaxed': int(round(move.amount_untaxed * 100)), 'tax': int(round(move.amount_tax * 100))}
    for kind in ('untaxed', 'tax'):
        figures = printed[kind]
        left = targets[kind] - sum(figures)
        step = 1 if left > 0 else -1
        order = []
        for i in range(len(figures)):
            if kind == 'untaxed' or rated[i]:
                order.append(((figures[i] - exact[kind][i]) * step, -abs(figures[i]), i))
        order.sort()
        if abs(left) <= len(order):
            for key in order[:abs(left)]:
                figures[key[2]] = figures[key[2]] + step
    for i in range(len(lines)):
        l = lines[i]
        untaxed = printed['untaxed'][i]
        tax = printed['tax'][i]
        name = l.name or ''
        quantity = l.quantity
        unit = l.product_uom_id.name or 'усл.'
        # The connector's label: "Class: 2554560 ГБ×час × 0,0034 ₽ за май 2024[ (1 × сумма: …)]".
        head = name.split(' (1 × сумма')[0]
        if ': ' in head and ' × ' in head:
            part = head.rsplit(': ', 1)[1]
            if ' ' in part and ' × ' in part.split(' ', 1)[1]:
                text = part.split(' ', 1)[0]
                digits = text.replace(',', '', 1)
                if digits and digits.isdigit():
                    unit = part.split(' ', 1)[1].split(' × ')[0]
                    if '(1 × сумма' in name and l.quantity == 1:
                        quantity = float(text.replace(',', '.'))
        if quantity and abs(quantity - round(quantity)) < 0.0001:
            quantity = float(round(quantity))
        quantity_text = ('%.6f' % quantity).rstrip('0').rstrip('.')
        prices = []
        for amount in (untaxed, untaxed + tax):
            price = ''
            if quantity:
                for d in range(2, 12):
                    p = round(amount / 100.0 / quantity, d)
                    if int(round(quantity * p * 100)) == amount:
                        price = '%.*f' % (d, p)
                        break
                if not price:
                    price = '%.11f' % (amount / 100.0 / quantity)
            prices.append(price)
        out[l.id] = {
            'x_rcp_doc_untaxed': untaxed / 100.0,
            'x_rcp_doc_tax': tax / 100.0,
            'x_rcp_doc_quantity': quantity_text,
            'x_rcp_doc_unit': unit,
            'x_rcp_doc_price': prices[0],
            'x_rcp_doc_price_gross': prices[1],
        }
for line in self:
    line[FIELD] = out.get(line.id, {}).get(FIELD, False if FIELD not in ('x_rcp_doc_untaxed', 'x_rcp_doc_tax') else 0.0)
