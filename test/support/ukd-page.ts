import { expect } from 'vitest';
import type { OdooClient } from '../../connector/odoo/client.ts';
import { REPORT_UKD, REPORT_VAT_INVOICE } from '../../connector/workspace/documents.ts';
import { Decimal } from '../../mappings/money.ts';
import { photograph } from './report-pages.ts';

/**
 * The printed УКД (корректировочный счёт-фактура) read back as its reader checks it: the figures
 * of its `data-rcp` cells, what does not add up, and a chain of corrections of one invoice printed
 * and checked against Odoo's own amounts.
 */

const kopecks = (amount: number) => Math.round(amount * 100);

/** A printed figure ("1 234,56", "--" for none) as kopecks, or a quantity / price as a Decimal. */
export const printedKopecks = (text: string) =>
  text === '--' || text === 'без НДС'
    ? 0
    : Math.round(Number(text.replace(/\s/g, '').replace(',', '.')) * 100);
const printedDecimal = (text: string) =>
  text === '--' ? new Decimal(0) : new Decimal(text.replace(/\s/g, '').replace(',', '.'));
const COLUMNS = ['quantity', 'price', 'amount', 'line-tax', 'line-total'] as const;
type Cells = Record<(typeof COLUMNS)[number], string>;

/** The УКД as printed: per line its rows А, Б, В, Г (data-rcp-row A, B, V, G), and the totals rows. */
export function ukdPage(html: string) {
  const attr = (tag: string, name: string) => new RegExp(`${name}="([^"]*)"`).exec(tag)?.[1] ?? '';
  const cellsOf = (row: string): Cells => {
    const cell = (key: string) =>
      new RegExp(`data-rcp="${key}"[^>]*>(?:<b[^>]*>)?([^<]*)`).exec(row)?.[1]?.trim() ?? '';
    return {
      quantity: cell('quantity'),
      price: cell('price'),
      amount: cell('amount'),
      'line-tax': cell('line-tax'),
      'line-total': cell('line-total'),
    };
  };
  const lines = new Map<number, Record<string, Cells>>();
  for (const m of html.matchAll(/<tr( data-rcp="ukd-row"[^>]*)>([\s\S]*?)<\/tr>/g)) {
    const id = Number(attr(m[1] as string, 'data-rcp-line'));
    const rows = lines.get(id) ?? {};
    rows[attr(m[1] as string, 'data-rcp-row')] = cellsOf(m[2] as string);
    lines.set(id, rows);
  }
  const totals: Record<string, Cells> = {};
  for (const m of html.matchAll(/<tr( data-rcp="ukd-total"[^>]*)>([\s\S]*?)<\/tr>/g))
    totals[attr(m[1] as string, 'data-rcp-row')] = cellsOf(m[2] as string);
  const one = (key: string) => new RegExp(`data-rcp="${key}"[^>]*>([^<]*)`).exec(html)?.[1]?.trim() ?? '';
  return {
    lines,
    totals,
    number: one('number'),
    originalNumber: one('original-number'),
    originalDate: one('original-date'),
  };
}

/**
 * Everything on a printed УКД that does not add up, as a reader checks it: per line and column,
 * А + В − Г = Б (and never both В and Г); quantity × price = amount in rows А and Б; the totals rows
 * are the sums of the lines' В and Г rows; and В − Г of the totals is the correction's own Odoo
 * amounts (an additional invoice raises, a credit note lowers).
 */
