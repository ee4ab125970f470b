import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import { OdooClient, type OdooRecord } from '../../connector/odoo/client.ts';
import type { InvoiceReport } from '../../connector/processes/invoice-period.ts';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { type RealOdoo, freshRealOdoo, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { testSeed } from '../support/real-stack.ts';
import { type RunningRedis, startRedis } from '../support/redis.ts';
import { type SlowProxy, slowProxy } from '../support/slow-proxy.ts';

/**
 * A worker killed (`kill -9`) in the middle of a queued invoice run, with real Redis and a real Odoo:
 * a second worker started after it finishes the month by itself, every invoice once and exact
 * (Odoo's own amount_untaxed against RCP's figures summed from the simulator's rows), within a minute
 * of the kill. The kill moments are observed in Odoo, not guessed: before any claim; while a claim is
 * held and no draft is written yet; right after a draft appeared; while the usage records are
 * written. Odoo is reached through a proxy that delays every call, so that each phase lasts.
 */
const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-killed-'));
const PERIODS = (
  process.env.KILL_ROUNDS_PERIODS ??
  '2023-08,2023-09,2023-10,2023-11,2023-12,2024-01,2024-02,2024-03,2024-04,2024-05'
)
  .split(',')
  .filter(Boolean);
const MOMENTS = [
  'before any claim',
  'claim held, no draft',
  'a draft written',
  'usage records being written',
] as const;
type Moment = (typeof MOMENTS)[number];

interface MoveRow extends OdooRecord {
  state: string;
  amount_untaxed: number;
  invoice_origin: string | false;
}

function secretEnv(config: OdooConfig): Record<string, string> {
  return config.secret.kind === 'apiKey'
    ? { ODOO_API_KEY: config.secret.value.reveal() }
    : { ODOO_PASSWORD: config.secret.value.reveal() };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('a worker killed during an invoice run'), () => {
  let odoo: RealOdoo;
  let sim: Simulator;
  let admin: OdooClient;
  let redis: RunningRedis;
  let proxy: SlowProxy;
  let env: Record<string, string>;
  let queue: Queue;
  const workers: ChildProcess[] = [];

  const cli = (args: string[], as: Record<string, string> = env) =>
    new Promise<{ code: number; out: string; err: string }>((done) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1', ...as } },
        (error, stdout, stderr) =>
          done({ code: error ? Number(error.code ?? 1) : 0, out: String(stdout), err: String(stderr) }),
      );
    });
  const startWorker = (name: string): { proc: ChildProcess; log: string[] } => {
    const log: string[] = [];
    const proc = spawn(process.execPath, [bin, 'worker'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    proc.stdout?.on('data', (d: Buffer) => log.push(`${name}: ${String(d)}`));
    proc.stderr?.on('data', (d: Buffer) => log.push(`${name}! ${String(d)}`));
    workers.push(proc);
    return { proc, log };
  };
  const stopWorker = async (proc: ChildProcess, signal: NodeJS.Signals) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((done) => proc.once('exit', done));
    proc.kill(signal);
    await exited;
  };

  beforeAll(async () => {
    odoo = await freshRealOdoo('killed');
    redis = await startRedis();
    sim = await startSimulator({
      seed: testSeed(),
      today: '2024-06-01',
      clients: 3,
      partners: 2,
      ownShare: 0.5,
      // RCP slowed too: reading a counterparty's usage lasts, so "before any claim" can be hit.
      faults: { latencyMs: 10 },
    });
    admin = await OdooClient.connect(odoo.admin);
    const connector = odoo.config.odoo as OdooConfig;
    proxy = await slowProxy(connector.url, 30);
    const common = {
      RCP_URL: sim.url,
      RCP_TOKEN: sim.token,
      ODOO_DB: connector.db,
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
      PAYMENTS_SINCE: '2020-01-01',
      COMPANY_CURRENCY: 'RUB',
      REDIS_URL: redis.url,
      SCHEDULE_INVOICES: 'off',
      SCHEDULE_SYNC: 'off',
      SCHEDULE_PAYMENTS: 'off',
      WORKER_PORT: '0',
      CLAIM_LEASE_SECONDS: '60',
    };
    env = { ...common, ODOO_URL: proxy.url, ODOO_USER: connector.user, ...secretEnv(connector) };
    const adminEnv = {
      ...common,
      ODOO_URL: connector.url,
      ODOO_USER: odoo.admin.user,
      ...secretEnv(odoo.admin),
    };
    const setup = await cli(['setup', '--connector-user', connector.user], adminEnv);
    expect(setup.code, setup.err + setup.out).toBe(0);
    const sync = await cli(['sync', 'all', '--json'], { ...env, ODOO_URL: connector.url });
    expect(sync.code, sync.err + sync.out).toBe(0);
    queue = new Queue('rcp-odoo', { connection: { url: redis.url, maxRetriesPerRequest: null } });
    // setup and a first sync on a busy two-core machine take minutes.
  }, 1_200_000);
  afterAll(async () => {
    for (const w of workers) await stopWorker(w, 'SIGKILL');
    await queue?.close();
    await sim?.close();
    await admin?.close();
    await proxy?.close();
    await redis?.stop();
    odoo?.drop?.();
  });

  /** What Odoo shows of the period now: its invoices, the claims held, the usage records. */
  const seen = async (period: string) => {
    const [claims, moves, usage] = await Promise.all([
      admin.searchCount('x_rcp_lock', [['x_key', '=like', `invoice:${period}:%`]]),
      admin.searchCount('account.move', [['ref', '=', `RCP ${period}`]]),
      admin.searchCount('x_rcp_usage', [['x_period', '=', period]]),
    ]);
    return { claims, moves, usage };
  };
  const reached = async (moment: Moment, period: string, log: readonly string[]): Promise<boolean> => {
    const now = await seen(period);
    switch (moment) {
      case 'before any claim':
        // A counterparty's job has started (reading its usage) and nothing is claimed yet.
        return (
          now.claims === 0 &&
          log.some((l) => l.includes('"kind":"invoice-unit"') && l.includes('job started'))
        );
      case 'claim held, no draft':
        return now.claims > 0 && now.moves === 0;
      case 'a draft written':
        return now.moves > 0 && now.usage === 0;
      case 'usage records being written':
        return now.usage > 0;
    }
  };

  it('kill -9 at each moment of a queued invoice run, again and again: a second worker finishes the month, every invoice once and exact, within a minute', async () => {
    const rounds: Array<{
      period: string;
      moment: Moment;
      hit: boolean;
      seen: unknown;
      finishedSeconds: number;
      takenOver: unknown;
    }> = [];
    for (const [index, period] of PERIODS.entries()) {
      const moment = MOMENTS[
        (index + Number(process.env.KILL_MOMENT_OFFSET ?? 0)) % MOMENTS.length
      ] as Moment;
      // Who RCP says is invoiced for the month, and RCP's figure for each, summed from the simulator.
      const plan = await cli(['invoice', '--period', period, '--dry-run', '--json'], {
        ...env,
        ODOO_URL: (odoo.config.odoo as OdooConfig).url,
      });
      expect(plan.code, plan.err).toBe(0);
      const wanted = (JSON.parse(plan.out) as InvoiceReport).invoices
        .filter((i) => i.outcome === 'would create')
        .map((i) => ({
          origin: `RCP ${period} ${i.kind} ${i.uuid}`,
          kopecks:
            i.kind === 'client'
              ? rcpCostKopecks(sim.world, sim.world.clientById(i.uuid) as never, period)
              : repricedKopecks(
                  sim.world,
                  sim.world.partners.findIndex((p) => p.id === i.uuid),
                  period,
                ),
        }));
      expect(wanted.length).toBeGreaterThanOrEqual(1);

      const first = startWorker(`A${index}`);
      const enqueue = await cli(['enqueue', 'invoice', '--period', period, '--json']);
      expect(enqueue.code, enqueue.err + enqueue.out).toBe(0);
      // Kill when Odoo shows the moment (or, past 30 s, wherever the run is: reported below).
      const until = Date.now() + 30_000;
      let hit = false;
      while (Date.now() < until) {
        if (await reached(moment, period, first.log)) {
          hit = true;
          break;
        }
        await sleep(25);
      }
      await stopWorker(first.proc, 'SIGKILL');
      const killedAt = Date.now();
      const atKill = await seen(period);

      const second = startWorker(`B${index}`);
      // The month is done when the flow's report job completed.
      let report: { outcomes: Record<string, number>; failed: unknown[] } | undefined;
      while (Date.now() - killedAt < 150_000) {
        const done = await queue.getJobs(['completed']);
        const job = done.find((j) => j.name === 'invoice-report' && j.data.period === period);
        if (job) {
          report = job.returnvalue as typeof report;
          break;
        }
        await sleep(250);
      }
      const finishedSeconds = (Date.now() - killedAt) / 1000;
      // The jobs the killed worker had in hand, and when the second worker started each again.
      const started = (log: readonly string[], kind: 'job started' | 'job done') =>
        log
          .join('')
          .split('\n')
          .flatMap((l) => {
            try {
              const j = JSON.parse(l.slice(l.indexOf('{'))) as { msg?: string; job?: string; time?: number };
              return j.msg === kind && j.job ? [{ job: j.job, time: j.time ?? 0 }] : [];
            } catch {
              return [];
            }
          });
      const doneByA = new Set(started(first.log, 'job done').map((j) => j.job));
      const inHand = started(first.log, 'job started').filter((j) => !doneByA.has(j.job));
      const takenOver = inHand.map((j) => {
        const again = started(second.log, 'job started').find((b) => b.job === j.job);
        return { job: j.job, seconds: again ? (again.time - killedAt) / 1000 : undefined };
      });
      // No job waited on the dead worker's claims in Odoo (taken over at once, not busy).
      const waited = second.log
        .join('')
        .split('\n')
        .filter((l) => l.includes('busy elsewhere'));
      await stopWorker(second.proc, 'SIGTERM');
      const context = `${period}, killed at "${moment}" (hit: ${hit}, Odoo then ${JSON.stringify(atKill)})\n${[...first.log, ...second.log].join('').slice(-6000)}`;
      expect(report, context).toBeDefined();
      expect(report?.failed, context).toEqual([]);

      // Every invoice once and exact, in Odoo's own amount.
      const moves = await admin.searchRead<MoveRow>(
        'account.move',
        [['ref', '=', `RCP ${period}`]],
        ['state', 'amount_untaxed', 'invoice_origin'],
      );
      const got = moves
        .map((m) => ({
          origin: m.invoice_origin,
          kopecks: Math.round(m.amount_untaxed * 100),
          state: m.state,
        }))
        .sort((a, b) => String(a.origin).localeCompare(String(b.origin)));
      expect(got, context).toEqual(
        wanted.map((w) => ({ ...w, state: 'draft' })).sort((a, b) => a.origin.localeCompare(b.origin)),
      );
      // The usage records written once: no record doubled by the two workers.
      const usage = await admin.searchRead<OdooRecord & Record<string, unknown>>(
        'x_rcp_usage',
        [['x_period', '=', period]],
        ['x_move_id', 'x_counterparty_id', 'x_name', 'x_product_id'],
      );
      const keys = usage.map((u) =>
        JSON.stringify([u.x_move_id, u.x_counterparty_id, u.x_name, u.x_product_id]),
      );
      expect(new Set(keys).size, context).toBe(keys.length);
      expect(new Set(usage.map((u) => JSON.stringify(u.x_move_id))).size, context).toBe(moves.length);
      // Nothing left held.
      expect(await admin.searchCount('x_rcp_lock', [['x_key', '=like', `invoice:${period}:%`]])).toBe(0);
      expect(waited, context).toEqual([]);
      for (const t of takenOver) expect(t.seconds, `${t.job} ${context}`).toBeLessThan(60);
      expect(finishedSeconds, context).toBeLessThan(Number(process.env.KILL_MONTH_SECONDS ?? 60));
      rounds.push({ period, moment, hit, seen: atKill, finishedSeconds, takenOver });
    }
    console.log(JSON.stringify(rounds, null, 1));
    // Each moment was really met at least once (the kill was not always at the same place).
    for (const moment of MOMENTS.filter((m) =>
      (rounds as Array<{ moment: Moment }>).some((r) => r.moment === m),
    )) {
      expect(
        (rounds as Array<{ moment: Moment; hit: boolean }>).some((r) => r.moment === moment && r.hit),
        moment,
      ).toBe(true);
    }
  });
});
