import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { DOCUMENTS } from '../../connector/workspace/documents.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { type Browser, POLL, browserCanRun, openBrowser, pressConfirmed } from '../support/browser.ts';
import { realTitle } from '../support/real-odoo.ts';
import { type RealStack, makeAccountant, useRealStack } from '../support/real-stack.ts';

/**
 * What an accountant does in the browser, on a real Odoo (17, 18 or 19) with Debian's chromium,
 * logged in as an accountant (Billing + RCP / User, not admin): requests a sync and an invoice run
 * in RCP → Runs and sees them done (the worker's poll runs in the test), links one counterparty,
 * opens the usage pivot, prints the Счёт на оплату of an invoice from its Print menu, and settles a
 * payment whose answer from RCP was lost with the review's "RCP has it" button. Screenshots land in
 * docs/screenshots/<version>/ (SCREENSHOTS=off to skip writing them); DEBUG_SHOTS=DIR writes a
 * screenshot of the page in DIR when a step fails. The steps build on each other: after a failure
 * the later ones fail too; the first failure is the one to read.
 */
const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const PERIOD = '2024-05';

/** "12 345,67" (the documents' Russian format) or "12,345.67" (Odoo's en_US) → kopecks. */
const kopecksOf = (text: string) => {
  const plain = text.replace(/[\s\u00a0\u202f]/g, '').replace(/[^\d.,-]/g, '');
  const russian = /,\d{2}$/.test(plain);
  return Math.round(
    Number(russian ? plain.replace(/\./g, '').replace(',', '.') : plain.replace(/,/g, '')) * 100,
  );
};
const kopecks = (value: number) => Math.round(value * 100);

