import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { LINE_FIGURE_FIELDS } from '../../connector/workspace/documents.ts';
import { computeCode } from '../../connector/workspace/odoo-files.ts';
import { hasPython3 } from '../support/python.ts';

/**
 * The Python that Odoo runs for every RCP document's lines (odoo/computes/account.move.line.x_rcp_doc.py,
 * the one home of the rules), run here by python3 over invoices made of plain objects: the amounts
 * meet the invoice's header by the largest remainder, the real quantity and unit come from the label
 * of a line sent as 1 × amount, and quantity × price gives the amount back. Real Odoo runs it in
 * test/odoo-real/documents.test.ts.
 */

interface LineIn {
  name?: string;
  quantity?: number;
  price: number;
  /** The line's VAT as Odoo rounds it per line (kopecks); none: no tax. */
  taxKopecks?: number;
  included?: boolean;
  uom?: string;
}
interface MoveIn {
  lines: LineIn[];
  untaxed: number;
  tax: number;
}
type LineOut = Record<(typeof LINE_FIGURE_FIELDS)[number]['name'], string | number | false>;

const HARNESS = `
import json, sys
class R(list):
    def filtered(self, f):
        return R([x for x in self if f(x)])
    def mapped(self, name):
        out = []
        for x in self:
            v = getattr(x, name)
            if v not in out:
                out.append(v)
        return R(out)
class O:
    def __init__(self, **kw):
        self.__dict__.update(kw)
        self.out = {}
    def __setitem__(self, k, v):
        self.out[k] = v
moves = []
all_lines = []
n = 0
for m in json.loads(sys.argv[1]):
    move = O(amount_untaxed=m['untaxed'], amount_tax=m['tax'])
    own = []
    for l in m['lines']:
        n += 1
        q = l.get('quantity', 1)
        sub = round(q * l['price'], 2)
        tax = l.get('taxKopecks')
        taxes = R([O(amount=22.0, amount_type='percent', price_include=l.get('included', False))]) if tax is not None else R([])
        if l.get('included'):
            total, sub = sub, round(sub - (tax or 0) / 100, 2)
        else:
            total = round(sub + (tax or 0) / 100, 2)
        line = O(id=n, display_type='product', name=l.get('name', 'Услуга'), quantity=q, price_unit=l['price'], discount=0.0,
                 price_subtotal=sub, price_total=total, tax_ids=taxes, product_uom_id=O(name=l.get('uom', 'Units')), move_id=move)
        own.append(line)
        all_lines.append(line)
    move.invoice_line_ids = R(own)
    moves.append([line for line in own])
`;

function run(moves: MoveIn[]): LineOut[][] {
  // As Odoo's safe_eval runs it: its own globals and a separate locals dict, so a comprehension or
  // lambda reading a name the code sets fails here as it fails in Odoo.
  const body = LINE_FIGURE_FIELDS.map(
    (f) =>
      `exec(${JSON.stringify(computeCode('account.move.line.x_rcp_doc', { field: `'${f.name}'` }))}, {'self': R(all_lines)}, {})`,
  ).join('\n');
  const script = `${HARNESS}\n${body}\nprint(json.dumps([[l.out for l in own] for own in moves], ensure_ascii=False))`;
  return JSON.parse(execFileSync('python3', ['-c', script, JSON.stringify(moves)], { encoding: 'utf8' }));
}

