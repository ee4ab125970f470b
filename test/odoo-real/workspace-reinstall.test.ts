import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { MARK_NAME } from '../../connector/workspace/payment-marks.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { invoiceXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import { toKopecks } from '../../mappings/money.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * An admin reinstalls the workspace after a month of work, through the real CLI on a real Odoo:
 * runs linked to invoices, client payments and partner top-ups pushed; then `setup --remove
 * --confirm`, `setup`, `sync all`, `payments push`. Setup works again (no relation table left
 * behind) and RCP (the simulator's record of what it received) gets nothing twice; a payment named
 * with `--forget` is the only one sent again. A payment that paid the invoices of two RCP clients
 * linked to one company (two RCP calls, one per card) is rebuilt as those two sends, not re-sent.
 */
const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-reinstall-'));

function envOf(odoo: OdooConfig): Record<string, string> {
  return {
    ODOO_URL: odoo.url,
    ODOO_DB: odoo.db,
    ODOO_USER: odoo.user,
    [odoo.secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD']: odoo.secret.value.reveal(),
  };
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('reinstalling the workspace'), () => {
  const started = useRealStack(
    'reinst',
    { today: '2024-06-01', clients: 8, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let rcpEnv: Record<string, string>;
  let admin: Record<string, string>;
  let connector: Record<string, string>;
  let clientPartners: number[] = [];
  let reseller = 0;
  /** Two direct clients linked to one company (the accountant's link), each with its May invoice. */
  let cardA = '';
  let cardB = '';
  let twoCards = 0;

  const cli = (args: string[], env: Record<string, string>) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
      execFile(
        process.execPath,
        [bin, ...args],
        {
          cwd,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            LOG_LEVEL: 'warn',
            ...rcpEnv,
            ...env,
          },
          // setup on a busy shared two-core machine has taken over four minutes.
          timeout: 600_000,
        },
        (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });

  const expectOk = (run: { code: number; stdout: string; stderr: string }) => {
    if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr}\n${run.stdout}`);
  };

  const payment = async (partnerId: number, amount: number, date: string): Promise<number> => {
    const [id] = await s.admin.create('account.payment', [
      { payment_type: 'inbound', partner_type: 'customer', partner_id: partnerId, amount, date },
    ]);
    await s.admin.callOn('account.payment', 'action_post', [id ?? 0]);
    return id ?? 0;
  };

  beforeAll(async () => {
    s = started();
    rcpEnv = {
      RCP_URL: s.sim.url,
      RCP_TOKEN: s.sim.token,
      RCP_OWN_PARTNER_IDS: s.sim.world.partners[0]?.id ?? '',
      PAYMENTS_SINCE: '2024-05-01',
    };
    admin = envOf(s.odoo.admin);
    connector = envOf(s.odoo.config.odoo as OdooConfig);
    const user = s.odoo.config.odoo?.user ?? 'admin';
    expectOk(await cli(['setup', '--connector-user', user], admin));
    expectOk(await cli(['sync', 'all'], connector));
    const world = s.sim.world;
    const may = { start: '2024-05-01', end: '2024-05-31' };
    const direct = Array.from({ length: 8 }, (_, i) => world.client(i)).filter(
      (c) => c.partner.own && world.dailyUsage(c, may).length > 0,
    );
    expect(direct.length).toBeGreaterThanOrEqual(2);
    [cardA, cardB] = direct.map((c) => c.id) as [string, string];
    const uuids = s.sim.world.partners.slice(1).map((p) => xmlidOf('partner', p.id));
    const clients = Array.from({ length: 8 }, (_, i) => world.client(i).id)
      .filter((id) => id !== cardA && id !== cardB)
      .map((id) => xmlidOf('client', id));
    const found = await externalIds(s.admin).resolve([...uuids, ...clients, xmlidOf('client', cardA)]);
    clientPartners = clients.flatMap((x) => (found.get(x) ? [found.get(x)?.id as number] : []));
    twoCards = found.get(xmlidOf('client', cardA))?.id ?? 0;
    // The accountant links client B to A's company (RCP → Counterparties); the next sync applies it.
    const [rowB] = await s.admin.search('x_rcp_counterparty', [['x_rcp_id', '=', cardB]]);
    await s.admin.write('x_rcp_counterparty', [rowB ?? 0], { x_partner_id: twoCards });
    expectOk(await cli(['sync', 'all'], connector));
    const linkedB = await externalIds(s.admin).resolve([xmlidOf('client', cardB)]);
    expect(linkedB.get(xmlidOf('client', cardB))?.id).toBe(twoCards);
    reseller = found.get(uuids[0] as string)?.id ?? 0;
    expect(clientPartners.length).toBeGreaterThanOrEqual(3);
    expect(reseller).toBeGreaterThan(0);
  }, 1_200_000);

  it('a month of runs, invoices and pushes; remove --confirm, setup, sync, push: both exit 0 and RCP receives nothing again', async () => {
    // The month: an invoice run (recorded in RCP → Runs and linked to its invoices), then payments.
    expectOk(await cli(['invoice', '--period', '2024-05'], connector));
    const linked = await s.admin.searchRead<{ id: number; x_move_ids: number[] }>(
      'x_rcp_run',
      [['x_kind', '=', 'invoice']],
      ['x_move_ids'],
    );
    expect(linked.some((r) => r.x_move_ids.length > 0)).toBe(true);
    const paid: number[] = [];
    for (const [i, partner] of clientPartners.slice(0, 3).entries()) {
      paid.push(await payment(partner, 1000 + i * 111.11, '2024-05-20'));
    }
    paid.push(await payment(reseller, 7777.77, '2024-05-21'));
    expectOk(await cli(['payments', 'push'], connector));
    expect(s.sim.payments).toHaveLength(3);
    expect(s.sim.corrections).toHaveLength(1);
    expect(s.sim.corrections[0]?.amount).toBe(7777.77);

    const removed = await cli(['setup', '--remove', '--confirm'], admin);
    expectOk(removed);
    expect(removed.stdout).toMatch(/Kept: 4 payment\(s\) recorded as sent/);
    expect(await s.admin.searchCount('ir.model', [['model', '=like', 'x_rcp_%']])).toBe(0);

    const again = await cli(['setup', '--connector-user', s.odoo.config.odoo?.user ?? 'admin'], admin);
    expectOk(again);
    expectOk(await cli(['sync', 'all'], connector));
    const push = await cli(['payments', 'push', '--json'], connector);
    expectOk(push);
    // What RCP received: still one per payment, the top-up once.
    expect(s.sim.payments).toHaveLength(3);
    expect(s.sim.corrections).toHaveLength(1);
    const ledger = await readPaymentLedger(s.deps.odoo);
    for (const id of paid) expect(ledger.get(id)?.state).toBe('pushed');
    // A second push after the rebuild: nothing to send, nothing to flag.
    const second = await cli(['payments', 'push', '--json'], connector);
    expectOk(second);
    expect(s.sim.payments).toHaveLength(3);
  }, 900_000);

  it('--forget with a name that is no payment refuses and removes nothing; --forget NAME lets exactly that payment go again', async () => {
    const [one] = await s.admin.read<{ id: number; name: string }>(
      'account.payment',
      [(await s.admin.search('account.payment', [['partner_id', '=', clientPartners[0] ?? 0]]))[0] ?? 0],
      ['name'],
    );
    const unknown = await cli(['setup', '--remove', '--confirm', '--forget', 'NO/SUCH/1'], admin);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--forget NO/SUCH/1');
    // Nothing was removed by the refused call.
    expect(await s.admin.searchCount('ir.model', [['model', '=', 'x_rcp_payment']])).toBe(1);

    expectOk(await cli(['setup', '--remove', '--confirm', '--forget', one?.name ?? ''], admin));
    expectOk(await cli(['setup', '--connector-user', s.odoo.config.odoo?.user ?? 'admin'], admin));
    expectOk(await cli(['payments', 'push'], connector));
    expect(s.sim.payments).toHaveLength(4);
    expect(s.sim.payments.filter((p) => p.details.endsWith(`#${one?.id}`))).toHaveLength(2);
    expect(s.sim.corrections).toHaveLength(1);
  }, 900_000);
  it('a payment of two invoices of two RCP cards: its mark keeps both sends; after remove --confirm and setup it is neither sent again nor rebuilt onto one card, and reconcile is clean', async () => {
    const xmlids = [invoiceXmlid('2024-05', 'client', cardA), invoiceXmlid('2024-05', 'client', cardB)];
    const found = await externalIds(s.admin).resolve(xmlids);
    const invoices = xmlids.map((x) => found.get(x)?.id ?? 0);
    expect(invoices.every((id) => id > 0)).toBe(true);
    await s.admin.callOn('account.move', 'action_post', invoices);
    const moves = await s.admin.read<{ id: number; partner_id: [number, string]; amount_total: number }>(
      'account.move',
      invoices,
      ['partner_id', 'amount_total'],
    );
    expect(moves.map((m) => m.partner_id[0])).toEqual([twoCards, twoCards]);
    const totalOf = (id: number) => toKopecks(moves.find((m) => m.id === id)?.amount_total ?? 0);
    // One payment of both invoices (the register wizard, grouped), as the accountant records it.
    const context = { active_model: 'account.move', active_ids: invoices };
    const [wizard] = await s.admin.create('account.payment.register', [{ group_payment: true }], context);
    const action = await s.admin.callOn<{ res_id: number }>(
      'account.payment.register',
      'action_create_payments',
      [wizard ?? 0],
      undefined,
      context,
    );
    const paid = action.res_id;
    expect(paid).toBeGreaterThan(0);
    // No sync since the last reinstall: the workspace has no counterparties yet; the payment is
    // still routed by the invoices it pays.
    const received = () =>
      s.sim.payments
        .filter((p) => /#(\d+)( \/\d+)?$/.exec(p.details)?.[1] === String(paid))
        .map((p) => ({ client: p.client, kopecks: toKopecks(p.amount), id: p.id }))
        .sort((x, y) => x.client.localeCompare(y.client));
    expectOk(await cli(['payments', 'push'], connector));
    const sent = received();
    expect(sent.map(({ client, kopecks }) => ({ client, kopecks }))).toEqual(
      [
        { client: cardA, kopecks: totalOf(invoices[0] ?? 0) },
        { client: cardB, kopecks: totalOf(invoices[1] ?? 0) },
      ].sort((x, y) => x.client.localeCompare(y.client)),
    );
    const sendsNow = (await readPaymentLedger(s.deps.odoo)).get(paid)?.sends;
    const expected = sent.map((r) => ({
      card: `client:${r.client}`,
      kopecks: r.kopecks,
      rcp: r.id,
      state: 'pushed',
    }));
    expect(sendsNow?.map(({ card, kopecks, rcp, state }) => ({ card, kopecks, rcp, state }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(sendsNow).toHaveLength(2);
    // The mark on the payment carries the same sends.
    const [mark] = await s.admin.searchRead<{ id: number; description: string }>(
      'ir.attachment',
      [
        ['res_model', '=', 'account.payment'],
        ['res_id', '=', paid],
        ['name', '=', MARK_NAME],
      ],
      ['description'],
    );
    expect((JSON.parse(mark?.description ?? '{}') as { sends?: unknown[] }).sends).toEqual(sendsNow);

    const before = { payments: s.sim.payments.length, corrections: s.sim.corrections.length };
    expectOk(await cli(['setup', '--remove', '--confirm'], admin));
    expectOk(await cli(['setup', '--connector-user', s.odoo.config.odoo?.user ?? 'admin'], admin));
    expectOk(await cli(['sync', 'all'], connector));
    expectOk(await cli(['payments', 'push'], connector));
    expectOk(await cli(['payments', 'push'], connector));
    expect(s.sim.payments).toHaveLength(before.payments);
    expect(s.sim.corrections).toHaveLength(before.corrections);
    const fresh = await s.reconnect();
    const rebuilt = (await readPaymentLedger(fresh.odoo)).get(paid);
    expect(rebuilt?.state).toBe('pushed');
    expect(rebuilt?.amountKopecks).toBe(totalOf(invoices[0] ?? 0) + totalOf(invoices[1] ?? 0));
    expect(rebuilt?.sends.map(({ card, kopecks, rcp, state }) => ({ card, kopecks, rcp, state }))).toEqual(
      expect.arrayContaining(expected),
    );
    expect(rebuilt?.sends).toHaveLength(2);
    const reconciled = await reconcilePeriod(fresh, '2024-05');
    expect(reconciled.payments.differences).toEqual([]);
    expect(reconciled.payments.needsReview).toEqual([]);
  }, 900_000);
});
