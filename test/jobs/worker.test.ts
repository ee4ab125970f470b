import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PermanentError } from '../../connector/errors.ts';
import { silentLogger } from '../../connector/log.ts';
import { invoiceCounterparty, listCounterparties } from '../../connector/processes/invoice-period.ts';
import type { InvoiceReport } from '../../connector/processes/invoice-period.ts';
import type { PushReport } from '../../connector/processes/push-payments.ts';
import type { ReconcileReport } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { SyncReport } from '../../connector/processes/sync.ts';
import { RcpAnswerError, RcpAuthError, RcpUnavailableError } from '../../connector/rcp/errors.ts';
import type { Processes } from '../../jobs/processes.ts';
import type { JobData } from '../../jobs/queues.ts';
import { applySchedules } from '../../jobs/schedules.ts';
import { type Runner, createRunner, enqueueJob } from '../../jobs/worker.ts';
import { type NamedProcesses, runByName } from '../support/named-processes.ts';
import { startStack } from '../support/stack.ts';

const redisUrl = inject('redisUrl');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(25);
  }
}

const emptySync: SyncReport = {
  dryRun: false,
  counts: {},
  failed: [],
  warnings: [],
  plan: [],
  odooRoundTrips: 0,
  rcpRequests: 0,
  seconds: 0,
};
const emptyPush: PushReport = {
  dryRun: false,
  since: '2020-01-01',
  results: [],
  outcomes: {},
  failed: [],
  odooRoundTrips: 0,
  rcpRequests: 0,
};

function fakeProcesses(overrides: Partial<Processes> & NamedProcesses = {}): Processes {
  const { sync, pushPayments, reconcile, ...rest } = overrides;
  const named: Required<NamedProcesses> = {
    sync: sync ?? (async () => emptySync),
    pushPayments: pushPayments ?? (async () => emptyPush),
    reconcile:
      reconcile ??
      (async (period) =>
        ({
          period,
          rows: [],
          compared: 0,
          mismatches: 0,
          payments: { pushed: 0, needsReview: [], changedAfterPush: [], voidAfterPush: [], differences: [] },
          failed: [],
        }) as ReconcileReport),
  };
  return {
    run: runByName(named),
    listCounterparties: async () => ({ units: [], failed: [] }),
    invoiceCounterparty: async (period) =>
      ({
        period,
        dryRun: false,
        invoices: [],
        outcomes: {},
        moveIds: [],
        failed: [],
        odooRoundTrips: 0,
        rcpRequests: 0,
        seconds: 0,
      }) as InvoiceReport,
    health: async () => ({ rcp: true, odoo: true }),
    close: async () => {},
    ...rest,
  };
}

const runners: Runner[] = [];
const queues: Queue[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  await Promise.all(
    queues.splice(0).map(async (q) => {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }),
  );
});

function runner(
  queueName: string,
  processes: Processes,
  extra: Partial<Parameters<typeof createRunner>[0]> = {},
): Runner {
  const r = createRunner({
    redisUrl,
    processes,
    log: silentLogger,
    queueName,
    busyDelayMs: 100,
    lockDurationMs: 1_000,
    stalledIntervalMs: 500,
    ...extra,
  });
  runners.push(r);
  return r;
}

function queueOf(name: string): Queue<JobData> {
  const q = new Queue<JobData>(name, { connection: { url: redisUrl, maxRetriesPerRequest: null } });
  queues.push(q);
  return q;
}

const fastRetry = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 50 },
  removeOnComplete: false,
  removeOnFail: false,
};