describe.skipIf(!browserCanRun())(realTitle('the accountant in the browser'), () => {
  const stack = useRealStack(
    'browser',
    { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let browser: Browser;
  let page: Page;
  let accountantId: number;
  const tag = `${Date.now()}`;
  const login = `accountant_${tag}`;
  const password = `pw-${tag}-Accountant`;

  const shot = async (name: string) => {
    if (process.env.SCREENSHOTS === 'off') return;
    const dir = join(SHOTS, String(s.odoo.major));
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, `${name}.png`) });
  };
  const poll = () =>
    pollOnce({
      deps: async () => s.deps,
      log: silentLogger,
      worker: 'browser-test',
      pollSeconds: 1,
      staleSeconds: 900,
    });

  beforeAll(async () => {
    s = stack();
    accountantId = await makeAccountant(s, { name: 'Anna Accountant', login, password });
    browser = await openBrowser({ viewport: { width: 1280, height: 760 }, acceptDownloads: true });
    page = browser.page;
  }, 480_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && process.env.DEBUG_SHOTS)
      await page.screenshot({
        path: join(process.env.DEBUG_SHOTS, `${s.odoo.major}-${ctx.task.name.slice(0, 30)}.png`),
      });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const url = () => s.odoo.admin.url;
  const db = () => s.odoo.admin.db;
  /**
   * Accounting (Invoicing) → RCP → an item, through the menus as the accountant clicks them (a
   * `/web#action=` URL opens the view on 17 without its app's menu).
   */
  const openMenu = async (item: 'menu_runs' | 'menu_counterparties' | 'menu_usage' | 'menu_payments') => {
    const section = page.locator('.o_menu_sections [data-menu-xmlid="rcp_connector.menu_rcp"]');
    if (!(await section.isVisible())) {
      await page.click('.o_navbar_apps_menu button');
      await page.click('.o_app[data-menu-xmlid="account.menu_finance"]');
      await section.waitFor();
    }
    await section.click();
    await page.click(`.dropdown-menu [data-menu-xmlid="rcp_connector.${item}"]`);
  };
  /** The current step of a form's status bar (17, 18 and 19 mark it alike). */
  const statusIs = (label: string) =>
    page.waitForSelector(`.o_statusbar_status .o_arrow_button_current:has-text("${label}")`);
  /** A selection field: a `<select>` on 17 and 18, a SelectMenu on 19. */
  const choose = async (field: string, label: string) => {
    const widget = page.locator(`.o_field_widget[name="${field}"]`);
    if ((await widget.locator('select').count()) > 0) {
      await widget.locator('select').selectOption({ label });
      return;
    }
    await widget.locator('.o_select_menu_toggler').click();
    await page.locator('.o_select_menu_item').filter({ hasText: label }).first().click();
  };
  const newRecord = () =>
    page.click('.o_list_button_add:visible, .o_control_panel_main_buttons button:visible:has-text("New")');
  const save = async () => {
    await page.click('.o_form_button_save');
    await page.waitForSelector('.o_form_saved, .o_form_status_indicator:not(:has(.o_form_button_save))');
  };
  const myRun = async (kind: string) => {
    const [run] = await s.admin.searchRead<OdooRecord & { x_state: string }>(
      'x_rcp_run',
      [
        ['create_uid.login', '=', login],
        ['x_kind', '=', kind],
      ],
      ['x_state'],
      { order: 'id desc', limit: 1 },
    );
    return run;
  };

  it('logs in, opens RCP → Runs, requests a sync and sees it done', async () => {
    await page.goto(`${url()}/web/login?db=${db()}`);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    // The first page of a fresh database may build the web client's assets first: a minute or more on a busy machine.
    await page.waitForSelector('.o_main_navbar', { timeout: 180_000 });
    // Accounting (Invoicing) → RCP: its four items.
    await page.click('.o_navbar_apps_menu button');
    await page.click('.o_app[data-menu-xmlid="account.menu_finance"]');
    await page.click('.o_menu_sections [data-menu-xmlid="rcp_connector.menu_rcp"]');
    await page.waitForSelector('.dropdown-menu [data-menu-xmlid="rcp_connector.menu_payments"]');
    await shot('rcp-menu');
    await page.click('.dropdown-menu [data-menu-xmlid="rcp_connector.menu_runs"]');
    await page.waitForSelector('.o_list_renderer, .o_view_nocontent');

    await newRecord();
    await page.waitForSelector('.o_form_view');
    // What: sync (the default); saved in state Requested.
    await save();
    await statusIs('Requested');
    const run = await myRun('sync');
    expect(run?.x_state).toBe('requested');
    expect(await poll()).toBe(run?.id);
    await page.reload();
    await statusIs('Done');
    const summary = await page.textContent('.o_field_widget[name="x_summary"]');
    expect(summary).toMatch(/client/);
  }, 360_000);

  let company = 0;
  const client = () => s.sim.world.client(s.sim.world.order[0] as number);

  /** The counterparty form's Odoo company, typed and picked from the suggestions. */
  const chooseCompany = async (text: string) => {
    await page.locator('.o_field_widget[name="x_partner_id"] input').fill(text);
    await page
      .locator('.o-autocomplete--dropdown-menu .dropdown-item')
      .filter({ hasText: text })
      .first()
      .click();
  };

  it('links one counterparty from the Counterparties list', async () => {
    [company] = (await s.admin.create('res.partner', [
      { name: `ООО «Ромашка» ${tag}`, is_company: true, email: 'buh@romashka.example' },
    ])) as [number];
    await openMenu('menu_counterparties');
    await page.waitForSelector('.o_list_renderer .o_data_row');
    // The line opens its form; the accountant chooses the company and saves.
    await page.locator('.o_data_row').filter({ hasText: client().name }).first().locator('td').nth(1).click();
    await page.waitForSelector('.o_form_view');
    await chooseCompany(tag);
    await save();
    const [row] = await s.admin.searchRead<OdooRecord & { x_partner_id: [number, string] | false }>(
      'x_rcp_counterparty',
      [['x_rcp_id', '=', client().id]],
      ['x_partner_id'],
    );
    expect(row?.x_partner_id ? row.x_partner_id[0] : undefined).toBe(company);
    // The next sync (a run, as the accountant would request it) applies the link and keeps the name.
    const [runId] = await s.admin.create('x_rcp_run', [{ x_kind: 'sync' }]);
    expect(await poll()).toBe(runId);
    const [linked] = await s.admin.read<OdooRecord & { name: string; ref: string | false }>(
      'res.partner',
      [company],
      ['name', 'ref'],
    );
    expect(linked).toMatchObject({ name: `ООО «Ромашка» ${tag}`, ref: client().id });
    await openMenu('menu_counterparties');
    await page.waitForSelector('.o_list_renderer .o_data_row');
    await page.locator('.o_data_row').filter({ hasText: tag }).first().waitFor();
    await shot('counterparties');
    // Cleared in the form, the counterparty shows To match at once (before any sync); chosen
    // again, Linked: the status follows the accountant's choice, the sync applies it.
    await page.locator('.o_data_row').filter({ hasText: client().name }).first().locator('td').nth(1).click();
    await page.waitForSelector('.o_form_view');
    await statusIs('Linked');
    await page.locator('.o_field_widget[name="x_partner_id"] input').fill('');
    // The field takes the empty value when it loses focus (a click beside it, as a person does).
    await page.locator('.o_form_view .oe_title').click();
    // The status follows in the form before saving (Odoo's onchange computes it), and after.
    await statusIs('To match');
    await save();
    await statusIs('To match');
    await chooseCompany(tag);
    await save();
    await statusIs('Linked');
  });

  let moveIds: number[] = [];

  it('requests an invoice run for a month in RCP → Runs and sees it done with its invoices', async () => {
    await openMenu('menu_runs');
    await page.waitForSelector('.o_list_renderer, .o_view_nocontent');
    await newRecord();
    await page.waitForSelector('.o_form_view');
    await choose('x_kind', 'Invoices for a month');
    // The month is picked (a date of it), not typed as text: it shows as YYYY-MM.
    const month = page.locator('.o_field_widget[name="x_month"] input');
    await month.fill(`05/15/${PERIOD.slice(0, 4)}`);
    await month.press('Enter');
    await expect.poll(() => page.locator('.o_field_widget[name="x_period"]').innerText()).toBe(PERIOD);
    await save();
    await statusIs('Requested');
    const run = await myRun('invoice');
    expect(run?.x_state).toBe('requested');
    expect(await poll()).toBe(run?.id);
    await page.reload();
    await statusIs('Done');
    const [done] = await s.admin.read<
      OdooRecord & { x_state: string; x_failed_count: number; x_period: string; x_move_ids: number[] }
    >('x_rcp_run', [run?.id as number], ['x_state', 'x_failed_count', 'x_period', 'x_move_ids']);
    expect(done).toMatchObject({ x_state: 'done', x_failed_count: 0, x_period: PERIOD });
    moveIds = done?.x_move_ids ?? [];
    expect(moveIds.length).toBeGreaterThan(0);
    // The run's form lists the drafts it made.
    await page.waitForSelector('.o_field_widget[name="x_move_ids"] .o_data_row');
    expect(await page.locator('.o_field_widget[name="x_move_ids"] .o_data_row').count()).toBe(moveIds.length);
    await shot('invoice-run-done');
  });

  it('shows the usage of the invoiced month as a pivot whose total is the invoices’ untaxed total', async () => {
    const moves = await s.admin.read<OdooRecord & { amount_untaxed: number }>('account.move', moveIds, [
      'amount_untaxed',
    ]);
    const untaxed = moves.reduce((sum, m) => sum + kopecks(m.amount_untaxed), 0);
    await openMenu('menu_usage');
    await page.waitForSelector('.o_pivot table');
    // Not the sample data an empty pivot shows: the grand total (last cell of the header total row).
    await expect.poll(() => page.locator('.o_pivot_sample_data, .o_view_sample_data').count(), POLL).toBe(0);
    const total = await page.locator('.o_pivot table tbody tr').first().locator('td').last().textContent();
    expect(kopecksOf(total ?? '')).toBe(untaxed);
    await shot('usage-pivot');
  });

  it('prints the Счёт на оплату of an invoice from its Print menu: the page shows the invoice’s total, and its lines sum to the untaxed amount', async () => {
    const [move] = await s.admin.read<
      OdooRecord & { amount_total: number; amount_untaxed: number; partner_id: [number, string] }
    >('account.move', [moveIds[0] as number], ['amount_total', 'amount_untaxed', 'partner_id']);
    const document = DOCUMENTS[0];
    await page.goto(`${url()}/web#model=account.move&id=${move?.id}&view_type=form`);
    await page.waitForSelector('.o_form_view .o_field_widget[name="partner_id"]');
    // The Print items sit in the gear (⚙) menu of the control panel, under a submenu with a printer
    // icon when there are several ("Print" on 17, "Download" on 18's invoices).
    await page.click('.o_control_panel .o_cp_action_menus button:has(.fa-cog)');
    const menu = page.locator('.o-dropdown--menu, .dropdown-menu');
    await menu.locator('.fa-print').first().waitFor();
    const item = menu.locator('.o_menu_item').filter({ hasText: document.label }).first();
    if (!(await item.isVisible())) {
      await menu.locator(':is(button, .dropdown-toggle):has(> .fa-print)').first().click();
    }
    // With wkhtmltopdf Odoo downloads a PDF; without it (the shared servers) it shows the HTML report.
    const download = page.waitForEvent('download', { timeout: 60_000 }).catch(() => undefined);
    await item.click();
    const shown = page
      .waitForSelector('iframe[src*="/report/html/"]', { timeout: 60_000 })
      .catch(() => undefined);
    const first = await Promise.race([
      download.then((d) => d && ('pdf' as const)),
      shown.then((f) => f && ('html' as const)),
    ]);
    let frame: Frame | Page;
    if (first === 'pdf') {
      const pdf = await download;
      const path = await pdf?.path();
      expect(
        readFileSync(path as string)
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');
      // The same document as Odoo renders it for the PDF, as HTML, to read its figures.
      await page.goto(`${url()}/report/html/rcp_connector.${document.template}/${move?.id}`);
      frame = page;
    } else {
      const element = await shown;
      const content = await element?.contentFrame();
      expect(content).toBeTruthy();
      frame = content as Frame;
    }
    await frame.waitForSelector('[data-rcp="total"]');
    const total = await frame.locator('[data-rcp="total"]').first().textContent();
    expect(kopecksOf(total ?? '')).toBe(kopecks(move?.amount_total ?? Number.NaN));
    const lines = await frame.locator('[data-rcp="line"] [data-rcp="amount"]').allTextContents();
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.reduce((sum, text) => sum + kopecksOf(text), 0)).toBe(
      kopecks(move?.amount_untaxed ?? Number.NaN),
    );
    expect(await frame.locator('body').textContent()).toContain(move?.partner_id[1].split(',')[0] ?? '?');
    // Odoo's notice that the report is shown as HTML (no wkhtmltopdf) stays until closed.
    for (const close of await page.locator('.o_notification_close').all())
      await close.click({ timeout: 2_000 }).catch(() => undefined);
    await shot('document');
    if (first === 'pdf') {
      await page.goto(`${url()}/web`);
      await page.waitForSelector('.o_main_navbar');
    }
  });

  it('settles a payment whose answer from RCP was lost with "RCP has it": the next push marks it pushed, and RCP has it once', async () => {
    const [paymentId] = (await s.admin.create('account.payment', [
      {
        payment_type: 'inbound',
        partner_type: 'customer',
        partner_id: company,
        amount: 1234.56,
        date: new Date().toISOString().slice(0, 10),
      },
    ])) as [number];
    await s.admin.callOn('account.payment', 'action_post', [paymentId]);
    const received = () => s.sim.payments.filter((p) => p.details.endsWith(`#${paymentId}`));
    // RCP records the payment and its answer is lost: the ledger cannot know, so it asks for a review.
    s.sim.faults.update({ script: [{ path: '/payment/bank_payment', drop: 'after' }] });
    await pushPayments(s.deps);
    expect(received()).toHaveLength(1);
    const ledger = async () => {
      const [record] = await s.admin.searchRead<
        OdooRecord & {
          x_state: string;
          x_resolution: string | false;
          x_resolved_by: [number, string] | false;
        }
      >('x_rcp_payment', [['x_payment_id', '=', paymentId]], ['x_state', 'x_resolution', 'x_resolved_by']);
      return record;
    };
    const before = await ledger();
    expect(before).toMatchObject({ x_state: 'review', x_resolution: false });

    // RCP → Payments to RCP, "Needs review", the record, "RCP has it", confirmed.
    await openMenu('menu_payments');
    await page.waitForSelector('.o_list_renderer .o_data_row');
    await page
      .locator('.o_data_row')
      .filter({ hasText: 'Needs review' })
      .first()
      .locator('td')
      .nth(1)
      .click();
    await statusIs('Needs review');
    await shot('payment-review');
    await pressConfirmed(page, 'RCP has it', 'RCP did receive this payment');
    await page.waitForSelector('.o_form_view .o_field_widget[name="x_resolution"]:has-text("RCP has it")');
    expect(await ledger()).toMatchObject({
      x_state: 'review',
      x_resolution: 'pushed',
      x_resolved_by: [accountantId, expect.any(String)],
    });
    // The next push applies the accountant's word, and sends nothing.
    const report = await pushPayments(s.deps);
    expect(report.results.find((r) => r.paymentId === paymentId)?.outcome).toBe('already pushed');
    expect((await ledger())?.x_state).toBe('pushed');
    expect(received()).toHaveLength(1);
    expect(received()[0]?.amount).toBe(1234.56);
    await page.reload();
    await statusIs('Pushed');
  });
});
