import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { toKopecks } from '../../mappings/money.ts';
import { type Browser, POLL, browserCanRun, openBrowser, pressConfirmed } from '../support/browser.ts';
import { realTitle } from '../support/real-odoo.ts';
import { type RealStack, makeAccountant, useRealStack } from '../support/real-stack.ts';

/**
 * The accountant settles each kind of payment review in the browser (Debian's chromium, a real Odoo
 * 17, 18 or 19, logged in with Billing + RCP / User only), and what RCP received is asked of the
 * simulator: a payment raised after its push (Send the difference), a client payment cancelled
 * after its push (take back by hand, then Taken back in RCP), a send whose answer was lost (RCP does
 * not have it), and an advance of a company with two RCP cards (Credit this card on the card
 * chosen). Each review's form is photographed for the README into docs/screenshots/<version>/
 * (SCREENSHOTS=off to skip; DEBUG_SHOTS=DIR writes the page when a step fails).
 */
const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');

describe.skipIf(!browserCanRun())(realTitle('payment reviews in the browser'), () => {
  const stack = useRealStack(
    'reviews',
    { today: '2024-06-01', clients: 8, partners: 2, ownShare: 0.6 },
    { workspace: true },
  );
  let s: RealStack;
  let browser: Browser;
  let page: Page;
  const tag = `${Date.now()}`;
  const login = `reviewer_${tag}`;
  const password = `pw-${tag}-Reviewer`;
  /** Two direct clients linked to one company (A's), and a one-card client C. */
  let a = '';
  let b = '';
  let c = '';
  let twoCards = 0;
  let companyC = 0;
  const counterpartyOf = new Map<string, number>();

  /** The form of the record, alone: small pictures of what the accountant reads and clicks. */
  const shot = async (name: string) => {
    if (process.env.SCREENSHOTS === 'off') return;
    const dir = join(SHOTS, String(s.odoo.major));
    mkdirSync(dir, { recursive: true });
    await page
      .locator('.o_form_view')
      .first()
      .screenshot({ path: join(dir, `${name}.png`) });
  };

  beforeAll(async () => {
    s = stack();
    expect((await syncMasterData(s.deps, { what: 'all' })).failed).toEqual([]);
    const direct = Array.from({ length: 8 }, (_, i) => s.sim.world.client(i)).filter((x) => x.partner.own);
    expect(direct.length).toBeGreaterThanOrEqual(3);
    [a, b, c] = direct.map((x) => x.id) as [string, string, string];
    const found = await externalIds(s.admin).resolve([xmlidOf('client', a), xmlidOf('client', c)]);
    twoCards = found.get(xmlidOf('client', a))?.id ?? 0;
    companyC = found.get(xmlidOf('client', c))?.id ?? 0;
    for (const row of await s.admin.searchRead<OdooRecord & { x_rcp_id: string }>(
      'x_rcp_counterparty',
      [['x_rcp_id', 'in', [a, b, c]]],
      ['x_rcp_id'],
    ))
      counterpartyOf.set(row.x_rcp_id, row.id);
    // B linked to A's company (as the accountant links it in RCP → Counterparties), applied by a sync.
    await s.admin.write('x_rcp_counterparty', [counterpartyOf.get(b) ?? 0], { x_partner_id: twoCards });
    expect((await syncMasterData(s.deps, { what: 'all' })).failed).toEqual([]);
    await makeAccountant(s, { name: 'Vera Reviewer', login, password });
    browser = await openBrowser({ viewport: { width: 1100, height: 1400 } });
    page = browser.page;
    await page.goto(`${s.odoo.admin.url}/web/login?db=${s.odoo.admin.db}`);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    // The first page of a fresh database may build the web client's assets first.
    await page.waitForSelector('.o_main_navbar', { timeout: 240_000 });
  }, 600_000);

  afterEach(async (ctx) => {
    if (ctx.task.result?.state === 'fail' && process.env.DEBUG_SHOTS)
      await page.screenshot({
        path: join(process.env.DEBUG_SHOTS, `${s.odoo.major}-reviews-${ctx.task.name.slice(0, 30)}.png`),
      });
  });

  afterAll(async () => {
    await browser?.close();
  });

  const post = async (partnerId: number, amount: number): Promise<{ id: number; name: string }> => {
    const [id] = (await s.admin.create('account.payment', [
      {
        payment_type: 'inbound',
        partner_type: 'customer',
        partner_id: partnerId,
        amount,
        date: '2024-06-01',
      },
    ])) as [number];
    await s.admin.callOn('account.payment', 'action_post', [id]);
    const [row] = await s.admin.read<OdooRecord & { name: string }>('account.payment', [id], ['name']);
    return { id, name: row?.name ?? '' };
  };
  const edit = async (id: number, vals: Record<string, unknown> | 'cancel') => {
    await s.admin.callOn('account.payment', 'action_draft', [id]);
    if (vals === 'cancel') {
      await s.admin.callOn('account.payment', 'action_cancel', [id]);
      return;
    }
    await s.admin.write('account.payment', [id], vals);
    await s.admin.callOn('account.payment', 'action_post', [id]);
  };
  /** What RCP recorded for an Odoo payment (client payments, by their details). */
  const received = (paymentId: number) =>
    s.sim.payments
      .filter((x) => new RegExp(`#${paymentId}( /\\d+)?$`).test(x.details))
      .map((x) => ({ client: x.client, kopecks: toKopecks(x.amount) }));
  const ledgerOf = async (paymentId: number) => {
    const [record] = await s.admin.searchRead<
      OdooRecord & {
        x_state: string;
        x_review: string | false;
        x_decision: string | false;
        x_resolution: string | false;
        x_counterparty_id: [number, string] | false;
      }
    >(
      'x_rcp_payment',
      [['x_payment_id', '=', paymentId]],
      ['x_state', 'x_review', 'x_decision', 'x_resolution', 'x_counterparty_id'],
    );
    return record;
  };

  /** Accounting (Invoicing) → RCP → Payments to RCP, then the payment's line, as the accountant clicks. */
  const openPayment = async (name: string) => {
    const section = page.locator('.o_menu_sections [data-menu-xmlid="rcp_connector.menu_rcp"]');
    if (!(await section.isVisible())) {
      await page.click('.o_navbar_apps_menu button');
      await page.click('.o_app[data-menu-xmlid="account.menu_finance"]');
      await section.waitFor();
    }
    await section.click();
    await page.click('.dropdown-menu [data-menu-xmlid="rcp_connector.menu_payments"]');
    await page.waitForSelector('.o_list_renderer .o_data_row');
    // On 19 a payment reset and cancelled gives its name back to the next one posted: the line
    // waiting for review is the one.
    await page
      .locator('.o_data_row')
      .filter({ hasText: name })
      .filter({ hasText: 'Needs review' })
      .first()
      .locator('td')
      .nth(1)
      .click();
    await page.waitForSelector('.o_form_view .o_statusbar_status');
  };
  /** A button of the review (a server action with a confirmation), confirmed. */
  const QUESTIONS: Record<string, string> = {
    'Send the difference': 'sends RCP exactly the difference',
    'Taken back in RCP': 'You took back in RCP',
    'RCP does not have it': 'RCP did not receive this payment',
    'RCP has it': 'RCP did receive this payment',
  };
  const press = (label: string) => pressConfirmed(page, label, QUESTIONS[label] ?? label);
  const statusIs = (label: string) =>
    page.waitForSelector(`.o_statusbar_status .o_arrow_button_current:has-text("${label}")`);

  it('raised after its push: the review states 100.00 to send; "Send the difference", and the next push sends exactly 100.00 more', async () => {
    const payment = await post(companyC, 39599);
    await pushPayments(s.deps);
    await edit(payment.id, { amount: 39699 });
    await pushPayments(s.deps);
    expect(await ledgerOf(payment.id)).toMatchObject({ x_state: 'review', x_review: 'difference' });
    await openPayment(payment.name);
    await statusIs('Needs review');
    await page.waitForSelector('.o_field_widget[name="x_reason"]:has-text("difference +100.00")');
    await shot('payment-send-difference');
    await press('Send the difference');
    expect(await ledgerOf(payment.id)).toMatchObject({ x_decision: 'send_difference' });
    await pushPayments(s.deps);
    await pushPayments(s.deps);
    expect(received(payment.id)).toEqual([
      { client: c, kopecks: 3959900 },
      { client: c, kopecks: 10000 },
    ]);
    expect((await ledgerOf(payment.id))?.x_state).toBe('pushed');
    await page.reload();
    await statusIs('Pushed');
  });

  it('cancelled after its push: the review says to take 500.00 back in RCP by hand; "Taken back in RCP" settles it, nothing is sent', async () => {
    const payment = await post(companyC, 500);
    await pushPayments(s.deps);
    await edit(payment.id, 'cancel');
    await pushPayments(s.deps);
    expect(await ledgerOf(payment.id)).toMatchObject({ x_state: 'review', x_review: 'take_back' });
    await openPayment(payment.name);
    await page.waitForSelector('.o_field_widget[name="x_reason"]:has-text("take back 500.00")');
    await shot('payment-take-back');
    await press('Taken back in RCP');
    expect(await ledgerOf(payment.id)).toMatchObject({ x_decision: 'taken_back' });
    await pushPayments(s.deps);
    expect((await ledgerOf(payment.id))?.x_state).toBe('not_pushed');
    expect(received(payment.id)).toEqual([{ client: c, kopecks: 50000 }]);
  });

  it('an answer lost before RCP took it: "RCP does not have it", and the next push sends it once', async () => {
    const payment = await post(companyC, 321.09);
    s.sim.faults.update({ script: [{ path: '/payment/bank_payment', drop: 'before' }] });
    await pushPayments(s.deps);
    s.sim.faults.update({ script: [] });
    expect(await ledgerOf(payment.id)).toMatchObject({ x_state: 'review' });
    expect(received(payment.id)).toEqual([]);
    await openPayment(payment.name);
    await page.waitForSelector('.o_statusbar_buttons button:has-text("RCP does not have it")');
    // The review says what RCP holds for sure, what awaits the check, and the payment now.
    await page.waitForSelector(
      '.o_field_widget[name="x_reason"]:has-text("RCP is recorded to hold 0.00 for this payment, and 321.09 more")',
    );
    await shot('payment-lost-answer');
    await press('RCP does not have it');
    expect(await ledgerOf(payment.id)).toMatchObject({ x_resolution: 'not_pushed' });
    await pushPayments(s.deps);
    await pushPayments(s.deps);
    expect(received(payment.id)).toEqual([{ client: c, kopecks: 32109 }]);
    expect((await ledgerOf(payment.id))?.x_state).toBe('pushed');
  });

  it('an advance of a company with two RCP cards waits; the accountant clicks "Credit this card" on B, and the next push sends it to B once', async () => {
    const payment = await post(twoCards, 2500);
    await pushPayments(s.deps);
    expect(await ledgerOf(payment.id)).toMatchObject({ x_state: 'review', x_review: 'choose_card' });
    expect(received(payment.id)).toEqual([]);
    await openPayment(payment.name);
    const cards = page.locator('.o_field_widget[name="x_card_ids"] .o_data_row');
    await expect.poll(() => cards.count(), POLL).toBe(2);
    await shot('payment-choose-card');
    await cards.filter({ hasText: b }).locator('button:has-text("Credit this card")').click();
    await expect
      .poll(async () => {
        const record = await ledgerOf(payment.id);
        return record?.x_counterparty_id ? record.x_counterparty_id[0] : undefined;
      }, POLL)
      .toBe(counterpartyOf.get(b));
    await Promise.all([pushPayments(await s.reconnect()), pushPayments(await s.reconnect())]);
    expect(received(payment.id)).toEqual([{ client: b, kopecks: 250000 }]);
    expect((await ledgerOf(payment.id))?.x_state).toBe('pushed');
  });
});