export function ukdProblems(
  page: ReturnType<typeof ukdPage>,
  move: { move_type: string; amount_untaxed: number; amount_tax: number; amount_total: number },
): string[] {
  const problems: string[] = [];
  const sums = { V: {} as Record<string, number>, G: {} as Record<string, number> };
  for (const [id, rows] of page.lines) {
    const [a, b, v, g] = [rows.A, rows.B, rows.V, rows.G];
    if (!a || !b || !v || !g) {
      problems.push(`line ${id}: rows ${Object.keys(rows).join('')}`);
      continue;
    }
    for (const column of COLUMNS) {
      if (column === 'price' && (a.price === '--' || b.price === '--')) continue;
      const [ta, tb, tv, tg] = [a[column], b[column], v[column], g[column]];
      if (tv !== '--' && tg !== '--' && tv !== 'без НДС')
        problems.push(`line ${id} ${column}: both В ${tv} and Г ${tg}`);
      if (column === 'line-tax' && ta === 'без НДС') {
        if ([tb, tv, tg].some((t) => t !== 'без НДС')) problems.push(`line ${id}: VAT in some rows only`);
        continue;
      }
      const after = printedDecimal(ta).plus(printedDecimal(tv)).minus(printedDecimal(tg));
      if (!after.equals(printedDecimal(tb)))
        problems.push(`line ${id} ${column}: А ${ta} + В ${tv} − Г ${tg} ≠ Б ${tb}`);
      if (column !== 'quantity' && column !== 'price')
        for (const [row, text] of [
          ['V', tv],
          ['G', tg],
        ] as const)
          sums[row][column] = (sums[row][column] ?? 0) + printedKopecks(text);
    }
    for (const [row, cells] of [
      ['А', a],
      ['Б', b],
    ] as const)
      if (cells.price !== '--' && !printedDecimal(cells.quantity).isZero()) {
        const times = printedDecimal(cells.quantity)
          .times(printedDecimal(cells.price))
          .times(100)
          .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
          .toNumber();
        if (times !== printedKopecks(cells.amount))
          problems.push(`line ${id} row ${row}: ${cells.quantity} × ${cells.price} ≠ ${cells.amount}`);
      }
  }
  const sign = move.move_type === 'out_refund' ? -1 : 1;
  for (const [column, odoo] of [
    ['amount', move.amount_untaxed],
    ['line-tax', move.amount_tax],
    ['line-total', move.amount_total],
  ] as const) {
    if (column === 'line-tax' && page.totals.V?.[column] === 'без НДС') {
      if (page.totals.G?.[column] !== 'без НДС' || kopecks(odoo) !== 0)
        problems.push(`tax: printed without VAT, Odoo's tax ${odoo}`);
      continue;
    }
    for (const row of ['V', 'G'] as const) {
      const printed = page.totals[row]?.[column] ?? '';
      if (printedKopecks(printed) !== (sums[row][column] ?? 0))
        problems.push(`total ${row} ${column}: printed ${printed}, lines ${(sums[row][column] ?? 0) / 100}`);
    }
    const difference =
      printedKopecks(page.totals.V?.[column] ?? '') - printedKopecks(page.totals.G?.[column] ?? '');
    if (difference !== sign * kopecks(odoo))
      problems.push(`${column}: В − Г = ${difference / 100}, the correction's Odoo amount ${sign * odoo}`);
  }
  return problems;
}

