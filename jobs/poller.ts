/**
 * The worker's door to RCP → Runs: every ODOO_POLL_SECONDS it asks Odoo for a requested run (no
 * inbound connection from Odoo is needed), claims it in one Odoo transaction, runs the same process
 * function the CLI calls, and writes the progress and the outcome back on the run.
 */
import { hostname } from 'node:os';
import { describeInvoices } from '../connector/cli/invoice.ts';
import { describeSync } from '../connector/cli/sync.ts';
import type { ProcessDeps } from '../connector/deps.ts';
import { RunRefusedError, WorkspaceMissingError, messageOf } from '../connector/errors.ts';
import type { Logger } from '../connector/log.ts';
import type { OdooClient } from '../connector/odoo/client.ts';
import { invoicePeriod } from '../connector/processes/invoice-period.ts';
import { pushPayments } from '../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../connector/processes/reconcile.ts';
import { syncMasterData } from '../connector/processes/sync.ts';
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
  /** The locks the queue's jobs take (sync, payments-push), so a run never overlaps a job. */
  lock?: LockRunner;
  /** While the workspace is missing, polls slow down, doubling up to this (default 60 s). */
  maxBackoffSeconds?: number;
  /** One poll (tests give their own). */
  poll?: (options: PollerOptions) => Promise<number | undefined>;
}

/** The lock a run's process shares with the queue's jobs of the same process (jobs/queues.ts lockOf). */
export function lockOfRun(run: RunRequest): string | undefined {
  if (run.kind === 'sync') return 'sync';
  if (run.kind === 'payments' && !run.dryRun) return 'payments-push';
  return undefined;
}

export const defaultWorkerName = () => `${hostname()}:${process.pid}`;

/** Runs one claimed run's process and answers its outcome (never throws for the process's failure). */
export async function executeRun(deps: ProcessDeps, run: RunRequest): Promise<RunOutcome> {
  const needPeriod = () => {
    if (!run.period || !/^\d{4}-(0[1-9]|1[0-2])$/.test(run.period))
      throw new Error(`a month is needed as YYYY-MM (got "${run.period ?? ''}")`);
    return run.period;
  };
  switch (run.kind) {
    case 'sync': {
      const report = await syncMasterData(deps, { what: 'all', partner: run.partner, dryRun: run.dryRun });
      return { text: describeSync(report), failed: report.failed };
    }
    case 'invoice': {
      const report = await invoicePeriod(deps, {
        period: needPeriod(),
        partner: run.partner,
        client: run.client,
        dryRun: run.dryRun,
      });
      return {
        text: describeInvoices(report),
        failed: report.failed,
        moveIds: report.invoices.flatMap((i) => (i.odooId ? [i.odooId] : [])),
      };
    }
    case 'payments': {
      const report = await pushPayments(deps, { dryRun: run.dryRun });
      const outcomes = new Map<string, number>();
      for (const r of report.results) outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
      const text = [
        `${report.dryRun ? 'Dry run, nothing sent: ' : ''}customer payments since ${report.since}: ${report.results.length} seen`,
        ...[...outcomes].map(([outcome, n]) => `  ${outcome}: ${n}`),
        ...report.results
          .filter((r) => r.outcome !== 'already pushed')
          .map((r) => `  ${r.payment} ${r.counterparty}: ${r.outcome}${r.detail ? ` (${r.detail})` : ''}`),
      ].join('\n');
      return { text, failed: report.failed };
    }
    case 'reconcile': {
      const report = await reconcilePeriod(deps, needPeriod());
      const text = [
        `RCP cost vs Odoo invoices for ${report.period}: ${report.mismatches} mismatch(es) of ${report.rows.length}`,
        ...report.rows
          .filter((r) => !r.ok)
          .map((r) => `  DIFF ${r.counterparty} (${r.kind}): ${r.problem ?? ''}`),
      ].join('\n');
      return { text, failed: report.failed };
    }
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
  const work = () => executeRun({ ...deps, progress: progress.update }, run);
  let outcome: RunOutcome;
  try {
    const key = lockOfRun(run);
    outcome = key && options.lock ? await options.lock(key, work) : await work();
  } catch (error) {
    await progress.stop();
    if (error instanceof LockBusyError) {
      await releaseRun(deps.odoo, run.id, `Waiting: ${error.message}; it starts when that one ends.`);
      options.log.info({ run: run.id, lock: error.key }, 'run waits for its lock');
      return undefined;
    }
    outcome = { failed: [], error: messageOf(error) };
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
