# Installed by rcp-odoo setup: what the RCP корректировочный счёт-фактура / УКД prints for a line of a
# correction made by `invoice --corrections` (a credit note or an additional invoice whose usage
# records name the posted invoice they correct, x_rcp_usage.x_corrects_move_id). The one home of
# these rules (README, "Corrections"):
#  - the original: the invoice the correction's usage records correct (x_rcp_ukd_original_id); none
#    on any other line, and the УКД refuses to print;
#  - before ("А, до изменения"), per product (billing class): what the original charged for it (its
#    lines' printed figures, x_rcp_doc_untaxed / x_rcp_doc_tax), plus or minus the earlier corrections
#    of the same original that are not cancelled (lower id), as the corrections run counts them;
#  - the change: this line's own printed figures, signed (a credit note lowers); after ("Б") = before
#    + change, so the rows В/Г are exactly the correction's own amounts;
#  - quantity: the usage records' quantities of the product (the original's and the earlier
#    corrections', then this correction's), before and after each to 4 decimals, the change their
#    difference (so А + В − Г = Б holds as printed); price = amount without VAT over the printed
#    quantity, with the fewest decimals (2 to 11) that give the amount back to the kopeck when
#    multiplied and rounded half up (exact integers), empty for no quantity; the changes of
#    quantity and price are after minus before (signed text).
# The same code computes each x_rcp_ukd_* field (FIELD says which one this copy assigns). Odoo runs it
# with safe_eval: no imports, and no comprehension or lambda may read a name set here.
FIELD = {{field}}
out = {}
for move in self.mapped('move_id'):
    Usage = move.env['x_rcp_usage']
    own = Usage.search([('x_move_id', '=', move.id), ('x_corrects_move_id', '!=', False)])
    original = own[:1].x_corrects_move_id
    if not original or move.move_type not in ('out_invoice', 'out_refund') or original.id == move.id:
        continue
    counted = Usage.search(['|', ('x_move_id', '=', original.id), ('x_corrects_move_id', '=', original.id)])
    earlier_ids = []
    for m in counted.mapped('x_move_id'):
        if m.id < move.id and m.state != 'cancel':
            earlier_ids.append(m.id)
    earlier = move.browse(earlier_ids)
    before = {}
    quantity = {}
    unit = {}
    for m in earlier:
        sign = -1 if m.move_type == 'out_refund' else 1
        for l in m.invoice_line_ids.filtered(lambda l: l.display_type == 'product'):
            key = l.product_id.id
            held = before.get(key, [0, 0])
            held[0] = held[0] + sign * int(round(l.x_rcp_doc_untaxed * 100))
            held[1] = held[1] + sign * int(round(l.x_rcp_doc_tax * 100))
            before[key] = held
            if m.id == original.id and key not in unit:
                unit[key] = l.x_rcp_doc_unit
    for r in counted:
        if r.x_move_id and r.x_move_id.id in earlier.ids:
            key = r.x_product_id.id
            quantity[key] = quantity.get(key, 0.0) + (r.x_quantity or 0.0)
    change = {}
    for r in own:
        key = r.x_product_id.id
        change[key] = change.get(key, 0.0) + (r.x_quantity or 0.0)
    sign = -1 if move.move_type == 'out_refund' else 1
    lines = move.invoice_line_ids.filtered(lambda l: l.display_type == 'product')
    seen = {}
    for l in lines:
        key = l.product_id.id
        first = key not in seen
        seen[key] = True
        was = before.get(key, [0, 0])
        untaxed = int(round(l.x_rcp_doc_untaxed * 100))
        tax = int(round(l.x_rcp_doc_tax * 100))
        # quantities to 4 decimals (as the documents print a whole number within 1e-4), the change
        # being after minus before as printed, so that А + change = Б holds on the page
        q_was_4 = int(round(quantity.get(key, 0.0) * 10000))
        # a product on two lines of one correction: its quantity change goes with the first
        q_is_4 = int(round((quantity.get(key, 0.0) + (change.get(key, 0.0) if first else 0.0)) * 10000))
        texts = []
        for q4 in (q_was_4, q_is_4, q_is_4 - q_was_4):
            texts.append(('%s%d.%04d' % ('-' if q4 < 0 else '', abs(q4) // 10000, abs(q4) % 10000)).rstrip('0').rstrip('.'))
        # price = amount / quantity in exact integers: the fewest decimals d (2 to 11) whose price,
        # times the printed quantity and rounded half up, gives the amount back to the kopeck
        prices = []
        for q4, amount in ((q_was_4, was[0]), (q_is_4, was[0] + sign * untaxed)):
            price = None
            if q4 != 0:
                negative = (q4 < 0) != (amount < 0)
                aq = abs(q4)
                aa = abs(amount)
                for d in range(2, 12):
                    scale = 10 ** (2 + d)
                    pint = (2 * aa * scale + aq) // (2 * aq)
                    if (2 * aq * pint + scale) // (2 * scale) == aa or d == 11:
                        price = (-pint if negative and pint else pint, d)
                        break
            prices.append(price)
        texts_price = []
        for price in prices:
            if price is None:
                texts_price.append('')
            else:
                texts_price.append('%s%d.%0*d' % ('-' if price[0] < 0 else '', abs(price[0]) // 10 ** price[1], price[1], abs(price[0]) % 10 ** price[1]))
        price_change = ''
        if prices[0] is not None and prices[1] is not None:
            places = max(prices[0][1], prices[1][1])
            diff = prices[1][0] * 10 ** (places - prices[1][1]) - prices[0][0] * 10 ** (places - prices[0][1])
            price_change = '%s%d.%0*d' % ('-' if diff < 0 else '', abs(diff) // 10 ** places, places, abs(diff) % 10 ** places)
        out[l.id] = {
            'x_rcp_ukd_original_id': original.id,
            'x_rcp_ukd_before_untaxed': was[0] / 100.0,
            'x_rcp_ukd_before_tax': was[1] / 100.0,
            'x_rcp_ukd_change_untaxed': sign * untaxed / 100.0,
            'x_rcp_ukd_change_tax': sign * tax / 100.0,
            'x_rcp_ukd_quantity_before': texts[0],
            'x_rcp_ukd_quantity_after': texts[1],
            'x_rcp_ukd_quantity_change': texts[2],
            'x_rcp_ukd_price_before': texts_price[0],
            'x_rcp_ukd_price_after': texts_price[1],
            'x_rcp_ukd_price_change': price_change,
            'x_rcp_ukd_unit': unit.get(key) or l.x_rcp_doc_unit,
        }
for line in self:
    line[FIELD] = out.get(line.id, {}).get(FIELD, 0.0 if FIELD in ('x_rcp_ukd_before_untaxed', 'x_rcp_ukd_before_tax', 'x_rcp_ukd_change_untaxed', 'x_rcp_ukd_change_tax') else False)