describe('the worker on a real Redis', () => {
  it('runs a scheduled sync at its time', async () => {
    const name = `q-${randomUUID()}`;
    let runs = 0;
    const r = runner(
      name,
      fakeProcesses({
        sync: async () => {
          runs++;
          return emptySync;
        },
      }),
    );
    const active = await applySchedules(r.queue, {
      timezone: 'Europe/Moscow',
      sync: '*/1 * * * * *',
      payments: undefined,
      invoices: undefined,
    });
    expect(active).toEqual(['sync "*/1 * * * * *" (Europe/Moscow)']);
    await until(() => runs >= 1);
    expect(await r.queue.getJobSchedulers()).toHaveLength(1);
  });

  it('does not queue the same job twice while it waits', async () => {
    const queue = queueOf(`q-${randomUUID()}`);
    const first = await enqueueJob(queue, { kind: 'sync', what: 'all' });
    const second = await enqueueJob(queue, { kind: 'sync', what: 'all' });
    expect([first.added, second.added]).toEqual([true, false]);
    expect(await queue.count()).toBe(1);
  });

  it('two workers never run the payments push at once; both jobs get done', async () => {
    const name = `q-${randomUUID()}`;
    let active = 0;
    let most = 0;
    let done = 0;
    const push = async () => {
      active++;
      most = Math.max(most, active);
      await sleep(200);
      active--;
      done++;
      return emptyPush;
    };
    runner(name, fakeProcesses({ pushPayments: push }));
    runner(name, fakeProcesses({ pushPayments: push }));
    const queue = queueOf(name);
    // A scheduled run and one asked by hand: two jobs, one process that must not overlap.
    await queue.add('payments-push', { kind: 'payments-push' }, { jobId: 'scheduled-1', ...fastRetry });
    await queue.add('payments-push', { kind: 'payments-push' }, { jobId: 'by-hand-1', ...fastRetry });
    await until(() => done === 2);
    expect(most).toBe(1);
  });

  it('retries a retryable failure, then succeeds', async () => {
    const name = `q-${randomUUID()}`;
    let calls = 0;
    const retrying = runner(
      name,
      fakeProcesses({
        sync: async () => {
          calls++;
          if (calls === 1)
            throw new RcpUnavailableError('GET /client', 'GET /client: HTTP 503; gave up after 5 tries', 503);
          return emptySync;
        },
      }),
    );
    const queue = queueOf(name);
    const job = await queue.add('sync', { kind: 'sync', what: 'all' }, fastRetry);
    await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn !== undefined);
    const finished = await queue.getJob(job.id ?? '');
    expect(await finished?.getState()).toBe('completed');
    expect(finished?.attemptsMade).toBe(2);
    // The failed attempt counts as an RCP error in the metrics.
    expect(await retrying.metrics.registry.getSingleMetricAsString('rcp_odoo_rcp_errors_total')).toContain(
      'rcp_odoo_rcp_errors_total{kind="sync"} 1',
    );
  });

  it('a permanent failure ends failed with its reason, after one attempt', async () => {
    const name = `q-${randomUUID()}`;
    runner(
      name,
      fakeProcesses({
        sync: async () => {
          throw new RcpAuthError('GET /client', 401, 'RCP refused the credentials (401): check RCP_TOKEN');
        },
      }),
    );
    const queue = queueOf(name);
    const job = await queue.add('sync', { kind: 'sync', what: 'all' }, fastRetry);
    await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn !== undefined);
    const failed = await queue.getJob(job.id ?? '');
    expect(await failed?.getState()).toBe('failed');
    expect(failed?.failedReason).toContain('check RCP_TOKEN');
    expect(failed?.attemptsMade).toBe(1);
  });

  it('counts RCP errors by their type, not by the words of a message', async () => {
    const name = `q-${randomUUID()}`;
    const counting = runner(
      name,
      fakeProcesses({
        sync: async () => {
          // An Odoo failure whose message happens to start like an RCP call is not RCP's.
          throw new PermanentError('GET /client: RCP said so, but this came from Odoo');
        },
        pushPayments: async () => {
          throw new RcpAnswerError('GET /partner', 'the answer was not JSON');
        },
      }),
    );
    const queue = queueOf(name);
    const sync = await queue.add('sync', { kind: 'sync', what: 'all' }, fastRetry);
    const push = await queue.add('payments-push', { kind: 'payments-push' }, fastRetry);
    for (const job of [sync, push])
      await until(async () => (await queue.getJob(job.id ?? ''))?.finishedOn !== undefined);
    const metric = await counting.metrics.registry.getSingleMetricAsString('rcp_odoo_rcp_errors_total');
    expect(metric).toContain('rcp_odoo_rcp_errors_total{kind="payments-push"} 1');
    expect(metric).not.toContain('kind="sync"');
  });

  it('closing the worker (SIGTERM) lets the job in hand finish: none is lost', async () => {
    const name = `q-${randomUUID()}`;
    let started = false;
    const r = runner(
      name,
      fakeProcesses({
        pushPayments: async () => {
          started = true;
          await sleep(300);
          return emptyPush;
        },
      }),
    );
    const queue = queueOf(name);
    const job = await queue.add('payments-push', { kind: 'payments-push' }, fastRetry);
    await until(() => started);
    await r.close();
    runners.splice(runners.indexOf(r), 1);
    expect(await (await queue.getJob(job.id ?? ''))?.getState()).toBe('completed');
  });
});

