import { startWorkerHttp } from '../../jobs/http.ts';
import { withLock } from '../../jobs/lock.ts';
import { startPoller } from '../../jobs/poller.ts';
import { realProcesses } from '../../jobs/processes.ts';
import { applySchedules } from '../../jobs/schedules.ts';
import { createRunner } from '../../jobs/worker.ts';
import { ConfigError } from '../errors.ts';
import { probeRedis, redisProblem } from '../redis.ts';
import { type CommandContext, EXIT } from './context.ts';

/** The worker: schedules, jobs, and its HTTP side, until SIGTERM or SIGINT (then it finishes the jobs in hand). */
export async function runWorker(ctx: CommandContext): Promise<number> {
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
  ctx.out.result(
    { started: true, schedules, port: config.worker.port },
    `Worker started. Schedules: ${schedules.join('; ') || 'none'}. Runs requested in Odoo (RCP → Runs) polled every ${config.worker.pollSeconds} s. Health and metrics on ${config.worker.host}:${config.worker.port}.`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  ctx.log.info('worker stopping: finishing the jobs and the run in hand');
  await poller.stop();
  http.closeAllConnections();
  http.close();
  await runner.close();
  return EXIT.done;
}
