import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { currentConfig } from '../../connector/config.ts';
import { silentLogger } from '../../connector/log.ts';
import { startSimulator } from '../../connector/simulator/server.ts';
import { realProcesses } from '../../jobs/processes.ts';
import type { JobData } from '../../jobs/queues.ts';
import { type Runner, createRunner, enqueueJob } from '../../jobs/worker.ts';
import { envOf, startOdooDouble } from '../support/odoo-double/index.ts';

/**
 * A worker started before `.env` changed: its next run reads the configuration as a command started
 * then would (the worker's environment, and `.env` as the file is now), on a real Redis, with the
 * RCP simulator and the Odoo double. Yesterday's settings never write today's invoices.
 */
const redisUrl = inject('redisUrl');
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a worker reads its settings for each run', () => {
  it('INVOICE_TAX_IDS set in .env after the worker started: the next run puts the tax on the drafts and says so; a bad value refuses the run', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 8, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    closers.push(
      () => sim.close(),
      () => double.close(),
    );
    const dir = mkdtempSync(join(tmpdir(), 'rcp-odoo-settings-'));
    const dotenv = join(dir, '.env');
    // The worker's own environment (as it started): no INVOICE_TAX_IDS; no .env yet.
    const env = {
      ...envOf(sim, double),
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
      REDIS_URL: redisUrl,
    };
    const processes = realProcesses(
      (needs) => currentConfig(needs, { env, dotenvPath: dotenv }),
      silentLogger,
    );
    const queueName = `q-${randomUUID()}`;
    const runner: Runner = createRunner({ redisUrl, processes, log: silentLogger, queueName });
    const queue = new Queue<JobData>(queueName, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
    });
    closers.push(
      async () => {
        await queue.obliterate({ force: true }).catch(() => undefined);
        await queue.close();
      },
      () => runner.close(),
    );

    /** Enqueues a job as `rcp-odoo enqueue` does and waits for its end (an invoice run: its report job). */
    const run = async (data: JobData) => {
      const before = new Set(
        (await queue.getJobs(['completed', 'failed'])).map((j) => `${j.id}@${j.finishedOn}`),
      );
      const { id } = await enqueueJob(queue, data);
      const end = Date.now() + 25_000;
      for (;;) {
        const job = await queue.getJob(id);
        const state = await job?.getState();
        if (state === 'failed') return { state, reason: (await queue.getJob(id))?.failedReason ?? '' };
        if (state === 'completed' && data.kind !== 'invoice') return { state, value: job?.returnvalue };
        if (state === 'completed') {
          const report = (await queue.getJobs(['completed'])).find(
            (j) => j.data.kind === 'invoice-report' && !before.has(`${j.id}@${j.finishedOn}`),
          );
          if (report) return { state, value: report.returnvalue };
        }
        if (Date.now() > end) throw new Error(`${id} did not finish (${state})`);
        await sleep(50);
      }
    };
    const productLines = () =>
      double.records('account.move.line').filter((l) => l.display_type === 'product' && l.move_id);

    expect((await run({ kind: 'sync', what: 'all' })).state).toBe('completed');
    const first = await run({ kind: 'invoice', period: '2024-05' });
    expect(first.state).toBe('completed');
    const drafts = double.records('account.move').filter((m) => m.state === 'draft');
    expect(drafts.length).toBeGreaterThan(1);
    expect(productLines().every((l) => (l.tax_ids as number[]).length === 0)).toBe(true);
    expect(first.value.changes).toBeUndefined();

    // The accountant's admin names a tax in .env; the worker is not restarted.
    const tax = double.records('account.tax').find((t) => t.name === '15%');
    writeFileSync(dotenv, `INVOICE_TAX_IDS=${tax?.id}\n`);
    const second = await run({ kind: 'invoice', period: '2024-05' });
    expect(second.state).toBe('completed');
    expect(second.value.outcomes).toEqual({ updated: drafts.length });
    expect(second.value.changes).toEqual([`taxes: no tax → 15% on ${drafts.length} drafts`]);
    expect(productLines().length).toBeGreaterThan(0);
    expect(productLines().every((l) => JSON.stringify(l.tax_ids) === JSON.stringify([tax?.id]))).toBe(true);
    const moves = double.records('account.move').filter((m) => m.state === 'draft');
    expect(moves.every((m) => Number(m.amount_tax) > 0)).toBe(true);

    // A value the CLI would refuse now refuses the worker's run too, with the reason; nothing is written.
    writeFileSync(dotenv, 'INVOICE_TAX_IDS=VAT\n');
    const refused = await run({ kind: 'invoice', period: '2024-05' });
    expect(refused.state).toBe('failed');
    expect(refused.reason).toContain('refused: the configuration');
    expect(refused.reason).toContain('INVOICE_TAX_IDS is not valid (got "VAT")');
    expect(productLines().every((l) => JSON.stringify(l.tax_ids) === JSON.stringify([tax?.id]))).toBe(true);

    // A real variable of the worker's environment wins over .env, as for the CLI.
    writeFileSync(dotenv, `INVOICE_TAX_IDS=${tax?.id}\nRCP_OWN_PARTNER_IDS=not-a-uuid\n`);
    const third = await run({ kind: 'invoice', period: '2024-05' });
    expect(third.state).toBe('completed');
    expect(third.value.outcomes).toEqual({ unchanged: drafts.length });
  });
});
