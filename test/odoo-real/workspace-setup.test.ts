import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { Secret } from '../../connector/secret.ts';
import { claimKeys, releaseKeys } from '../../connector/workspace/claims.ts';
import { ACTION_RESOLVE_NOT_PUSHED, ACTION_RESOLVE_PUSHED } from '../../connector/workspace/definition.ts';
import { fullXmlid } from '../../connector/workspace/items.ts';
import { LIVE_RUNS_URL } from '../../connector/workspace/live-runs.ts';
import { writePaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { countWorkspaceRecords, removeWorkspace } from '../../connector/workspace/remove.ts';
import {
  PRICE_DIGITS,
  QUANTITY_DIGITS,
  readSettings,
  setPricelists,
} from '../../connector/workspace/settings.ts';
import { RETIRED_ACTIONS, setupWorkspace } from '../../connector/workspace/setup.ts';
import { freshRealOdoo, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';

/**
 * `rcp-odoo setup` against a real Odoo (ODOO_URL…, an administrator): the workspace is made, a
 * second run changes nothing, an accountant can settle a review but not touch the ledger, claims
 * hold under concurrency, and `--remove` leaves the database as it was. Starts by removing a
 * workspace left in the database, and ends with the Pricelists feature as it found it.
 */
const config = realOdooFromEnv().odoo?.config;
const title = realTitle('rcp-odoo setup');

type Snapshot = Record<string, number | boolean | string>;

/** What setup may touch, counted: the database "as before" means these are all equal. */
async function snapshot(odoo: OdooClient): Promise<Snapshot> {
  const count = (model: string, domain: unknown[] = []) =>
    odoo.call<number>({ model, method: 'search_count', kwargs: { domain, context: { active_test: false } } });
  const out: Snapshot = {};
  for (const model of [
    'ir.model',
    'ir.model.fields',
    'ir.ui.view',
    'ir.actions.act_window',
    'ir.actions.server',
    'ir.ui.menu',
    'res.groups',
    'ir.model.access',
    'ir.default',
  ]) {
    out[model] = await count(model);
  }
  out['ir.asset'] = await count('ir.asset');
  out['ir.attachment /rcp_connector/'] = await count('ir.attachment', [['url', '=like', '/rcp_connector/%']]);
  out['ir.model.data rcp_connector'] = await count('ir.model.data', [['module', '=', 'rcp_connector']]);
  out['ir.config_parameter rcp_connector'] = await count('ir.config_parameter', [
    ['key', '=like', 'rcp_connector.%'],
  ]);
  const settings = await readSettings(odoo);
  out.priceDigits = settings.priceDigits;
  out.quantityDigits = settings.quantityDigits;
  out.pricelists = settings.pricelists;
  out.currency = settings.currency;
  return out;
}

describe.skipIf(!config)(title, () => {
  // The admin of a database of this file's own: setup is an administrator's command, and its
  // --remove must find the database as this file found it, whatever the other files synced.
  let odooConfig: NonNullable<Config['odoo']>;
  const tag = `${Date.now()}`;
  let admin: OdooClient;
  let before: Snapshot;
  let pricelistsAtStart: boolean;
  let syncedPricelists: number;
  let accountant: OdooClient;
  let accountantId: number;
  let partnerId: number;
  let currencyId: number;

  const newPayment = async (amount: number) => {
    const [id] = await admin.create('account.payment', [
      { payment_type: 'inbound', partner_type: 'customer', partner_id: partnerId, amount },
    ]);
    return id as number;
  };
  const actionId = async (name: string) =>
    (await externalIds(admin).resolve([fullXmlid(name)])).get(fullXmlid(name))?.id as number;
  const settle = (client: OdooClient, action: number, ledgerId: number) =>
    client.callOn('ir.actions.server', 'run', [action], undefined, {
      active_model: 'x_rcp_payment',
      active_id: ledgerId,
      active_ids: [ledgerId],
    });

  let dropCopy: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fresh = await freshRealOdoo('setup');
    odooConfig = fresh.admin;
    dropCopy = fresh.drop;
    admin = await OdooClient.connect(odooConfig);
    if ((await admin.searchCount('ir.model', [['model', '=like', 'x_rcp_%']])) > 0) {
      await removeWorkspace(admin, { confirm: true, dryRun: false });
    }
    // Start with Pricelists off, Odoo's default, to see setup turn it on and --remove turn it off;
    // not in a database holding price lists synced from RCP (turning it off archives them).
    pricelistsAtStart = (await readSettings(admin)).pricelists;
    syncedPricelists = await admin.searchCount('ir.model.data', [
      ['module', '=', 'rcp_connector'],
      ['model', '=', 'product.pricelist'],
    ]);
    if (pricelistsAtStart && syncedPricelists === 0) await setPricelists(admin, false);
    before = await snapshot(admin);
    const [currency] = await admin.searchRead(
      'res.currency',
      [['name', '=', config?.companyCurrency]],
      ['id'],
    );
    currencyId = currency?.id as number;
    [partnerId] = (await admin.create('res.partner', [
      { name: `RCP setup test ${tag}`, is_company: true },
    ])) as [number];
  });

  afterAll(async () => {
    if (admin && pricelistsAtStart && !(await readSettings(admin)).pricelists)
      await setPricelists(admin, true);
    await accountant?.close();
    await admin?.close();
    await dropCopy?.();
  });

  it('a dry run on a fresh database plans every item and writes nothing', async () => {
    const report = await setupWorkspace(admin, {
      dryRun: true,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect(report.counts.create).toBeGreaterThan(100);
    expect(report.counts.update + report.counts.unchanged).toBe(0);
    expect(await snapshot(admin)).toEqual(before);
  });

  it('refuses a company in another currency, before writing anything', async () => {
    await expect(
      setupWorkspace(admin, { dryRun: false, connectorLogin: odooConfig.user, currency: 'EUR' }),
    ).rejects.toThrow(/keeps its books in RUB.*COMPANY_CURRENCY=RUB/);
    expect(await snapshot(admin)).toEqual(before);
  });

  it('creates the workspace and the settings money needs; a second run changes nothing', async () => {
    const first = await setupWorkspace(admin, {
      dryRun: false,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect(first.counts).toMatchObject({ update: 0, unchanged: 0 });
    expect(first.guards).toEqual([
      'x_rcp_counterparty_x_rcp_id_uniq',
      'x_rcp_draft_mark_x_move_id_uniq',
      'x_rcp_lock_x_key_uniq',
      'x_rcp_payment_card_rel_guard',
      'x_rcp_payment_guard',
      'x_rcp_payment_x_payment_id_uniq',
      'x_rcp_run_account_move_rel_guard',
      'x_rcp_run_guard',
    ]);
    const models = await admin.searchRead('ir.model', [['model', '=like', 'x_rcp_%']], ['model', 'state']);
    expect(models.map((m) => m.model).sort()).toEqual([
      'x_rcp_counterparty',
      'x_rcp_draft_mark',
      'x_rcp_lock',
      'x_rcp_payment',
      'x_rcp_run',
      'x_rcp_run_failure',
      'x_rcp_usage',
    ]);
    expect(models.every((m) => m.state === 'manual')).toBe(true);
    const [menu] = await admin.searchRead('ir.ui.menu', [['name', '=', 'RCP']], ['parent_id', 'child_id']);
    const finance = (await externalIds(admin).resolve(['account.menu_finance'])).get('account.menu_finance');
    expect((menu?.parent_id as [number, string])[0]).toBe(finance?.id);
    expect(menu?.child_id).toHaveLength(4);
    // The Runs' web-client module: the file, and its place in the backend bundle.
    const files = await admin.searchRead(
      'ir.attachment',
      [['url', '=', LIVE_RUNS_URL]],
      ['type', 'mimetype'],
    );
    expect(files).toMatchObject([{ type: 'binary', mimetype: 'application/javascript' }]);
    const assets = await admin.searchRead(
      'ir.asset',
      [['path', '=', LIVE_RUNS_URL]],
      ['bundle', 'directive', 'active'],
    );
    expect(assets).toMatchObject([{ bundle: 'web.assets_backend', directive: 'append', active: true }]);
    const settings = await readSettings(admin);
    expect(settings).toMatchObject({
      priceDigits: PRICE_DIGITS,
      quantityDigits: QUANTITY_DIGITS,
      pricelists: true,
    });

    const second = await setupWorkspace(admin, {
      dryRun: false,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect(second.counts).toEqual({ create: 0, update: 0, unchanged: first.counts.create });
    expect(second.settings.every((s) => s.action === 'unchanged')).toBe(true);
    expect(second.users.every((u) => u.action === 'unchanged')).toBe(true);
    expect(second.previousVersion).toBe(second.version);
    expect(second.obsolete).toEqual([]);
    expect(second.retired).toEqual([]);
  });

  it('removes the server actions an older setup made and this one no longer makes', async () => {
    // As an older setup left them: server actions named by external IDs in rcp_connector.
    const models = await admin.searchRead<{ id: number; model: string }>(
      'ir.model',
      [['model', 'in', ['x_rcp_payment', 'x_rcp_lock']]],
      ['model'],
    );
    const modelId = (model: string) => models.find((m) => m.model === model)?.id as number;
    const old: Record<string, number> = {};
    for (const name of RETIRED_ACTIONS) {
      const model = name === 'action_claim_payment' ? 'x_rcp_payment' : 'x_rcp_lock';
      [old[name]] = (await admin.create('ir.actions.server', [
        {
          name: `RCP: ${name}`,
          model_id: modelId(model),
          state: 'code',
          code: "action = {'claimed': False}",
        },
      ])) as [number];
      await admin.create('ir.model.data', [
        { module: 'rcp_connector', name, model: 'ir.actions.server', res_id: old[name], noupdate: false },
      ]);
    }
    const xmlids = RETIRED_ACTIONS.map((n) => `rcp_connector.${n}`);
    const left = async () => ({
      actions: await admin.searchCount('ir.actions.server', [['id', 'in', Object.values(old)]]),
      xmlids: await admin.searchCount('ir.model.data', [
        ['module', '=', 'rcp_connector'],
        ['name', 'in', [...RETIRED_ACTIONS]],
      ]),
    });
    expect(await left()).toEqual({ actions: 3, xmlids: 3 });

    const dry = await setupWorkspace(admin, {
      dryRun: true,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect([...dry.retired].sort()).toEqual([...xmlids].sort());
    expect(await left()).toEqual({ actions: 3, xmlids: 3 });

    const run = await setupWorkspace(admin, {
      dryRun: false,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect([...run.retired].sort()).toEqual([...xmlids].sort());
    expect(run.obsolete).toEqual([]);
    expect(run.counts).toMatchObject({ create: 0, update: 0 });
    expect(await left()).toEqual({ actions: 0, xmlids: 0 });

    const again = await setupWorkspace(admin, {
      dryRun: false,
      connectorLogin: odooConfig.user,
      currency: 'RUB',
    });
    expect(again.retired).toEqual([]);
  });

  it('an accountant (RCP / User) requests a run, cannot create, change or delete a ledger record, and settles a review', async () => {
    const groups = await externalIds(admin).resolve([
      'rcp_connector.group_user',
      'account.group_account_invoice',
      'base.group_user',
    ]);
    const login = `rcp_accountant_${tag}`;
    [accountantId] = (await admin.create('res.users', [
      {
        name: `RCP accountant ${tag}`,
        login,
        password: `pw-${tag}-Accountant`,
        [admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
      },
    ])) as [number];
    accountant = await OdooClient.connect({
      ...odooConfig,
      user: login,
      secret: { kind: 'password', value: new Secret(`pw-${tag}-Accountant`) },
    });

    // What the web client loads for the accountant: the RCP menu and the workspace's views.
    const menus = await accountant.call<Record<string, { name: string; children: number[] }>>({
      model: 'ir.ui.menu',
      method: 'load_menus',
      params: [['debug', false]],
    });
    const rcp = Object.values(menus).find((m) => m.name === 'RCP');
    expect(rcp?.children.map((id) => menus[String(id)]?.name)).toEqual([
      'Runs',
      'Counterparties',
      'Usage',
      'Payments to RCP',
    ]);
    const list = admin.capabilities.listViewType;
    for (const [model, types] of [
      ['x_rcp_run', [list, 'form', 'search']],
      ['x_rcp_counterparty', [list, 'form', 'search']],
      ['x_rcp_usage', [list, 'form', 'search', 'pivot', 'graph']],
      ['x_rcp_payment', [list, 'form', 'search']],
    ] as const) {
      const loaded = await accountant.call<{ views: Record<string, { arch: string }> }>({
        model,
        method: 'get_views',
        kwargs: { views: types.map((t) => [false, t]) },
      });
      for (const t of types) expect(loaded.views[t]?.arch, `${model} ${t}`).toContain('x_');
    }
    const paymentForm = await accountant.call<{ views: { form: { arch: string } } }>({
      model: 'x_rcp_payment',
      method: 'get_views',
      kwargs: { views: [[false, 'form']] },
    });
    for (const action of [ACTION_RESOLVE_PUSHED, ACTION_RESOLVE_NOT_PUSHED]) {
      expect(paymentForm.views.form.arch).toContain(`name="${await actionId(action)}"`);
    }

    const [runId] = await accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2026-10' }]);
    const [run] = await accountant.read(
      'x_rcp_run',
      [runId as number],
      ['x_state', 'x_trigger', 'x_requested_by'],
    );
    expect(run).toMatchObject({ x_state: 'requested', x_trigger: 'odoo' });
    expect((run?.x_requested_by as [number, string])[0]).toBe(accountantId);

    const paymentId = await newPayment(2222.22);
    const [claim] = await writePaymentLedger(admin, [
      {
        op: 'claim',
        payment_id: paymentId,
        vals: { x_amount: 2222.22, x_currency_id: currencyId, x_name: `payment ${paymentId}` },
      },
    ]);
    expect(claim).toMatchObject({ done: true, state: 'intent' });
    const ledgerId = claim?.id as number;
    expect(await writePaymentLedger(admin, [{ op: 'claim', payment_id: paymentId, vals: {} }])).toEqual([
      { done: false, id: ledgerId, state: 'intent' },
    ]);

    const refused = async (work: Promise<unknown>) => {
      const error = await work.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OdooError);
      expect((error as OdooError).kind).toBe('access');
    };
    await refused(
      accountant.create('x_rcp_payment', [{ x_payment_id: await newPayment(1), x_state: 'pushed' }]),
    );
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_state: 'not_pushed' }));
    await refused(accountant.write('x_rcp_payment', [ledgerId], { x_resolution: 'pushed' }));
    await refused(accountant.unlink('x_rcp_payment', [ledgerId]));

    const hasIt = await actionId(ACTION_RESOLVE_PUSHED);
    // Not in review yet: refused with the reason.
    await expect(settle(accountant, hasIt, ledgerId)).rejects.toThrow(/needs review/);
    await admin.write('x_rcp_payment', [ledgerId], { x_state: 'review', x_reason: 'answer lost' });
    await settle(accountant, hasIt, ledgerId);
    const [settled] = await admin.read(
      'x_rcp_payment',
      [ledgerId],
      ['x_state', 'x_resolution', 'x_resolved_by', 'x_resolved_at', 'x_amount'],
    );
    expect(settled).toMatchObject({ x_state: 'review', x_resolution: 'pushed', x_amount: 2222.22 });
    expect((settled?.x_resolved_by as [number, string])[0]).toBe(accountantId);
    expect(settled?.x_resolved_at).toBeTruthy();
    // Settled once: the other button is refused too.
    await expect(settle(accountant, await actionId(ACTION_RESOLVE_NOT_PUSHED), ledgerId)).rejects.toThrow(
      /already settled/,
    );
  });

  it('of concurrent claims exactly one wins: a new payment, a free key, an expired key', async () => {
    const n = 5;
    const clients = await Promise.all(Array.from({ length: n }, () => OdooClient.connect(odooConfig)));
    try {
      const paymentId = await newPayment(500);
      const payments = await Promise.all(
        clients.map((c) =>
          writePaymentLedger(c, [
            { op: 'claim', payment_id: paymentId, vals: { x_amount: 500, x_currency_id: currencyId } },
          ]),
        ),
      );
      expect(payments.filter(([p]) => p?.done)).toHaveLength(1);
      expect(await admin.searchCount('x_rcp_payment', [['x_payment_id', '=', paymentId]])).toBe(1);

      const key = `invoice:2026-10:client:${tag}`;
      const first = await Promise.all(clients.map((c, i) => claimKeys(c, [key], `worker-${i}`, 2)));
      const winners = first.flatMap((c, i) => (c.claimed.includes(key) ? [i] : []));
      expect(winners).toHaveLength(1);
      const winner = winners[0] as number;
      // The holder renews; another is refused and told who holds it.
      expect((await claimKeys(admin, [key], `worker-${winner}`, 2)).claimed).toEqual([key]);
      const other = await claimKeys(admin, [key], 'someone-else', 60);
      expect(other.claimed).toEqual([]);
      expect(other.refused).toMatchObject([{ key, owner: `worker-${winner}` }]);

      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const afterExpiry = await Promise.all(clients.map((c, i) => claimKeys(c, [key], `late-${i}`, 60)));
      expect(afterExpiry.filter((c) => c.claimed.includes(key))).toHaveLength(1);
      const holder = afterExpiry.findIndex((c) => c.claimed.includes(key));
      expect(await releaseKeys(admin, [key], 'not-the-holder')).toBe(0);
      expect(await releaseKeys(admin, [key], `late-${holder}`)).toBe(1);
      expect((await claimKeys(admin, [key], 'next', 60)).claimed).toEqual([key]);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  it('a least-privilege connector user (Billing only, named by --connector-user) gets the group and claims', async () => {
    const login = `rcp_integration_${tag}`;
    const billing = await externalIds(admin).resolve(['account.group_account_invoice', 'base.group_user']);
    await admin.create('res.users', [
      {
        name: `RCP integration ${tag}`,
        login,
        password: `pw-${tag}-Integration`,
        [admin.capabilities.userGroupsField]: [[6, 0, [...billing.values()].map((g) => g.id)]],
      },
    ]);
    const report = await setupWorkspace(admin, { dryRun: false, connectorLogin: login, currency: 'RUB' });
    expect(report.users).toContainEqual({ login, group: 'rcp_connector.group_connector', action: 'add' });
    expect(report.counts).toMatchObject({ create: 0, update: 0 });
    const integration = await OdooClient.connect({
      ...odooConfig,
      user: login,
      secret: { kind: 'password', value: new Secret(`pw-${tag}-Integration`) },
    });
    try {
      expect((await claimKeys(integration, [`sync:${tag}`], 'cli', 30)).claimed).toEqual([`sync:${tag}`]);
      const paymentId = await newPayment(10);
      expect(
        await writePaymentLedger(integration, [
          { op: 'claim', payment_id: paymentId, vals: { x_amount: 10 } },
        ]),
      ).toMatchObject([{ done: true, state: 'intent' }]);
      expect(await releaseKeys(integration, [`sync:${tag}`], 'cli')).toBe(1);
    } finally {
      await integration.close();
    }
  });

  it('--remove refuses while records would go, then removes everything and the database is as before', async () => {
    const counts = await countWorkspaceRecords(admin);
    expect(counts.x_rcp_payment).toBeGreaterThan(0);
    const refused = await removeWorkspace(admin, { confirm: false, dryRun: false });
    expect(refused.removed).toBe(false);
    expect(refused.records).toEqual(counts);
    expect(await admin.searchCount('ir.model', [['model', '=like', 'x_rcp_%']])).toBe(7);

    const removed = await removeWorkspace(admin, { confirm: true, dryRun: false });
    expect(removed.removed).toBe(true);
    expect(await snapshot(admin)).toEqual(before);
    if (syncedPricelists > 0) {
      // Never switched off here, so never recorded: remove had nothing to put back.
      expect(removed.settings.some((s) => s.what === 'Pricelists feature')).toBe(false);
    }
  });
});
