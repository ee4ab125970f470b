import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import type { InvoiceReport } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { spawnCli, stackEnv } from '../support/cli-process.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';
import { type Watcher, slowProxy } from '../support/slow-proxy.ts';

/**
 * Odoo itself killed (`kill -9`, with the run that was talking to it: a machine that lost power)
 * while an invoice run makes the month's new drafts, on a real Odoo: after Odoo starts again, every
 * draft of the month is whole or not there (never a header at 0.00 waiting for its lines), and the
 * next run finishes the month, every invoice once and exact in Odoo's own amount.
 *
 * The killable server is one of its own (odoo.sh on ODOO_KILLABLE_PORT, default 81NN, same
 * PostgreSQL, so it serves the file's database), never the shared one. The moment is seen, not
 * guessed: a proxy in front of it kills both when the call that makes the new drafts is in Odoo's
 * hands, or right after Odoo answered it (where a writer that made header and lines in two calls
 * left 0.00 drafts). Not in CI (see README, "Known not to work yet"): `npx vitest run --project faults`.
 */
const run = promisify(execFile);
const ROUNDS = [
  { period: '2024-03', moment: 'during the call that makes the drafts' },
  { period: '2024-04', moment: 'right after Odoo answered it' },
  { period: '2024-05', moment: 'during the call that makes the drafts' },
] as const;
type Moment = (typeof ROUNDS)[number]['moment'];

interface MoveRow extends OdooRecord {
  state: string;
  amount_untaxed: number;
  invoice_origin: string | false;
}

/**
 * Watches a proxy's requests for the first call making new drafts, and kills Odoo and the runner at
 * `moment` of it: 60 ms into Odoo's transaction (the answer to a load of several invoices takes
 * longer), or right after Odoo's answer was passed on.
 */
function killAt(moment: Moment, kill: () => void): { watch: Watcher; killed: Promise<void> } {
  let armed = true;
  let killed!: () => void;
  const done = new Promise<void>((r) => {
    killed = r;
  });
  const fire = () => {
    kill();
    killed();
  };
  const watch: Watcher = ({ url, body }) => {
    const text = `${url} ${body}`;
    if (!armed || !(text.includes('account.move') && text.includes('load') && text.includes('out_invoice'))) {
      return undefined;
    }
    armed = false;
    if (moment === 'right after Odoo answered it') return { answered: fire };
    setTimeout(fire, 60);
    return undefined;
  };
  return { watch, killed: done };
}

const given = realOdooFromEnv();
const version = /^odoo(\d+)_/.exec(given.odoo?.config.odoo?.db ?? '')?.[1];
const script = process.env.ODOO_SH ?? resolve('../shared/odoo/odoo.sh');

describe.skipIf(!given.odoo || !version)(realTitle('Odoo killed while a run makes the drafts'), () => {
  const stack = useRealStack(
    'odookilled',
    { today: '2024-06-01', clients: 8, partners: 2 },
    { workspace: true },
  );
  const port = process.env.ODOO_KILLABLE_PORT ?? `81${version}`;
  const pidFile = `${process.env.ODOO_RUN_DIR ?? '/tmp/odoo-run'}/odoo${port}.pid`;
  let s: RealStack;
  let env: Record<string, string>;

  const startOdoo = () => run('bash', [script, 'start', version ?? '', port], { timeout: 300_000 });
  const spawned = spawnCli('odoo-killed');
  const cli = (args: string[], odooUrl: string) => spawned(args, { ...env, ODOO_URL: odooUrl });

  beforeAll(async () => {
    s = stack();
    await startOdoo();
    env = {
      ...stackEnv(s),
      // The dead run's claims are stale seconds after its heartbeat stopped; Odoo takes longer to start.
      CLAIM_LEASE_SECONDS: '5',
    };
    expect((await syncMasterData(s.deps, { what: 'all' })).failed).toEqual([]);
  }, 600_000);
  afterAll(async () => {
    await run('bash', [script, 'stop', port]).catch(() => undefined);
  });

  it.each(ROUNDS)(
    '$period, killed $moment: every draft whole or absent, and the next run finishes the month once and exact',
    async ({ period, moment }) => {
      const odooUrl = `http://127.0.0.1:${port}`;
      // Who RCP says is invoiced for the month, and RCP's figure for each, summed from the simulator.
      const plan = await cli(['invoice', '--period', period, '--dry-run', '--json'], odooUrl).exited;
      expect(plan.code, plan.out).toBe(0);
      const wanted = new Map(
        (JSON.parse(plan.out) as InvoiceReport).invoices
          .filter((i) => i.outcome === 'would create')
          .map((i) => [
            `RCP ${period} ${i.kind} ${i.uuid}`,
            i.kind === 'client'
              ? rcpCostKopecks(s.sim.world, s.sim.world.clientById(i.uuid) as never, period)
              : repricedKopecks(
                  s.sim.world,
                  s.sim.world.partners.findIndex((p) => p.id === i.uuid),
                  period,
                ),
          ]),
      );
      expect(wanted.size).toBeGreaterThan(2);

      const runner: { child?: ChildProcess } = {};
      const killer = killAt(moment, () => {
        process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGKILL');
        runner.child?.kill('SIGKILL');
      });
      const proxy = await slowProxy(odooUrl, 0, killer.watch);
      const first = cli(['invoice', '--period', period, '--json'], proxy.url);
      runner.child = first.child;
      const ended = await Promise.race([
        killer.killed.then(() => 'killed'),
        first.exited.then(() => 'exited'),
      ]);
      await first.exited;
      await proxy.close();
      expect(ended, 'the run made its drafts without the proxy seeing the call').toBe('killed');
      await startOdoo();

      const moves = async () =>
        (
          await s.deps.odoo.searchRead<MoveRow>(
            'account.move',
            [['ref', '=', `RCP ${period}`]],
            ['state', 'amount_untaxed', 'invoice_origin'],
          )
        ).map((m) => ({ origin: String(m.invoice_origin), kopecks: Math.round(m.amount_untaxed * 100) }));
      // What the kill left: each draft whole (RCP's figure), none at 0.00.
      const left = await moves();
      for (const m of left) expect(m.kopecks, `${moment}: ${m.origin}`).toBe(wanted.get(m.origin));

      const second = await cli(['invoice', '--period', period, '--json'], odooUrl).exited;
      expect(second.code, second.out).toBe(0);
      const after = (await moves()).sort((a, b) => a.origin.localeCompare(b.origin));
      expect(after).toEqual(
        [...wanted]
          .map(([origin, kopecks]) => ({ origin, kopecks }))
          .sort((a, b) => a.origin.localeCompare(b.origin)),
      );
      expect(await s.deps.odoo.searchCount('x_rcp_lock', [['x_key', '=like', `invoice:${period}:%`]])).toBe(
        0,
      );
      console.log(
        `${period}, killed ${moment}: ${left.length} of ${wanted.size} drafts there after the kill, each whole`,
      );
    },
    900_000,
  );
});