const MONTHS = [
  'января',
  'февраля',
  'марта',
  'апреля',
  'мая',
  'июня',
  'июля',
  'августа',
  'сентября',
  'октября',
  'ноября',
  'декабря',
];
export const longDate = (iso: string) => {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${d} ${MONTHS[m - 1]} ${y} г.`;
};

interface CorrectionMove extends Record<string, unknown> {
  id: number;
  move_type: string;
  name: string | false;
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
}

/**
 * Prints the УКД of each correction of one original, in order, and checks it: nothing fails to add
 * up (ukdProblems); the correction's number, the original's number and date printed; a line per
 * product line; row А of each line (total with VAT) is what the счёт-фактура of the original, then
 * those of the earlier corrections (signed), printed for that product, row Б that plus what the
 * correction's own счёт-фактура prints for the line; and a page with one figure off by a kopeck is
 * caught.
 */
export async function expectUkdChainAddsUp(
  admin: OdooClient,
  print: (template: string, id: number) => Promise<{ status: number; html: string }>,
  originalId: number,
  chain: ReadonlyArray<{ id: number }>,
  options: { photo?: { path: string; url: string } | undefined } = {},
): Promise<void> {
  type Line = {
    id: number;
    move_id: [number, string];
    product_id: [number, string] | false;
    display_type: string | false;
    price_subtotal: number;
    price_total: number;
  };
  const productLines = async (moveId: number) =>
    (
      await admin.searchRead<Line>(
        'account.move.line',
        [['move_id', '=', moveId]],
        ['move_id', 'product_id', 'display_type', 'price_subtotal', 'price_total'],
        { order: 'id' },
      )
    ).filter((l) => l.display_type === 'product');
  const [original] = await admin.read<{ id: number; name: string; invoice_date: string }>(
    'account.move',
    [originalId],
    ['name', 'invoice_date'],
  );
  // What was charged per product before each correction, as each document's счёт-фактура printed
  // it (the original's, then each correction's, signed): its lines' totals with VAT.
  const invoiceLines = async (moveId: number) => {
    const page = await print(REPORT_VAT_INVOICE, moveId);
    expect(page.status).toBe(200);
    const totals = new Map<number, number>();
    for (const m of page.html.matchAll(/<tr data-rcp="line" data-rcp-line="(\d+)">([\s\S]*?)<\/tr>/g))
      totals.set(
        Number(m[1]),
        printedKopecks(/data-rcp="line-total"[^>]*>([^<]*)/.exec(m[2] as string)?.[1]?.trim() ?? ''),
      );
    return totals;
  };
  const charged = new Map<number, number>();
  const add = async (moveId: number, lines: Line[], sign: number) => {
    const printed = await invoiceLines(moveId);
    expect([...printed.keys()].sort()).toEqual(lines.map((l) => l.id).sort());
    for (const l of lines) {
      const product = l.product_id ? l.product_id[0] : 0;
      charged.set(product, (charged.get(product) ?? 0) + sign * (printed.get(l.id) ?? 0));
    }
  };
  await add(originalId, await productLines(originalId), 1);
  for (const correction of chain) {
    const [move] = await admin.read<CorrectionMove>(
      'account.move',
      [correction.id],
      ['move_type', 'name', 'amount_untaxed', 'amount_tax', 'amount_total'],
    );
    if (!move) throw new Error(`no move ${correction.id}`);
    const printed = await print(REPORT_UKD, move.id);
    expect(printed.status).toBe(200);
    const page = ukdPage(printed.html);
    expect(ukdProblems(page, move)).toEqual([]);
    expect([page.number, page.originalNumber, page.originalDate]).toEqual([
      move.name,
      original?.name,
      longDate(original?.invoice_date ?? ''),
    ]);
    const lines = await productLines(move.id);
    expect([...page.lines.keys()].sort()).toEqual(lines.map((l) => l.id).sort());
    const sign = move.move_type === 'out_refund' ? -1 : 1;
    const own = await invoiceLines(move.id);
    for (const l of lines) {
      const product = l.product_id ? l.product_id[0] : 0;
      const rows = page.lines.get(l.id);
      expect({ line: l.id, before: printedKopecks(rows?.A?.['line-total'] ?? '') }).toEqual({
        line: l.id,
        before: charged.get(product) ?? 0,
      });
      expect(printedKopecks(rows?.B?.['line-total'] ?? '')).toBe(
        (charged.get(product) ?? 0) + sign * (own.get(l.id) ?? 0),
      );
    }
    await add(move.id, lines, sign);
    if (options.photo && move.id === chain[0]?.id)
      photograph(printed.html, options.photo.path, options.photo.url);
    // A test that cannot fail is a defect: one figure off by a kopeck is named.
    const [firstLine] = page.lines.values();
    const tampered = ukdPage(
      printed.html.replace(
        /(data-rcp-row="B"[\s\S]*?data-rcp="amount"[^>]*>)([^<]*)/,
        (_m, head: string, amount: string) =>
          `${head}${(printedKopecks(amount) + 1) / 100}`.replace(/\.(\d+)$/, ',$1'),
      ),
    );
    expect(firstLine).toBeDefined();
    expect(ukdProblems(tampered, move).join('\n')).toMatch(/amount: А .* ≠ Б/);
    const total = ukdPage(
      printed.html.replace(
        /(data-rcp="ukd-total"[\s\S]*?data-rcp="line-total"[^>]*>(?:<b[^>]*>)?)([^<]*)/,
        (_m, head: string, amount: string) =>
          `${head}${(printedKopecks(amount) + 1) / 100}`.replace(/\.(\d+)$/, ',$1'),
      ),
    );
    expect(ukdProblems(total, move).join('\n')).toMatch(/total V line-total/);
  }
}
