import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { OdooClient, type OdooRecord } from '../../connector/odoo/client.ts';
import type { InvoiceReport } from '../../connector/processes/invoice-period.ts';
import type { PushReport } from '../../connector/processes/push-payments.ts';
import type { ReconcileReport } from '../../connector/processes/reconcile.ts';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { type RealOdoo, freshRealOdoo, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { testSeed } from '../support/real-stack.ts';

/**
 * The README's commands as a user runs them, through the installed binary, on one way into one
 * Odoo (the CI matrix runs this file on every way in it does not run the whole real-Odoo suite on:
 * 17 with an API key, 18 with an API key, 19 with a password over JSON-RPC):
 * setup, sync all twice, invoice twice, post, pay, payments push twice, reconcile. Judged where
 * the user would look: Odoo's own invoice totals against RCP's figures summed by hand from the
 * simulator's rows, and what the simulator recorded as received for each payment.
 */
const PERIOD = '2024-05';
const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-e2e-'));

interface Run {
  code: number;
  out: string;
  err: string;
}

function secretEnv(config: OdooConfig): Record<string, string> {
  return config.secret.kind === 'apiKey'
    ? { ODOO_API_KEY: config.secret.value.reveal() }
    : { ODOO_PASSWORD: config.secret.value.reveal() };
}

interface MoveRow extends OdooRecord {
  state: string;
  amount_untaxed: number;
  amount_residual: number;
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('the CLI end to end'), () => {
  let odoo: RealOdoo;
  let sim: Simulator;
  let admin: OdooClient;
  let env: Record<string, string>;
  let adminEnv: Record<string, string>;

  const cli = (args: string[], as: Record<string, string> = env): Promise<Run> =>
    new Promise((done) => {
      execFile(
        process.execPath,
        [bin, ...args],
        {
          cwd,
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...as },
          timeout: 300_000,
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          done({ code: error ? Number(error.code ?? 1) : 0, out: String(stdout), err: String(stderr) }),
      );
    });
  const json = async <T>(args: string[], expectCode = 0): Promise<T> => {
    const run = await cli([...args, '--json']);
    expect(run.code, `rcp-odoo ${args.join(' ')}: ${run.err}${run.out}`.slice(0, 4000)).toBe(expectCode);
    return JSON.parse(run.out) as T;
  };

  beforeAll(async () => {
    odoo = await freshRealOdoo('e2e');
    sim = await startSimulator({
      seed: testSeed(),
      today: '2024-06-01',
      clients: 10,
      partners: 3,
      ownShare: 0.5,
    });
    admin = await OdooClient.connect(odoo.admin);
    const connector = odoo.config.odoo as OdooConfig;
    const common = {
      RCP_URL: sim.url,
      RCP_TOKEN: sim.token,
      ODOO_URL: connector.url,
      ODOO_DB: connector.db,
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
      PAYMENTS_SINCE: '2020-01-01',
      COMPANY_CURRENCY: 'RUB',
    };
    env = { ...common, ODOO_USER: connector.user, ...secretEnv(connector) };
    adminEnv = { ...common, ODOO_USER: odoo.admin.user, ...secretEnv(odoo.admin) };
  });
  afterAll(async () => {
    await sim?.close();
    await admin?.close();
    await odoo?.drop?.();
  });

  it('setup, sync all twice, invoice twice, post, pay, push twice, reconcile: Odoo’s totals are RCP’s to the kopeck, each payment reaches RCP once', async () => {
    const connectorUser = (odoo.config.odoo as OdooConfig).user;
    const setup = await cli(['setup', '--connector-user', connectorUser], adminEnv);
    expect(setup.code, setup.err + setup.out).toBe(0);

    // sync all, twice: the second writes nothing.
    const firstSync = await json<{ counts: Record<string, { created: number; updated: number }> }>([
      'sync',
      'all',
    ]);
    expect(Object.values(firstSync.counts).some((c) => c.created > 0)).toBe(true);
    const secondSync = await json<{ counts: Record<string, { created: number; updated: number }> }>([
      'sync',
      'all',
    ]);
    for (const [kind, c] of Object.entries(secondSync.counts)) {
      expect({ kind, created: c.created, updated: c.updated }).toEqual({ kind, created: 0, updated: 0 });
    }

    // invoice, twice: every draft equals RCP's figure in Odoo's own amount; the second changes nothing.
    const first = await json<InvoiceReport>(['invoice', '--period', PERIOD]);
    const made = first.invoices.filter((i) => i.odooId);
    expect(made.length).toBeGreaterThanOrEqual(4);
    expect(first.invoices.filter((i) => i.outcome === 'failed')).toEqual([]);
    const moves = await admin.read<MoveRow>(
      'account.move',
      made.map((i) => i.odooId as number),
      ['state', 'amount_untaxed', 'amount_residual'],
    );
    for (const invoice of made) {
      const expected =
        invoice.kind === 'client'
          ? rcpCostKopecks(
              sim.world,
              sim.world.clientById(invoice.uuid) as NonNullable<ReturnType<typeof sim.world.clientById>>,
              PERIOD,
            )
          : repricedKopecks(
              sim.world,
              sim.world.partners.findIndex((p) => p.id === invoice.uuid),
              PERIOD,
            );
      const move = moves.find((m) => m.id === invoice.odooId);
      expect({ who: invoice.counterparty, kopecks: Math.round((move?.amount_untaxed ?? -1) * 100) }).toEqual({
        who: invoice.counterparty,
        kopecks: expected,
      });
    }
    const second = await json<InvoiceReport>(['invoice', '--period', PERIOD]);
    expect(second.invoices.filter((i) => i.odooId).map((i) => i.outcome)).toEqual(
      made.map(() => 'unchanged'),
    );

    // The accountant posts every invoice and registers its payment in full (as admin, by the API).
    const ids = made.map((i) => i.odooId as number);
    await admin.callOn('account.move', 'action_post', ids);
    const paymentOf = new Map<number, number>();
    for (const id of ids) {
      const context = { active_model: 'account.move', active_ids: [id] };
      const [wizard] = await admin.create('account.payment.register', [{}], context);
      const action = await admin.callOn<{ res_id?: number }>(
        'account.payment.register',
        'action_create_payments',
        [wizard ?? 0],
        undefined,
        context,
      );
      if (action.res_id) paymentOf.set(id, action.res_id);
    }
    const paid = await admin.read<MoveRow>('account.move', ids, [
      'state',
      'amount_untaxed',
      'amount_residual',
    ]);
    for (const move of paid)
      expect({ id: move.id, residual: move.amount_residual }).toEqual({ id: move.id, residual: 0 });

    // payments push, twice: each payment once, in exact kopecks, to the card it paid.
    const push = await json<PushReport>(['payments', 'push']);
    expect(push.failed).toEqual([]);
    const pushedAgain = await json<PushReport>(['payments', 'push']);
    expect(pushedAgain.results.filter((r) => r.outcome === 'pushed')).toEqual([]);
    for (const invoice of made) {
      const move = paid.find((m) => m.id === invoice.odooId);
      const all = [
        ...sim.payments.filter((p) => p.client === invoice.uuid).map((p) => p.amount),
        ...sim.corrections.filter((c) => c.partner === invoice.uuid).map((c) => c.amount),
      ];
      expect({ who: invoice.counterparty, received: all.map((a) => Math.round(a * 100)) }).toEqual({
        who: invoice.counterparty,
        received: [Math.round((move?.amount_untaxed ?? 0) * 100)],
      });
    }

    // reconcile: nothing differs, exit 0.
    const reconcile = await json<ReconcileReport>(['reconcile', '--period', PERIOD]);
    expect(reconcile.mismatches).toBe(0);
    expect(reconcile.failed).toEqual([]);
  });
});