describe('the invoice flow on a real Redis, the simulator and the Odoo double', () => {
  it('one child per counterparty; a worker killed mid-invoice leaves no duplicate and the job completes on the other', async () => {
    const { double, deps, reconnect } = await startStack('18', { clients: 6, partners: 2 });
    await syncMasterData(deps, { what: 'all' });
    const name = `q-${randomUUID()}`;
    const { units } = await listCounterparties(deps, '2024-05');
    const victim = units.find((u) => u.kind === 'client');
    let hung = false;
    const other = await reconnect();
    // Worker A writes the invoice of the victim, then dies before telling Redis.
    const a = runner(
      name,
      fakeProcesses({
        listCounterparties: async (period) => listCounterparties(deps, period),
        invoiceCounterparty: async (period, unit) => {
          const report = await invoiceCounterparty(deps, period, unit);
          if (unit.uuid === victim?.uuid) {
            hung = true;
            await new Promise(() => {});
          }
          return report;
        },
      }),
      { concurrency: 1 },
    );
    const queue = queueOf(name);
    await enqueueJob(queue, { kind: 'invoice', period: '2024-05' });
    await until(() => hung, 20_000);
    await a.worker.close(true);
    runners.splice(runners.indexOf(a), 1);
    runner(
      name,
      fakeProcesses({
        invoiceCounterparty: async (period, unit) => invoiceCounterparty(other, period, unit),
      }),
    );

    const states = async () => {
      const jobs = await queue.getJobs([
        'completed',
        'failed',
        'active',
        'waiting',
        'delayed',
        'waiting-children',
      ]);
      return Promise.all(jobs.map(async (j) => `${j.id}:${await j.getState()}:${j.failedReason ?? ''}`));
    };
    try {
      await until(
        async () => (await queue.getJobs(['completed'])).some((j) => j.data.kind === 'invoice-report'),
        20_000,
      );
    } catch (error) {
      console.log((await states()).join('\n'));
      throw error;
    }
    const report = (await queue.getJobs(['completed'])).find((j) => j.data.kind === 'invoice-report');
    expect(report?.returnvalue.units).toBe(units.length);
    expect(report?.returnvalue.failed).toEqual([]);
    const moves = double.records('account.move');
    const partners = moves.map((m) => m.partner_id);
    expect(new Set(partners).size).toBe(moves.length);
    const victimJob = (await queue.getJobs(['completed'])).find(
      (j) => j.data.kind === 'invoice-unit' && j.data.unit.uuid === victim?.uuid,
    );
    expect(victimJob?.returnvalue.outcome).toBe('unchanged');
  });
});

describe('the worker’s HTTP side', () => {
  it('answers health and Prometheus metrics, and guards the dashboard with the token', async () => {
    const { startWorkerHttp } = await import('../../jobs/http.ts');
    const { Redis } = await import('ioredis');
    const { Secret } = await import('../../connector/secret.ts');
    const r = runner(
      `q-${randomUUID()}`,
      fakeProcesses({ health: async () => ({ rcp: true, odoo: false }) }),
    );
    const redis = new Redis(redisUrl);
    const server = await startWorkerHttp({
      port: 0,
      host: '127.0.0.1',
      runner: r,
      redis,
      processes: fakeProcesses({ health: async () => ({ rcp: true, odoo: false }) }),
      dashboardToken: new Secret('s3cret'),
    });
    try {
      const { port } = server.address() as { port: number };
      const base = `http://127.0.0.1:${port}`;
      const health = await fetch(`${base}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toEqual({ ok: false, redis: true, odoo: false, rcp: true });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('rcp_odoo_jobs{state="waiting"} 0');
      expect((await fetch(`${base}/dashboard`)).status).toBe(401);
      expect((await fetch(`${base}/dashboard?token=s3cret`)).status).toBe(200);
    } finally {
      server.close();
      redis.disconnect();
    }
  });
});
