import { hostname } from 'node:os';
import { DelayedError, FlowProducer, Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { RunRefusedError, isRetryable, messageOf } from '../connector/errors.ts';
import type { Logger } from '../connector/log.ts';
import { isRcpError } from '../connector/rcp/errors.ts';
import { isRedisConnectionError, watchedRedis, workerConnection } from '../connector/redis.ts';
import { invoiceCounts } from '../connector/work/invoice.ts';
import { type AnyWork, inputOf, outcomeOf } from '../connector/work/work.ts';
import {
  type RunKind,
  type RunOutcome,
  finishRun,
  hasRuns,
  raiseProgress,
  recordedRun,
  startRun,
} from '../connector/workspace/runs.ts';
import { type DraftChange, summarizeDraftChanges } from '../mappings/draft-changes.ts';
import { monthBefore } from '../mappings/period.ts';
import { LockBusyError, withLock } from './lock.ts';
import { type JobsMetrics, createMetrics } from './metrics.ts';
import type { Processes } from './processes.ts';
import { JOB_OPTIONS, type JobData, QUEUE_NAME, jobIdOf, lockOf, workOfJob } from './queues.ts';

export interface RunnerOptions {
  redisUrl: string;
  processes: Processes;
  log: Logger;
  queueName?: string;
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** How long a job's lock lives without renewal: a killed worker's job is taken over after it. */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  /** Time zone for "the previous month" of scheduled invoice runs. */
  timezone?: string;
  /** Wait before a job finding its process busy elsewhere tries again. */
  busyDelayMs?: number;
}

export interface Runner {
  queue: Queue<JobData>;
  /** The connection that says (once per retry) when Redis is away; for locks and health. */
  redis: Redis;
  worker: Worker<JobData>;
  metrics: JobsMetrics;
  /** Stops taking jobs, lets the ones in hand finish, and closes connections. */
  close(): Promise<void>;
}

/** Adds a job; the same job (same id) already waiting or running is not added twice. */
export async function enqueueJob(
  queue: Queue<JobData>,
  data: JobData,
): Promise<{ id: string; added: boolean; retried: boolean }> {
  const id = jobIdOf(data);
  const existing = await queue.getJob(id);
  if (existing) {
    if (await existing.isFailed()) {
      await existing.retry();
      return { id, added: false, retried: true };
    }
    if (!(await existing.isCompleted())) return { id, added: false, retried: false };
    // Done before: that record is replaced and the job runs again.
    await existing.remove();
  }
  await queue.add(data.kind, data, { ...JOB_OPTIONS, jobId: id });
  return { id, added: true, retried: false };
}

/** The worker: takes jobs, runs the process each names, one structured log line per job. */
export function createRunner(options: RunnerOptions): Runner {
  const queueName = options.queueName ?? QUEUE_NAME;
  const connection = workerConnection(options.redisUrl);
  const redis = watchedRedis(options.redisUrl, options.log);
  const queue = new Queue<JobData>(queueName, { connection });
  const flows = new FlowProducer({ connection });
  // Redis being away is said once per retry by `redis`; the other connections' errors are the same outage.
  const onError = (error: unknown) => {
    if (isRedisConnectionError(error)) return;
    options.log.error({ error: messageOf(error) }, 'worker error');
  };
  queue.on('error', onError);
  flows.on('error', onError);
  const metrics = createMetrics(queue);
  const lockTtl = (options.lockDurationMs ?? 20_000) * 2;

  /**
   * A job's process recorded in RCP → Runs (Started by: Schedule, or Command line for `enqueue`), so
   * the nightly sync shows where the accountant looks; unrecorded when the processes give no Odoo.
   */
  const recorded = async (job: Job<JobData>, work: AnyWork, input: unknown): Promise<unknown> => {
    const runKind = work.runKind;
    const opened =
      runKind && options.processes.deps ? await options.processes.deps().catch(() => undefined) : undefined;
    if (!runKind || !opened) return options.processes.run(work, input);
    return recordedRun(
      opened,
      {
        kind: runKind,
        ...work.filters?.(input),
        trigger: job.repeatJobKey ? 'schedule' : 'cli',
        worker: `worker@${hostname()}:${process.pid}`,
      },
      () => options.processes.run(work, input),
      (report) => outcomeOf(work, report, input),
    );
  };

  /**
   * The queued invoice run is a flow (one job per counterparty, then a report job): it is recorded
   * in RCP → Runs when the flow starts and finished by its report job. Recording never fails the work.
   */
  const openedForRuns = async () => {
    const opened = options.processes.deps ? await options.processes.deps().catch(() => undefined) : undefined;
    return opened && (await hasRuns(opened.odoo).catch(() => false)) ? opened : undefined;
  };
  const startFlowRun = async (
    job: Job<JobData>,
    run: { period: string; partner?: string | undefined; client?: string | undefined },
  ): Promise<number | undefined> => {
    const opened = await openedForRuns();
    if (!opened) return undefined;
    return startRun(opened.odoo, {
      kind: 'invoice',
      ...run,
      trigger: job.repeatJobKey ? 'schedule' : 'cli',
      worker: `worker@${hostname()}:${process.pid}`,
    }).catch((error: unknown) => {
      options.log.warn({ error: messageOf(error) }, 'the run could not be recorded in Odoo (RCP → Runs)');
      return undefined;
    });
  };
  const finishFlowRun = async (runId: number, outcome: RunOutcome) => {
    const opened = await openedForRuns();
    if (!opened) return;
    await finishRun(opened.odoo, runId, outcome).catch((error: unknown) =>
      options.log.warn(
        { run: runId, error: messageOf(error) },
        'the run’s outcome could not be written in Odoo',
      ),
    );
  };

  /**
   * A queued invoice run's progress, written as its counterparties finish: the share of the flow's
   * units no longer waiting (done, or failed for good; a unit to be retried still waits). Only
   * upwards, below 100 (the report job writes the 100 with the outcome), never on a finished run.
   */
  const progressWritten = new Map<number, number>();
  const writeFlowProgress = async (job: Job<JobData>) => {
    const data = job.data;
    const parentId = job.parent?.id;
    if (data.kind !== 'invoice-unit' || !data.run || !parentId || data.run.units <= 0) return;
    const run = data.run;
    try {
      const parent = await Job.fromId<JobData>(queue, parentId);
      if (!parent) return;
      const { unprocessed = 0 } = await parent.getDependenciesCount({ unprocessed: true });
      if (unprocessed === 0) return;
      const percent = Math.min(99, Math.floor(((run.units - unprocessed) / run.units) * 100));
      if (percent <= (progressWritten.get(run.id) ?? 0)) return;
      progressWritten.set(run.id, percent);
      const opened = await openedForRuns();
      if (!opened) return;
      await raiseProgress(opened.odoo, run.id, percent);
    } catch (error) {
      options.log.warn({ run: run.id, error: messageOf(error) }, 'progress not written');
    }
  };

  /**
   * A job refused because the configuration (read for each run) is now invalid shows in RCP → Runs
   * as a failed run with the reasons, through the Odoo connection last opened.
   */
  const recordRefusal = async (job: Job<JobData>, error: RunRefusedError) => {
    const data = job.data;
    // The invoice flow's parts are no kind of work: their run is the flow's.
    const kind = workOfJob(data)?.work.runKind;
    if (!kind) return;
    const odoo = await options.processes.lastOdoo?.().catch(() => undefined);
    if (!odoo || !(await hasRuns(odoo).catch(() => false))) return;
    const period =
      data.kind === 'invoice' && data.period === 'previous'
        ? monthBefore(new Date(), options.timezone ?? 'UTC')
        : 'period' in data
          ? data.period
          : undefined;
    try {
      const id = await startRun(odoo, {
        kind,
        ...(period ? { period } : {}),
        trigger: job.repeatJobKey ? 'schedule' : 'cli',
        worker: `worker@${hostname()}:${process.pid}`,
      });
      await finishRun(odoo, id, {
        failed: [],
        error: error.message,
      });
    } catch (problem) {
      options.log.warn({ error: messageOf(problem) }, 'the refused run could not be recorded in Odoo');
    }
  };

  const run = async (job: Job<JobData>): Promise<unknown> => {
    const data = job.data;
    switch (data.kind) {
      case 'invoice': {
        const period =
          data.period === 'previous' ? monthBefore(new Date(), options.timezone ?? 'UTC') : data.period;
        const { units, failed } = await options.processes.listCounterparties(period, {
          partner: data.partner,
          client: data.client,
          allowOpenPeriod: data.allowOpenPeriod,
        });
        // Names this flow: the same job retried makes the same flow (no double), a new run of the same
        // period (enqueued again after the last one finished) a new one, never the old finished jobs.
        const run = `${job.id ?? 'invoice'}@${job.timestamp}`;
        const runId = await startFlowRun(job, { period, partner: data.partner, client: data.client });
        await flows.add({
          name: 'invoice-report',
          queueName,
          data: {
            kind: 'invoice-report',
            period,
            units: units.length,
            ...(runId !== undefined ? { runId } : {}),
            ...(failed.length > 0
              ? { notChosen: failed.map((f) => ({ record: f.record, error: f.error })) }
              : {}),
          },
          opts: { ...JOB_OPTIONS, jobId: `invoice-report/${period}@${run}` },
          children: units.map((unit) => ({
            name: 'invoice-unit',
            queueName,
            data: {
              kind: 'invoice-unit',
              period,
              unit,
              ...(data.force ? { force: true } : {}),
              ...(runId !== undefined ? { run: { id: runId, units: units.length } } : {}),
            } satisfies JobData,
            opts: {
              ...JOB_OPTIONS,
              jobId: `${jobIdOf({ kind: 'invoice-unit', period, unit })}@${run}`,
              ignoreDependencyOnFailure: true,
            },
          })),
        });
        return { period, units: units.length, failed };
      }
      case 'invoice-unit': {
        const report = await options.processes.invoiceCounterparty(data.period, data.unit, {
          force: data.force ?? false,
          holder: {
            job: job.id,
            run: job.parent?.id ?? job.id,
            worker: `worker@${hostname()}:${process.pid}`,
          },
        });
        metrics.odooRoundTrips.inc(report.odooRoundTrips);
        // Another live run holds this invoice's claim in Odoo: busy, not failed; come back to it.
        if (report.busy?.length) throw new ClaimBusyError(report.failed.map((f) => f.error).join('; '));
        if (report.failed.length > 0) {
          throw new UnrecoverableError(report.failed.map((f) => `${f.record}: ${f.error}`).join('; '));
        }
        const invoice = report.invoices[0];
        return {
          outcome: invoice?.outcome ?? 'no usage',
          totalKopecks: invoice?.totalKopecks ?? 0,
          odooId: invoice?.odooId,
          ...(report.draftChanges ? { changes: report.draftChanges } : {}),
        };
      }
      case 'invoice-report': {
        const done = Object.values(
          await job.getChildrenValues<{ outcome: string; odooId?: number; changes?: DraftChange[] }>(),
        );
        const changes = summarizeDraftChanges(done.flatMap((v) => v.changes ?? []));
        const failed = await job.getFailedChildrenValues();
        const outcomes: Record<string, number> = {};
        for (const value of done) outcomes[value.outcome] = (outcomes[value.outcome] ?? 0) + 1;
        if (data.runId !== undefined) {
          await finishFlowRun(data.runId, {
            text: invoiceFlowSummary(data.period, data.units, outcomes, changes),
            counts: invoiceCounts(outcomes),
            failed: [
              ...(data.notChosen ?? []).map((f) => ({ kind: 'invoice', ...f })),
              ...Object.entries(failed).map(([id, reason]) => ({
                kind: 'invoice',
                record: id,
                error: reason,
              })),
            ],
            moveIds: done.flatMap((v) => (v.odooId ? [v.odooId] : [])),
          });
        }
        return {
          period: data.period,
          units: data.units,
          outcomes,
          ...(changes.length > 0 ? { changes } : {}),
          failed: Object.entries(failed).map(([id, reason]) => ({ job: id, reason })),
        };
      }
      default: {
        // A kind of work (connector/work/registry.ts): its input checked, its run recorded in RCP → Runs.
        const of = workOfJob(data);
        if (!of) throw new UnrecoverableError(`no kind of work "${data.kind}"`);
        const input = inputOf(of.work, of.input);
        const report = await recorded(job, of.work, input);
        const counted = of.work.counted?.(report) ?? {};
        for (const [kind, counts] of Object.entries(counted.synced ?? {})) metrics.recordSynced(kind, counts);
        if (counted.odooRoundTrips) metrics.odooRoundTrips.inc(counted.odooRoundTrips);
        return of.work.jobResult ? of.work.jobResult(report) : report;
      }
    }
  };

  const worker: Worker<JobData> = new Worker<JobData>(
    queueName,
    async (job, token): Promise<unknown> => {
      const started = Date.now();
      options.log.info({ job: job.id, kind: job.data.kind, attempt: job.attemptsMade + 1 }, 'job started');
      const lock = lockOf(job.data);
      try {
        const result: unknown = lock
          ? await withLock(
              redis,
              lock,
              lockTtl,
              () => run(job),
              () => !worker.closing && worker.isRunning(),
              // An invoice unit's job is its own holder: taken over with its job after a worker stops.
              job.data.kind === 'invoice-unit' ? job.id : undefined,
            )
          : await run(job);
        options.log.info(
          { job: job.id, kind: job.data.kind, ms: Date.now() - started, result: brief(result) },
          'job done',
        );
        return result;
      } catch (error) {
        if (error instanceof LockBusyError || error instanceof ClaimBusyError) {
          options.log.info(
            { job: job.id, kind: job.data.kind, busy: messageOf(error) },
            'busy elsewhere: tried again later',
          );
          // Another worker runs this process: come back later, without spending an attempt.
          await job.moveToDelayed(Date.now() + (options.busyDelayMs ?? 5_000), token);
          throw new DelayedError();
        }
        if (error instanceof RunRefusedError) await recordRefusal(job, error);
        if (isRcpError(error)) metrics.rcpErrors.inc({ kind: job.data.kind });
        const retry = isRetryable(error) && !(error instanceof UnrecoverableError);
        options.log.warn(
          { job: job.id, kind: job.data.kind, ms: Date.now() - started, error: messageOf(error), retry },
          'job failed',
        );
        if (retry || error instanceof UnrecoverableError) throw error;
        throw new UnrecoverableError(messageOf(error));
      }
    },
    {
      connection,
      concurrency: options.concurrency ?? 2,
      lockDuration: options.lockDurationMs ?? 20_000,
      stalledInterval: options.stalledIntervalMs ?? 10_000,
      maxStalledCount: 3,
    },
  );
  worker.on('completed', (job) => {
    metrics.jobsFinished.inc({ kind: job.data.kind, state: 'completed' });
    void writeFlowProgress(job);
  });
  worker.on('failed', (job) => {
    if (job) metrics.jobsFinished.inc({ kind: job.data.kind, state: 'failed' });
    if (job) void writeFlowProgress(job);
  });
  worker.on('error', onError);

  return {
    queue,
    redis,
    worker,
    metrics,
    close: async () => {
      // With Redis away, a graceful close waits for it without end (and jobs in hand cannot report
      // anyway): the connections are dropped instead, and the jobs' locks expire for another worker.
      const away = redis.status !== 'ready';
      await worker.close(away);
      if (away) {
        // BullMQ's own disconnect() waits for an 'end' that a reconnecting client never reaches.
        for (const client of await Promise.all([flows.client, queue.client])) client.disconnect();
      } else {
        await flows.close();
        await queue.close();
      }
      await options.processes.close();
      redis.disconnect();
    },
  };
}

/** An invoice whose claim in Odoo another live run holds: the job waits and tries again. */
class ClaimBusyError extends Error {}

function brief(result: unknown): unknown {
  const text = JSON.stringify(result) ?? '';
  return text.length > 500 ? `${text.slice(0, 497)}...` : result;
}

/** The summary of a queued invoice run: how many counterparties, and how many of each outcome. */
export function invoiceFlowSummary(
  period: string,
  units: number,
  outcomes: Record<string, number>,
  changes: readonly string[] = [],
): string {
  const counted = Object.entries(outcomes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, n]) => `${outcome}: ${n}`);
  return [
    `invoices for ${period}: ${units} invoiced counterpart${units === 1 ? 'y' : 'ies'}`,
    ...counted,
    ...(changes.length > 0
      ? [
          '',
          'Existing drafts changed because a setting changed (.env or environment):',
          ...changes.map((c) => `  ${c}`),
        ]
      : []),
  ].join('\n');
}
