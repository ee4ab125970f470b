import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { OdooClient, type OdooRecord } from '../../connector/odoo/client.ts';
import { checkOdoo } from '../../connector/processes/check.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { wkhtmltopdfState } from '../../connector/workspace/documents-check.ts';
import { DOCUMENTS, reportName } from '../../connector/workspace/documents.ts';
import { amountInWords } from '../../mappings/amount-in-words.ts';
import { Decimal } from '../../mappings/money.ts';
import { type RoundingMethod, realOdooFromEnv, realTitle, setRoundingMethod } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';
import { photograph, webSession } from '../support/report-pages.ts';

/**
 * The primary documents on a real Odoo: setup adds them, a month of the simulator's usage is
 * invoiced, and each document of each invoice is rendered over HTTP as Odoo's Print menu does
 * (`/report/html/…`, PDF where Odoo has wkhtmltopdf); its figures, read back from the page, equal
 * the invoice's own to the kopeck, and the sum in words is the Russian of its total. `check` names
 * the requisites the forms lack, and the page says "не указано" until they are entered.
 */
const PERIOD = '2024-05';

interface MoveRow extends OdooRecord {
  name: string | false;
  state: string;
  amount_untaxed: number;
  amount_tax: number;
  amount_total: number;
  x_rcp_amount_words: string;
}
interface LineRow extends OdooRecord {
  move_id: [number, string];
  quantity: number;
  price_unit: number;
  price_subtotal: number;
  price_total: number;
}

const kopecksOf = (text: string) => Math.round(Number(text.replace(/\s/g, '').replace(',', '.')) * 100);
const money = (value: number) => Math.round(value * 100);
const decimalOfText = (text: string) => new Decimal(text.replace(/\s/g, '').replace(',', '.'));

/** The счёт-фактура and the УПД: the form of Постановление 1137 (columns 5, 8, 9; no sum in words). */
const isVatForm = (template: string) =>
  template === 'report_rcp_vat_invoice' || template === 'report_rcp_upd';

/** The figures a page carries in its `data-rcp` cells. */
function figures(html: string) {
  const one = (key: string) =>
    new RegExp(`data-rcp="${key}"[^>]*>(?:<b[^>]*>)?([^<]*)`).exec(html)?.[1]?.trim() ?? '';
  const lines = [...html.matchAll(/<tr data-rcp="line" data-rcp-line="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const row = m[2] as string;
    const cell = (key: string) => new RegExp(`data-rcp="${key}"[^>]*>([^<]*)`).exec(row)?.[1]?.trim() ?? '';
    return {
      id: Number(m[1]),
      amount: kopecksOf(cell('amount')),
      quantity: cell('quantity'),
      unit: cell('unit'),
      price: cell('price'),
      rate: cell('rate'),
      tax: cell('line-tax'),
      total: cell('line-total'),
    };
  });
  return {
    sum: kopecksOf(one('sum')),
    untaxed: kopecksOf(one('untaxed')),
    tax: one('tax'),
    vatLabel: one('vat-label'),
    total: kopecksOf(one('total')),
    words: one('words'),
    lines,
    missing: [...html.matchAll(/\[не указано: ([^\]]*)\]/g)].map((m) => m[1] as string),
  };
}

const one = (html: string, key: string) =>
  new RegExp(`data-rcp="${key}"[^>]*>([^<]*)`).exec(html)?.[1]?.trim() ?? '';

