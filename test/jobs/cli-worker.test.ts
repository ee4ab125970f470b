import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue } from 'bullmq';
import { describe, expect, inject, it } from 'vitest';
import { startSimulator } from '../../connector/simulator/server.ts';
import { startOdooDouble } from '../support/odoo-double/index.ts';
import { freePort } from '../support/redis.ts';

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-worker-'));
const redisUrl = inject('redisUrl');

function start(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('worker and enqueue commands', () => {
  it('the worker starts with its schedules, runs an enqueued sync, answers health, and stops on SIGTERM', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 5, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    const port = await freePort();
    const queue = new Queue('rcp-odoo', { connection: { url: redisUrl, maxRetriesPerRequest: null } });
    await queue.obliterate({ force: true });
    const env = {
      RCP_URL: sim.url,
      RCP_TOKEN: sim.token,
      ODOO_URL: double.url,
      ODOO_DB: double.db,
      ODOO_USER: double.admin.login,
      ODOO_API_KEY: double.admin.apiKey,
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
  });
});
