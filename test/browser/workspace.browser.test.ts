import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * What an accountant does in the browser, on a real Odoo with Debian's chromium: log in, open
 * RCP → Runs, request a sync, see it done (the worker's poll runs in the test), and link one
 * counterparty from the Counterparties list. Screenshots land in docs/screenshots/ (SCREENSHOTS=off
 * to skip writing them).
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = resolve(import.meta.dirname, '../../docs/screenshots');
const canRun = Boolean(realOdooFromEnv().odoo) && existsSync(CHROMIUM);

describe.skipIf(!canRun)(realTitle('the accountant in the browser'), () => {
  const stack = useRealStack('browser', { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 });
  let s: RealStack;
  let context: BrowserContext;
  let page: Page;
  let profile: string;
  const tag = `${Date.now()}`;
  const login = `accountant_${tag}`;
  const password = `pw-${tag}-Accountant`;

  const shot = async (name: string) => {
    if (process.env.SCREENSHOTS === 'off') return;
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
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
    await setupWorkspace(s.admin, {
      dryRun: false,
      connectorLogin: s.odoo.config.odoo?.user as string,
      currency: 'RUB',
    });
    const groups = await externalIds(s.admin).resolve([
      'rcp_connector.group_user',
      'account.group_account_invoice',
      'base.group_user',
    ]);
    await s.admin.create('res.users', [
      {
        name: 'Anna Accountant',
        login,
        password,
        [s.admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
      },
    ]);
    profile = mkdtempSync(join(tmpdir(), 'rcp-chromium-'));
    // A fresh profile (playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 860 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(30_000);
  }, 180_000);

  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  const url = () => s.odoo.admin.url;
  const db = () => s.odoo.admin.db;
  /** `/web#action=` works on 17, 18 and 19 (18 and 19 turn it into their own path, whatever its brand). */
  const actionUrl = (action: string) => `${url()}/web#action=rcp_connector.${action}`;

  it('logs in, opens RCP → Runs, requests a sync and sees it done', async () => {
    await page.goto(`${url()}/web/login?db=${db()}`);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', password);
    await page.click('button[type="submit"]');
    await page.waitForSelector('.o_main_navbar');
    // Accounting (Invoicing) → RCP → Runs
    await page.goto(actionUrl('action_runs'));
    await page.waitForSelector('.o_list_renderer, .o_view_nocontent');
    await page.click('.o_menu_sections button[data-menu-xmlid="rcp_connector.menu_rcp"]');
    await page.waitForSelector('.dropdown-menu .dropdown-item:has-text("Counterparties")');
    await shot('rcp-menu');
    await page.keyboard.press('Escape');

    await page.click('.o_list_button_add, .o_control_panel_main_buttons button:has-text("New")');
    await page.waitForSelector('.o_form_view');
    // What: sync (the default); saved in state Requested.
    await page.click('.o_form_button_save');
    await page.waitForSelector('.o_statusbar_status .o_arrow_button_current:has-text("Requested")');
    const [run] = await s.admin.searchRead<OdooRecord & { x_state: string }>(
      'x_rcp_run',
      [['create_uid.login', '=', login]],
      ['x_state'],
    );
    expect(run?.x_state).toBe('requested');
    expect(await poll()).toBe(run?.id);
    await page.reload();
    await page.waitForSelector('.o_statusbar_status .o_arrow_button_current:has-text("Done")');
    const summary = await page.textContent('.o_field_widget[name="x_summary"]');
    expect(summary).toMatch(/client/);
    await shot('run-done');
  });

  it('links one counterparty from the Counterparties list', async () => {
    const [company] = await s.admin.create('res.partner', [
      { name: `ООО «Ромашка» ${tag}`, is_company: true, email: 'buh@romashka.example' },
    ]);
    const client = s.sim.world.client(s.sim.world.order[0] as number);
    await page.goto(actionUrl('action_counterparties'));
    await page.waitForSelector('.o_list_renderer .o_data_row');
    // The line opens its form; the accountant chooses the company and saves.
    await page.locator('.o_data_row').filter({ hasText: client.name }).first().locator('td').nth(1).click();
    await page.waitForSelector('.o_form_view');
    const input = page.locator('.o_field_widget[name="x_partner_id"] input');
    await input.fill(tag);
    await page
      .locator('.o-autocomplete--dropdown-menu .dropdown-item')
      .filter({ hasText: tag })
      .first()
      .click();
    await page.click('.o_form_button_save');
    await page.waitForSelector('.o_form_saved, .o_form_status_indicator:not(:has(.o_form_button_save))');
    const [row] = await s.admin.searchRead<OdooRecord & { x_partner_id: [number, string] | false }>(
      'x_rcp_counterparty',
      [['x_rcp_id', '=', client.id]],
      ['x_partner_id'],
    );
    expect(row?.x_partner_id ? row.x_partner_id[0] : undefined).toBe(company);
    // The next sync (a run, as the accountant would request it) applies the link and keeps the name.
    const [runId] = await s.admin.create('x_rcp_run', [{ x_kind: 'sync' }]);
    expect(await poll()).toBe(runId);
    const [linked] = await s.admin.read<OdooRecord & { name: string; ref: string | false }>(
      'res.partner',
      [company as number],
      ['name', 'ref'],
    );
    expect(linked).toMatchObject({ name: `ООО «Ромашка» ${tag}`, ref: client.id });
    await page.goto(actionUrl('action_counterparties'));
    await page.waitForSelector('.o_list_renderer .o_data_row');
    await page.locator('.o_data_row').filter({ hasText: tag }).first().waitFor();
    await shot('counterparties');
  });

  it('shows the usage of an invoiced month as a pivot', async () => {
    await invoicePeriod(s.deps, { period: '2024-05' });
    await page.goto(actionUrl('action_usage'));
    await page.waitForSelector('.o_pivot');
    await shot('usage-pivot');
  });
});