/** quantity × price, half up to the kopeck: what a reader of the page multiplies. */
const timesToKopecks = (quantity: string, price: string) =>
  decimalOfText(quantity)
    .times(decimalOfText(price))
    .times(100)
    .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
    .toNumber();

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('primary documents'), () => {
  const stack = useRealStack(
    'docs',
    { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let admin: OdooClient;
  let get: (path: string) => Promise<Response>;
  let moveIds: number[];
  let allIds: number[];
  const html = async (template: string, id: number) => {
    const response = await get(`/report/html/${reportName(template)}/${id}`);
    expect(response.status).toBe(200);
    return response.text();
  };
  const readMoves = (ids: number[]) =>
    admin.read<MoveRow>('account.move', ids, [
      'name',
      'state',
      'amount_untaxed',
      'amount_tax',
      'amount_total',
      'x_rcp_amount_words',
    ]);
  const productLines = (ids: number[]) =>
    admin.searchRead<LineRow>(
      'account.move.line',
      [
        ['move_id', 'in', ids],
        ['display_type', '=', 'product'],
      ],
      ['move_id', 'product_id', 'quantity', 'price_unit', 'price_subtotal', 'price_total'],
    );

  const runCheck = () =>
    checkOdoo(() => OdooClient.connect(s.odoo.admin), s.deps.config, { partners: undefined, priceDigits: 2 });

  beforeAll(async () => {
    s = stack();
    admin = s.admin;
    // A sale tax on every line, so the documents show VAT (the fresh database's default sale tax).
    const [tax] = await admin.searchRead<OdooRecord>(
      'account.tax',
      [['type_tax_use', '=', 'sale']],
      ['name'],
      {
        limit: 1,
      },
    );
    const deps = await s.reconnect();
    const config = {
      ...deps.config,
      invoicing: { ...deps.config.invoicing, taxIds: tax ? [tax.id] : [] },
    };
    await syncMasterData({ ...deps, config }, { what: 'all' });
    const report = await invoicePeriod({ ...deps, config }, { period: PERIOD });
    expect(report.failed).toEqual([]);
    allIds = report.invoices.flatMap((i) => (i.odooId ? [i.odooId] : []));
    moveIds = allIds.slice(0, 3);
    expect(moveIds.length).toBeGreaterThan(0);
    get = await webSession(s.odoo.admin.url, s.odoo.admin.db);
  });

  it('each document of each invoice prints its lines, totals, VAT and the total in words exactly as the invoice holds them', async () => {
    const moves = await readMoves(moveIds);
    const lines = await productLines(moveIds);
    for (const move of moves) {
      const own = lines.filter((l) => l.move_id[0] === move.id);
      const words = amountInWords(money(move.amount_total));
      expect(move.x_rcp_amount_words).toBe(words);
      for (const doc of DOCUMENTS) {
        const page = figures(await html(doc.template, move.id));
        const what = `${doc.label} of invoice ${move.id}`;
        // The VAT invoice has no sum in words (the form has none); the other two do.
        const vat = isVatForm(doc.template);
        const wordsWanted = vat ? '' : words;
        expect({
          what,
          untaxed: vat ? page.untaxed : page.sum,
          total: page.total,
          words: page.words,
        }).toEqual({
          what,
          untaxed: money(move.amount_untaxed),
          total: money(move.amount_total),
          words: wordsWanted,
        });
        if (move.amount_tax)
          expect({ what, tax: kopecksOf(page.tax) }).toEqual({ what, tax: money(move.amount_tax) });
        expect({ what, lines: page.lines.map((l) => l.id).sort() }).toEqual({
          what,
          lines: own.map((l) => l.id).sort(),
        });
        // The figures add up on the page, not only in the ledger.
        expect(page.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(vat ? page.untaxed : page.sum);
      }
    }
    const [first] = moves;
    expect(first?.amount_tax).toBeGreaterThan(0);
  });

  it('the act states the month and RCP’s units; the VAT invoice its shipment row and the rate', async () => {
    const id = moveIds[0] as number;
    const act = await html('report_rcp_act', id);
    expect(act).toContain('Период оказания услуг: с 01.05.2024 по 31.05.2024');
    expect(act).toMatch(/data-rcp="unit">[^<]*×(час|мин|сут|мес|год)</);
    const vat = await html('report_rcp_vat_invoice', id);
    expect(vat).toContain('Документ об отгрузке');
    expect(vat).toContain('от 26 декабря 2011 г. № 1137');
    expect(vat).toMatch(/data-rcp="rate">\d+(,\d+)? %</);
  });

  it('when an accountant edits a draft, the documents follow: the new total and its words', async () => {
    const id = moveIds[0] as number;
    const [line] = await productLines([id]);
    if (!line) throw new Error('no line');
    const [move] = await readMoves([id]);
    expect(move?.state).toBe('draft');
    await admin.write('account.move', [id], {
      invoice_line_ids: [[1, line.id, { price_unit: line.price_unit + 1000 }]],
    });
    const [after] = await readMoves([id]);
    expect(after?.amount_total).not.toBe(move?.amount_total);
    const page = figures(await html('report_rcp_payment_invoice', id));
    expect(page.total).toBe(money(after?.amount_total ?? 0));
    expect(page.words).toBe(amountInWords(money(after?.amount_total ?? 0)));
  });

  it('PDF where Odoo has wkhtmltopdf; `check` says which it is', async () => {
    const state = await wkhtmltopdfState(admin);
    const check = await runCheck();
    const pdfItem = check.find((i) => i.what === 'documents PDF');
    expect(pdfItem?.status).toBe(state === 'ok' ? 'ok' : 'warning');
    if (state !== 'ok') {
      expect(pdfItem?.detail).toContain('wkhtmltopdf');
      return;
    }
    const response = await get(`/report/pdf/${reportName('report_rcp_act')}/${moveIds[0]}`);
    expect(response.headers.get('content-type')).toContain('application/pdf');
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 4)
        .toString(),
    ).toBe('%PDF');
  });

  it('check names each missing requisite and the page marks it “не указано”; once entered, both are clean', async () => {
    const id = moveIds[0] as number;
    const before = await runCheck();
    const own = before.find((i) => i.what === 'documents: provider requisites');
    expect(own?.status).toBe('warning');
    for (const named of [
      'ИНН',
      'КПП',
      'address',
      'Руководитель',
      'Главный бухгалтер',
      'ОГРН',
      'bank account',
    ])
      expect(own?.detail).toContain(named);
    expect(before.find((i) => i.what === 'documents: buyer requisites')?.status).toBe('warning');
    expect(figures(await html('report_rcp_payment_invoice', id)).missing).toContain('ИНН компании');
    // The act's basis is the RCP contract of the invoiced card; its number and date are asked for.
    const act = await html('report_rcp_act', id);
    expect(act).toMatch(/data-rcp="basis">\s*Договор в RCP \((клиент|партнёр) [0-9a-f-]{36}\)/);
    expect(figures(act).missing).toContain('номер и дата договора (Контакты → компания → Договор)');
    expect(act).toContain('Представитель заказчика');

    // What the administrator enters on Odoo's own forms (the fields setup added to them).
    const [user] = await admin.read<OdooRecord & { company_id: [number, string] }>(
      'res.users',
      [admin.uid],
      ['company_id'],
    );
    const companyId = user?.company_id[0] as number;
    const [company] = await admin.read<OdooRecord & { partner_id: [number, string] }>(
      'res.company',
      [companyId],
      ['partner_id'],
    );
    const address = { street: 'ул. Вавилова, 19', city: 'Москва', zip: '117312' };
    await admin.write('res.partner', [company?.partner_id[0] as number], { vat: '7707083893', ...address });
    await admin.write('res.company', [companyId], {
      x_rcp_kpp: '773601001',
      x_rcp_director: 'Иванов И.И.',
      x_rcp_chief_accountant: 'Петрова А.А.',
      x_rcp_ogrn: '1027700132195',
    });
    const [bankId] = await admin.create('res.bank', [
      { name: 'ПАО Сбербанк', bic: '044525225', x_rcp_corr_account: '30101810400000000225' },
    ]);
    await admin.create('res.partner.bank', [
      { partner_id: company?.partner_id[0], acc_number: '40702810938000000001', bank_id: bankId },
    ]);
    const [move] = await admin.read<OdooRecord & { partner_id: [number, string] }>(
      'account.move',
      [id],
      ['partner_id'],
    );
    await admin.write('res.partner', [move?.partner_id[0] as number], {
      vat: '7736207543',
      x_rcp_kpp: '773601001',
      x_rcp_contract_number: '15/2024',
      x_rcp_contract_date: '2024-01-10',
      ...address,
    });

    const after = await runCheck();
    expect(after.find((i) => i.what === 'documents: provider requisites')?.status).toBe('ok');
    for (const doc of DOCUMENTS) {
      const page = await html(doc.template, id);
      expect({ doc: doc.label, missing: figures(page).missing }).toEqual({ doc: doc.label, missing: [] });
      expect(page).toContain('7707083893');
      expect(page).toContain('Иванов И.И.');
    }
    expect(await html('report_rcp_act', id)).toMatch(
      /data-rcp="basis">\s*Договор № 15\/2024 от 10\.01\.2024/,
    );
  });

  it('under both rounding methods, with 22 % VAT on top, included, or none: every page adds up to its totals and they are the invoice’s', async () => {
    const major = Number(/\d+/.exec(admin.version)?.[0]);
    const [onTop, included] = (await admin.create('account.tax', [
      { name: 'НДС 22 %', amount: 22, amount_type: 'percent', type_tax_use: 'sale' },
      {
        name: 'НДС 22 % (в т.ч.)',
        amount: 22,
        amount_type: 'percent',
        type_tax_use: 'sale',
        ...(major >= 18 ? { price_include_override: 'tax_included' } : { price_include: true }),
      },
    ])) as [number, number];
    // Two invoices whose lines' own VAT cannot add up to a VAT rounded over the invoice: three lines of
    // 0.02 (VAT 0.0044 each: 0.00 per line, 0.01 for the invoice) and three of 0.03 (0.0066: 0.01 per
    // line, 0.02 for the invoice); labelled as the invoice writer labels a line it sent as 1 × amount.
    const [sample] = await productLines([moveIds[0] as number]);
    const [buyerMove] = await admin.read<OdooRecord & { partner_id: [number, string] }>(
      'account.move',
      [moveIds[0] as number],
      ['partner_id'],
    );
    const product = (sample as LineRow & { product_id?: [number, string] }).product_id;
    const label = (quantity: string) =>
      `Лицензия: ${quantity} шт.×мес × 0,01 ₽ за май 2024 (1 × сумма: копейка итога RCP отнесена на эту строку)`;
    const crafted = (await admin.create(
      'account.move',
      [0.02, 0.03].map((price) => ({
        move_type: 'out_invoice',
        partner_id: buyerMove?.partner_id[0],
        invoice_date: '2024-05-31',
        invoice_line_ids: [0, 1, 2].map((i) => [
          0,
          0,
          {
            ...(product ? { product_id: product[0] } : {}),
            name: label(i === 0 ? '1,99999' : '2'),
            quantity: 1,
            price_unit: price,
            tax_ids: [[6, 0, []]],
          },
        ]),
      })),
    )) as number[];
    const ids = [...allIds, ...crafted];
    const lineIds = (await productLines(ids)).map((l) => l.id);
    const scenarios: Array<{ method: RoundingMethod; tax: number | undefined; wording: string }> = [
      { method: 'round_per_line', tax: onTop, wording: 'НДС (22 %):' },
      { method: 'round_per_line', tax: included, wording: 'В том числе НДС (22 %):' },
      { method: 'round_globally', tax: onTop, wording: 'НДС (22 %):' },
      { method: 'round_globally', tax: included, wording: 'В том числе НДС (22 %):' },
      { method: 'round_globally', tax: undefined, wording: 'Без НДС:' },
    ];
    let moved = 0;
    for (const scenario of scenarios) {
      expect(await setRoundingMethod(admin, scenario.method)).toBe(scenario.method);
      // Odoo recomputes an invoice's taxes when its lines' taxes are written (under the method now set).
      await admin.write('account.move.line', lineIds, { tax_ids: [[6, 0, []]] });
      if (scenario.tax)
        await admin.write('account.move.line', lineIds, { tax_ids: [[6, 0, [scenario.tax]]] });
      const moves = await readMoves(ids);
      const lines = await productLines(ids);
      for (const move of moves) {
        const own = lines.filter((l) => l.move_id[0] === move.id);
        const odooLineTax = own.reduce((sum, l) => sum + money(l.price_total) - money(l.price_subtotal), 0);
        if (odooLineTax !== money(move.amount_tax)) moved++;
        for (const doc of DOCUMENTS) {
          const text = await html(doc.template, move.id);
          const page = figures(text);
          const what = `${scenario.method}, ${scenario.wording} ${doc.label} of invoice ${move.id}`;
          const vat = isVatForm(doc.template);
          expect({ what, lines: page.lines.length }).toEqual({ what, lines: own.length });
          for (const l of page.lines) {
            // Each line: quantity × price is its amount; its rate is said.
            expect({ what, line: l.id, times: timesToKopecks(l.quantity, l.price) }).toEqual({
              what,
              line: l.id,
              times: l.amount,
            });
            expect({ what, line: l.id, rate: l.rate }).toEqual({
              what,
              line: l.id,
              rate: scenario.tax ? '22 %' : vat ? 'без НДС' : 'Без НДС',
            });
            expect(l.quantity).not.toMatch(/,9999/);
          }
          const sumOf = (pick: (l: (typeof page.lines)[number]) => number) =>
            page.lines.reduce((sum, l) => sum + pick(l), 0);
          if (vat) {
            // Columns 5, 8 and 9 add up to the totals row, which is the invoice's.
            expect({
              what,
              untaxed: sumOf((l) => l.amount),
              total: sumOf((l) => kopecksOf(l.total)),
            }).toEqual({
              what,
              untaxed: page.untaxed,
              total: page.total,
            });
            if (scenario.tax)
              expect({ what, tax: sumOf((l) => kopecksOf(l.tax)) }).toEqual({
                what,
                tax: kopecksOf(page.tax),
              });
            for (const l of page.lines)
              if (scenario.tax) expect(l.amount + kopecksOf(l.tax)).toBe(kopecksOf(l.total));
            expect({ what, untaxed: page.untaxed, total: page.total }).toEqual({
              what,
              untaxed: money(move.amount_untaxed),
              total: money(move.amount_total),
            });
          } else {
            expect({ what, sum: sumOf((l) => l.amount), label: page.vatLabel }).toEqual({
              what,
              sum: page.sum,
              label: scenario.wording,
            });
            const isIncluded = scenario.tax === included;
            expect({ what, sum: page.sum, total: page.total }).toEqual({
              what,
              sum: money(isIncluded ? move.amount_total : move.amount_untaxed),
              total: money(move.amount_total),
            });
          }
          if (scenario.tax)
            expect({ what, tax: kopecksOf(page.tax) }).toEqual({ what, tax: money(move.amount_tax) });
          else expect({ what, tax: page.tax }).toEqual({ what, tax: vat ? 'без НДС' : '-' });
          if (doc.template === 'report_rcp_upd') {
            expect({ what, status: one(text, 'status') }).toEqual({ what, status: scenario.tax ? '1' : '2' });
            // DOC_SHOTS=DIR: a picture of the УПД of the month's last invoice (the first is edited by a test), 22 % on top, for the README.
            if (
              process.env.DOC_SHOTS &&
              scenario.method === 'round_globally' &&
              scenario.tax === onTop &&
              move.id === allIds.at(-1)
            )
              photograph(text, join(process.env.DOC_SHOTS, `upd-${major}.png`), s.odoo.admin.url);
          }
          if (crafted.includes(move.id)) {
            // The 1 × amount lines print their real quantity (whole: 1,99999 is 2 to 1e-4) in their unit.
            expect({ what, quantities: page.lines.map((l) => [l.quantity, l.unit]) }).toEqual({
              what,
              quantities: [0, 1, 2].map(() => ['2', 'шт.×мес']),
            });
          }
        }
      }
    }
    // The matrix met Odoo's per-line VAT disagreeing with its header, where the stated rule applied.
    console.info(
      `documents: ${moved} invoice×scenario(s) where Odoo's line VAT did not add up to its header`,
    );
    expect(moved).toBeGreaterThan(0);
  });
});
