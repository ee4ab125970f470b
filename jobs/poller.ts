/**
 * The worker's door to RCP → Runs: every ODOO_POLL_SECONDS it asks Odoo for a requested run (no
 * inbound connection from Odoo is needed), claims it in one Odoo transaction, runs the same process
 * function the CLI calls, and writes the progress and the outcome back on the run.
 */
import { hostname } from 'node:os';
import type { ProcessDeps } from '../connector/deps.ts';
import { RunRefusedError, WorkspaceMissingError, messageOf } from '../connector/errors.ts';
import type { Logger } from '../connector/log.ts';
import type { OdooClient } from '../connector/odoo/client.ts';
import { workOfRun } from '../connector/work/registry.ts';
import { type AnyWork, inputOf, outcomeOf } from '../connector/work/work.ts';
import {
  type RunOutcome,
  type RunRequest,
  claimNextRun,
  finishRun,
  progressWriter,
  releaseRun,
} from '../connector/workspace/runs.ts';
import { LockBusyError } from './lock.ts';

/** Runs `work` holding the lock `key` (the worker's Redis lock), or throws LockBusyError. */
export type LockRunner = <T>(key: string, work: () => Promise<T>) => Promise<T>;

export interface PollerOptions {
  /**
   * The connector's deps (its Odoo user, RCP) with the configuration as it is now, read for each
   * poll; connections kept open across polls. Throws ConfigError when the configuration is invalid.
   */
  deps: () => Promise<ProcessDeps>;
  /** The Odoo connection last opened: where a run is refused while the configuration is invalid. */
  lastOdoo?: () => Promise<OdooClient | undefined>;
  log: Logger;
  /** This worker's name on the runs it claims. */
  worker?: string;
  pollSeconds: number;
  /** A run `running` without a progress write for this long is marked failed (its worker died). */
  staleSeconds: number;
  /** How often a run in progress says it is alive (a progress write). */
  heartbeatSeconds?: number;
  /** Takes the locks the queue's jobs take (connector/work: each kind's `lock`), so a run never overlaps a job. */
  lock?: LockRunner;
  /** While the workspace is missing, polls slow down, doubling up to this (default 60 s). */
  maxBackoffSeconds?: number;
  /** One poll (tests give their own). */
  poll?: (options: PollerOptions) => Promise<number | undefined>;
}

export const defaultWorkerName = () => `${hostname()}:${process.pid}`;

/** The kind of work a claimed run asks for (connector/work/registry.ts), and its input checked. */
export function requestedWork(run: RunRequest): { work: AnyWork; input: unknown } {
  const work = workOfRun(run.kind);
  if (!work?.fromRun) throw new Error(`no kind of work runs "${run.kind}"`);
  return { work, input: inputOf(work, work.fromRun(run)) };
}

/**
 * Runs one claimed run's process and answers its outcome, holding the lock its kind of work holds
 * whoever started it (the queue's jobs hold the same). Throws LockBusyError; a failed process is an
 * outcome.
 */
export async function executeRun(deps: ProcessDeps, run: RunRequest, lock?: LockRunner): Promise<RunOutcome> {
  try {
    const { work, input } = requestedWork(run);
    const key = work.lock?.(input);
    const go = async () => outcomeOf(work, await work.run(deps, input), input);
    return key && lock ? await lock(key, go) : await go();
  } catch (error) {
    if (error instanceof LockBusyError) throw error;
    return { failed: [], error: messageOf(error) };
  }
}

/**
 * One poll: claims at most one requested run and runs it to its end. Answers the run's id, or
 * undefined when none was waiting (or it went back to wait for its lock).
 */
