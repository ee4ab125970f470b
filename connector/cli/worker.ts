/**
 * `rcp-odoo worker`: the schedules, the queue's jobs, the runs requested in RCP → Runs and its HTTP
 * side (health, metrics, dashboard), until SIGTERM or SIGINT (then it finishes the jobs in hand).
 * It serves until stopped: its summary is said once it serves.
 */
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { CliCommand } from './command.ts';

interface WorkerStarted {
  started: true;
  schedules: string[];
  port: number;
  host: string;
  pollSeconds: number;
}

export const worker: CliCommand<Record<string, never>, WorkerStarted> = {
  name: 'worker',
  input: z.object({}).strict(),
  command: {
    words: ['worker'],
    description: 'the BullMQ worker with the schedules (needs REDIS_URL)',
    example: 'worker',
  },
  run: async (ctx, _input, started) => {
    const { startWorkerHttp } = await import('../../jobs/http.ts');
    const { withLock } = await import('../../jobs/lock.ts');
    const { startPoller } = await import('../../jobs/poller.ts');
    const { realProcesses } = await import('../../jobs/processes.ts');
    const { applySchedules } = await import('../../jobs/schedules.ts');
    const { createRunner } = await import('../../jobs/worker.ts');
    const { probeRedis, redisProblem } = await import('../redis.ts');
    const config = ctx.config(['rcp', 'odoo', 'redis']);
    const redisUrl = config.redisUrl;
    // A wrong password is configuration (exit 2); Redis away is waited for, one line per retry.
    const probe = await probeRedis(redisUrl);
    if (probe.state === 'refused') throw new ConfigError([redisProblem(redisUrl, probe)]);
    // Each run reads the configuration again, as a command started now would (ctx.config).
    const processes = realProcesses((needs) => ctx.config(needs), ctx.log);
    const runner = createRunner({ redisUrl, processes, log: ctx.log, timezone: config.schedules.timezone });
    const schedules = await applySchedules(runner.queue, config.schedules);
    const redis = runner.redis;
    // RCP → Runs: requested runs are claimed from Odoo; they share the queue's locks (sync, payments push).
    const poller = startPoller({
      deps: () => processes.deps(),
      lastOdoo: () => processes.lastOdoo(),
      log: ctx.log,
      pollSeconds: config.worker.pollSeconds,
      staleSeconds: config.worker.runStaleSeconds,
      lock: (key, work) => withLock(redis, key, 60_000, work),
    });
    const http = await startWorkerHttp({
      port: config.worker.port,
      host: config.worker.host,
      runner,
      redis,
      processes,
      dashboardToken: config.worker.dashboardToken,
    });
    ctx.log.info(
      { schedules, port: config.worker.port, dashboard: Boolean(config.worker.dashboardToken) },
      'worker started',
    );
    const report: WorkerStarted = {
      started: true,
      schedules,
      port: config.worker.port,
      host: config.worker.host,
      pollSeconds: config.worker.pollSeconds,
    };
    started(report);
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', resolve);
      process.once('SIGINT', resolve);
    });
    ctx.log.info('worker stopping: finishing the jobs and the run in hand');
    await poller.stop();
    http.closeAllConnections();
    http.close();
    await runner.close();
    return report;
  },
  summary: (r) =>
    `Worker started. Schedules: ${r.schedules.join('; ') || 'none'}. Runs requested in Odoo (RCP → Runs) polled every ${r.pollSeconds} s. Health and metrics on ${r.host}:${r.port}.`,
  json: (r) => ({ started: r.started, schedules: r.schedules, port: r.port }),
};