describe.runIf(hasPython3)('how the documents print a line (the Python Odoo runs)', () => {
  it('VAT rounded over the invoice a kopeck above its lines: the kopeck goes to the line with the largest remainder', () => {
    // Exact VAT in kopecks: 1.32, 0.22, 0.66, 0.44 → per line 1, 0, 1, 0 (2); over the invoice 2.64 → 3.
    const [lines] = run([
      {
        lines: [
          { price: 0.06, taxKopecks: 1 },
          { price: 0.01, taxKopecks: 0 },
          { price: 0.03, taxKopecks: 1 },
          { price: 0.02, taxKopecks: 0 },
        ],
        untaxed: 0.12,
        tax: 0.03,
      },
    ]) as [LineOut[]];
    expect(lines.map((l) => l.x_rcp_doc_tax)).toEqual([0.01, 0, 0.01, 0.01]);
    expect(lines.map((l) => l.x_rcp_doc_untaxed)).toEqual([0.06, 0.01, 0.03, 0.02]);
  });

  it('a kopeck below: taken from the line whose rounding added the most; ties to the larger, then the earlier line', () => {
    // 0.66 → 1 three times (3); over the invoice 1.98 → 2.
    const [same, ranked] = run([
      { lines: [0, 1, 2].map(() => ({ price: 0.03, taxKopecks: 1 })), untaxed: 0.09, tax: 0.02 },
      {
        lines: [
          { price: 0.03, taxKopecks: 1 },
          { price: 0.07, taxKopecks: 2 },
          { price: 0.03, taxKopecks: 1 },
        ],
        // 0.66 → 1, 1.54 → 2, 0.66 → 1 (4); over the invoice 2.86 → 3
        untaxed: 0.13,
        tax: 0.03,
      },
    ]) as [LineOut[], LineOut[]];
    expect(same.map((l) => l.x_rcp_doc_tax)).toEqual([0, 0.01, 0.01]);
    // rounding added 0.34, 0.46, 0.34 kopecks: the kopeck comes off the second line
    expect(ranked.map((l) => l.x_rcp_doc_tax)).toEqual([0.01, 0.01, 0.01]);
  });

  it('figures that add up stay Odoo’s; a line without tax is never given VAT', () => {
    const [lines] = run([
      {
        lines: [
          { price: 10, taxKopecks: 220 },
          { price: 5, quantity: 1 },
        ],
        untaxed: 15,
        tax: 2.2,
      },
    ]) as [LineOut[]];
    expect(lines.map((l) => [l.x_rcp_doc_untaxed, l.x_rcp_doc_tax])).toEqual([
      [10, 2.2],
      [5, 0],
    ]);
  });

  it('a line sent as 1 × amount prints its real quantity, whole to 1e-4, its unit, and a price that gives the amount back', () => {
    const [lines] = run([
      {
        lines: [
          {
            name: 'Лицензия Windows: 3,99999 шт.×мес × 100 ₽ за май 2024 (1 × сумма: копейка итога RCP отнесена на эту строку)',
            price: 400,
          },
          {
            name: 'Диск SSD: 2554560 ГБ×час × 0,0034 ₽ за май 2024 (1 × сумма: цена в Odoo хранится с 2 знаками)',
            price: 8685.51,
          },
          { name: 'Трафик: 1,5 ГБ × 2 ₽ за май 2024', quantity: 1.5, price: 2 },
          { name: 'Настройка сервера', quantity: 3, price: 1000, uom: 'Units' },
        ],
        untaxed: 12088.51,
        tax: 0,
      },
    ]) as [LineOut[]];
    expect(lines.map((l) => [l.x_rcp_doc_quantity, l.x_rcp_doc_unit, l.x_rcp_doc_price])).toEqual([
      ['4', 'шт.×мес', '100.00'],
      // 2554560 × 0.0034 = 8685.504, not the amount: the price needs 9 decimals
      ['2554560', 'ГБ×час', '0.003400002'],
      ['1.5', 'ГБ', '2.00'],
      ['3', 'Units', '1000.00'],
    ]);
  });

  it('with the VAT in the price, the gross price gives the line total back', () => {
    // 122.00 with 22 % VAT in it: 100.00 + 22.00, for 3 units
    const [lines] = run([
      {
        lines: [{ name: 'Услуга', quantity: 3, price: 40.67, taxKopecks: 2200, included: true }],
        untaxed: 100.01,
        tax: 22,
      },
    ]) as [LineOut[]];
    const [l] = lines as [LineOut];
    expect([l.x_rcp_doc_untaxed, l.x_rcp_doc_tax]).toEqual([100.01, 22]);
    expect(l.x_rcp_doc_price_gross).toBe('40.67');
    expect(l.x_rcp_doc_price).toBe('33.337');
  });
});