export async function pollOnce(options: PollerOptions): Promise<number | undefined> {
  const worker = options.worker ?? defaultWorkerName();
  let deps: ProcessDeps;
  try {
    deps = await options.deps();
  } catch (error) {
    // The configuration (read for each run, as the CLI would now) is invalid: the requested runs are
    // refused with its reasons, through the connection last opened, rather than run on old settings.
    const odoo = error instanceof RunRefusedError ? await options.lastOdoo?.() : undefined;
    if (!odoo || !(error instanceof RunRefusedError)) throw error;
    return refuseNextRun(odoo, worker, options, error);
  }
  const claim = await claimNextRun(deps.odoo, worker, { staleSeconds: options.staleSeconds });
  for (const id of claim.expired)
    options.log.warn({ run: id }, 'run marked failed: its worker stopped without finishing');
  const run = claim.run;
  if (!run) return claim.refused;
  options.log.info({ run: run.id, kind: run.kind, period: run.period, dryRun: run.dryRun }, 'run started');
  const progress = progressWriter(deps.odoo, run.id, {
    heartbeatMs: (options.heartbeatSeconds ?? 60) * 1000,
    onError: (error) => options.log.warn({ run: run.id, error: messageOf(error) }, 'progress not written'),
  });
  let outcome: RunOutcome;
  try {
    outcome = await executeRun({ ...deps, progress: progress.update }, run, options.lock);
  } catch (error) {
    await progress.stop();
    if (!(error instanceof LockBusyError)) throw error;
    await releaseRun(deps.odoo, run.id, `Waiting: ${error.message}; it starts when that one ends.`);
    options.log.info({ run: run.id, lock: error.key }, 'run waits for its lock');
    return undefined;
  }
  await progress.stop();
  await finishRun(deps.odoo, run.id, outcome);
  options.log.info(
    { run: run.id, kind: run.kind, failed: outcome.failed.length, error: outcome.error },
    outcome.error ? 'run failed' : 'run done',
  );
  return run.id;
}

let lastRefusal: string | undefined;

/** Claims the next requested run and fails it at once with the configuration's problems. */
async function refuseNextRun(
  odoo: OdooClient,
  worker: string,
  options: PollerOptions,
  problem: RunRefusedError,
): Promise<number | undefined> {
  const claim = await claimNextRun(odoo, worker, { staleSeconds: options.staleSeconds });
  const run = claim.run;
  if (!run) {
    // Said once per problem, not at every poll.
    if (lastRefusal !== problem.message)
      options.log.warn({ error: problem.message }, 'the configuration is not valid now: runs are refused');
    lastRefusal = problem.message;
    return claim.refused;
  }
  const error = problem.message;
  await finishRun(odoo, run.id, { failed: [], error });
  options.log.warn({ run: run.id, kind: run.kind, error }, 'run refused');
  return run.id;
}

export interface Poller {
  /** Stops polling and waits for the run in hand to finish. */
  stop(): Promise<void>;
}

/**
 * Polls every `pollSeconds` (at once after a run, while runs wait); a failed poll is logged, never
 * fatal. While the workspace is missing (setup not run yet) it says so once and polls less often,
 * the wait doubling up to `maxBackoffSeconds`; the first poll that finds it says so and goes back to
 * the normal pace.
 */
export function startPoller(options: PollerOptions): Poller {
  const poll = options.poll ?? pollOnce;
  const maxBackoff = Math.max(options.pollSeconds, options.maxBackoffSeconds ?? 60);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<void> = Promise.resolve();
  /** Seconds to the next poll while the workspace is missing; undefined while it is there. */
  let backoff: number | undefined;
  const tick = () => {
    current = (async () => {
      let again = false;
      try {
        again = (await poll(options)) !== undefined;
        if (backoff !== undefined) {
          options.log.info(
            { pollSeconds: options.pollSeconds },
            'the RCP workspace is set up now: polling for runs again',
          );
          backoff = undefined;
        }
      } catch (error) {
        if (error instanceof WorkspaceMissingError) {
          if (backoff === undefined) {
            options.log.warn(
              { error: error.message, maxBackoffSeconds: maxBackoff },
              'the RCP workspace is missing in Odoo: polling for runs less often until it is set up',
            );
          }
          backoff = Math.min(maxBackoff, (backoff ?? options.pollSeconds) * 2);
        } else {
          options.log.warn({ error: messageOf(error) }, 'polling Odoo for runs failed');
        }
      }
      const wait = again ? 0 : (backoff ?? options.pollSeconds);
      if (!stopped) timer = setTimeout(tick, wait * 1000);
    })();
  };
  tick();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
