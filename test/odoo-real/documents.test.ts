import { beforeAll, describe, expect, it } from 'vitest';
import { OdooClient, type OdooRecord } from '../../connector/odoo/client.ts';
import { checkOdoo } from '../../connector/processes/check.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { wkhtmltopdfState } from '../../connector/workspace/documents-check.ts';
import { DOCUMENTS, reportName } from '../../connector/workspace/documents.ts';
import { amountInWords } from '../../mappings/amount-in-words.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

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

/** A logged-in browser session of the admin (Odoo's reports need a web session, not RPC). */
async function webSession(url: string, db: string): Promise<(path: string) => Promise<Response>> {
  const login = await fetch(`${url}/web/session/authenticate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      params: { db, login: 'admin', password: process.env.ODOO_ADMIN_PASSWORD ?? 'admin' },
    }),
  });
  const body = (await login.json()) as { error?: unknown };
  if (body.error) throw new Error(`admin login failed: ${JSON.stringify(body.error)}`);
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return (path) => fetch(`${url}${path}`, { headers: { cookie } });
}

const kopecksOf = (text: string) => Math.round(Number(text.replace(/\s/g, '').replace(',', '.')) * 100);
const money = (value: number) => Math.round(value * 100);

/** The figures a page carries in its `data-rcp` cells. */
function figures(html: string) {
  const one = (key: string) =>
    new RegExp(`data-rcp="${key}"[^>]*>(?:<b[^>]*>)?([^<]*)`).exec(html)?.[1]?.trim() ?? '';
  const lines = [...html.matchAll(/<tr data-rcp="line" data-rcp-line="(\d+)">([\s\S]*?)<\/tr>/g)].map((m) => {
    const row = m[2] as string;
    const cell = (key: string) => new RegExp(`data-rcp="${key}"[^>]*>([^<]*)`).exec(row)?.[1]?.trim() ?? '';
    return { id: Number(m[1]), amount: kopecksOf(cell('amount')), quantity: cell('quantity') };
  });
  return {
    untaxed: kopecksOf(one('untaxed')),
    tax: one('tax'),
    total: kopecksOf(one('total')),
    words: one('words'),
    lines,
    missing: [...html.matchAll(/\[не указано: ([^\]]*)\]/g)].map((m) => m[1] as string),
  };
}

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
      ['move_id', 'quantity', 'price_unit', 'price_subtotal', 'price_total'],
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
    moveIds = report.invoices.flatMap((i) => (i.odooId ? [i.odooId] : [])).slice(0, 3);
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
        const wordsWanted = doc.template === 'report_rcp_vat_invoice' ? '' : words;
        expect({ what, untaxed: page.untaxed, total: page.total, words: page.words }).toEqual({
          what,
          untaxed: money(move.amount_untaxed),
          total: money(move.amount_total),
          words: wordsWanted,
        });
        if (move.amount_tax)
          expect({ what, tax: kopecksOf(page.tax) }).toEqual({ what, tax: money(move.amount_tax) });
        expect({ what, lines: page.lines.map((l) => [l.id, l.amount]).sort() }).toEqual({
          what,
          lines: own.map((l) => [l.id, money(l.price_subtotal)]).sort(),
        });
        // The figures add up on the page, not only in the ledger.
        expect(page.lines.reduce((sum, l) => sum + l.amount, 0)).toBe(page.untaxed);
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
    expect(vat).toMatch(/data-rcp="rate">\d+(\.\d+)?%</);
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
    for (const named of ['ИНН', 'КПП', 'address', 'Руководитель', 'Главный бухгалтер', 'bank account'])
      expect(own?.detail).toContain(named);
    expect(before.find((i) => i.what === 'documents: buyer requisites')?.status).toBe('warning');
    expect(figures(await html('report_rcp_payment_invoice', id)).missing).toContain('ИНН компании');

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
  });
});
