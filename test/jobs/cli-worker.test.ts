import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, inject, it } from 'vitest';
import { startSimulator } from '../../connector/simulator/server.ts';
import { envOf, startOdooDouble } from '../support/odoo-double/index.ts';
import { freePort } from '../support/redis.ts';

const bin = resolve('bin/rcp-odoo.mjs');
let cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-worker-'));
const redisUrl = inject('redisUrl');

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 40_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not in time`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('worker and enqueue commands', () => {
  it('the worker starts with its schedules, runs an enqueued sync, answers health, and stops on SIGTERM', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 5, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    const port = await freePort();
    const queue = new Queue('rcp-odoo', { connection: { url: redisUrl, maxRetriesPerRequest: null } });
    await queue.obliterate({ force: true });
    const env = {
      ...envOf(sim, double),
      REDIS_URL: redisUrl,
      WORKER_PORT: String(port),
      SCHEDULE_INVOICES: 'off',
    };
    const worker = start(['worker'], env);
    try {
      await once(worker.stdout as NodeJS.ReadableStream, 'data');
      const enqueue = start(['enqueue', 'sync', 'all', '--json'], env);
      const [code] = (await once(enqueue, 'exit')) as [number];
      expect(code).toBe(0);
      const deadline = Date.now() + 20_000;
      while (double.records('res.partner').filter((p) => p.ref).length < 7 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(
        double.records('res.partner').filter((p) => typeof p.ref === 'string' && p.ref.length === 36),
      ).toHaveLength(7);
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(await health.json()).toEqual({ ok: true, redis: true, odoo: true, rcp: true });
      expect((await queue.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
        'schedule-payments',
        'schedule-sync',
      ]);
    } finally {
      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number];
      expect(code).toBe(0);
      await queue.obliterate({ force: true });
      await queue.close();
      await sim.close();
      await double.close();
    }
  }, 120_000);

  it('a worker started before .env named a tax puts it on the drafts of its next invoice run', async () => {
    cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-worker-'));
    const sim = await startSimulator({ today: '2024-06-01', clients: 6, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    const queue = new Queue('rcp-odoo', { connection: { url: redisUrl, maxRetriesPerRequest: null } });
    await queue.obliterate({ force: true });
    const env = {
      ...envOf(sim, double),
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
      REDIS_URL: redisUrl,
      WORKER_PORT: String(await freePort()),
      SCHEDULE_INVOICES: 'off',
      SCHEDULE_SYNC: 'off',
      SCHEDULE_PAYMENTS: 'off',
    };
    const enqueue = async (...args: string[]) => {
      const [code] = (await once(start(['enqueue', ...args, '--json'], env), 'exit')) as [number];
      expect(code).toBe(0);
    };
    const reports = async () =>
      (await queue.getJobs(['completed'])).filter((j) => j.data.kind === 'invoice-report').length;
    const lines = () => double.records('account.move.line').filter((l) => l.display_type === 'product');
    const worker = start(['worker'], env);
    try {
      await once(worker.stdout as NodeJS.ReadableStream, 'data');
      await enqueue('sync', 'all');
      await until(async () => (await queue.getJobs(['completed'])).length === 1, 'sync');
      await enqueue('invoice', '--period', '2024-05');
      await until(async () => (await reports()) === 1, 'first invoice run');
      expect(lines().length).toBeGreaterThan(0);
      expect(lines().every((l) => (l.tax_ids as number[]).length === 0)).toBe(true);

      const tax = double.records('account.tax').find((t) => t.name === '15%');
      writeFileSync(join(cwd, '.env'), `INVOICE_TAX_IDS=${tax?.id}\n`);
      await enqueue('invoice', '--period', '2024-05');
      await until(async () => (await reports()) === 2, 'second invoice run');
      expect(lines().every((l) => JSON.stringify(l.tax_ids) === JSON.stringify([tax?.id]))).toBe(true);
      const report = (await queue.getJobs(['completed'])).find(
        (j) => j.data.kind === 'invoice-report' && j.returnvalue.changes,
      );
      const drafts = double.records('account.move').length;
      expect(report?.returnvalue.changes).toEqual([`taxes: no tax → 15% on ${drafts} drafts`]);
    } finally {
      worker.kill('SIGTERM');
      await once(worker, 'exit');
      await queue.obliterate({ force: true });
      await queue.close();
      await sim.close();
      await double.close();
    }
  }, 150_000);
});
