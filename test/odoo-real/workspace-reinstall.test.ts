import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * An admin reinstalls the workspace after a month of work, through the real CLI on a real Odoo:
 * runs linked to invoices, client payments and partner top-ups pushed; then `setup --remove
 * --confirm`, `setup`, `sync all`, `payments push`. Setup works again (no relation table left
 * behind) and RCP (the simulator's record of what it received) gets nothing twice; a payment named
 * with `--forget` is the only one sent again.
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
    { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let rcpEnv: Record<string, string>;
  let admin: Record<string, string>;
  let connector: Record<string, string>;
  let clientPartners: number[] = [];
  let reseller = 0;

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
          timeout: 240_000,
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
    const uuids = s.sim.world.partners.slice(1).map((p) => xmlidOf('partner', p.id));
    const clients = Array.from({ length: 6 }, (_, i) => xmlidOf('client', s.sim.world.client(i).id));
    const found = await externalIds(s.admin).resolve([...uuids, ...clients]);
    clientPartners = clients.flatMap((x) => (found.get(x) ? [found.get(x)?.id as number] : []));
    reseller = found.get(uuids[0] as string)?.id ?? 0;
    expect(clientPartners.length).toBeGreaterThanOrEqual(3);
    expect(reseller).toBeGreaterThan(0);
  }, 600_000);

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
});
