/**
 * RCP runs (`x_rcp_run`) as the accountant sees them in RCP → Runs: a run requested in Odoo is
 * claimed by one worker (one server action, one transaction), its progress and outcome written as it
 * goes; runs started by the CLI or a schedule are recorded the same way (created `running`, then
 * finished). Every value read back from Odoo is checked with zod here, at the edge.
 */
import { z } from 'zod';
import type { FailedRecord, ProcessDeps, ProgressEvent } from '../deps.ts';
import { messageOf } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { runWorkspaceAction } from './actions.ts';
import { ACTION_CLAIM_RUN, ACTION_FINISH_RUN, ACTION_RUN_PROGRESS } from './definition.ts';
import { fullXmlid } from './items.ts';
import { type RUN_COUNTS, RUN_KINDS, RUN_NAMES } from './models.ts';

export type RunKind = (typeof RUN_KINDS)[number];
export type RunTrigger = 'odoo' | 'schedule' | 'cli';

const RcpUuid = z
  .string()
  .regex(/^[0-9a-fA-F-]{36}$/)
  .transform((s) => s.toLowerCase());
/** Odoo answers `false` for an empty field. */
const OptionalText = z
  .union([z.string(), z.literal(false), z.null()])
  .transform((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined));

const ClaimedRunRow = z.object({
  id: z.number().int().positive(),
  kind: z.enum(RUN_KINDS),
  period: OptionalText,
  dry_run: z.boolean(),
  partner: OptionalText,
  client: OptionalText,
  counterparty_kind: z.union([z.enum(['partner', 'client']), z.literal(false)]),
  counterparty_rcp_id: OptionalText,
  /** A Retry failed run: the RCP ids it works on, one a line. */
  only: OptionalText.optional(),
  // "Open month" and "Rewrite edited drafts" (absent from a workspace set up before them).
  open_month: z.boolean().optional(),
  force: z.boolean().optional(),
});

const ClaimAnswer = z.object({
  claimed: z.union([ClaimedRunRow, z.literal(false)]),
  expired: z.array(z.number().int()),
});

/** What a worker needs of a run it claimed. */
export interface RunRequest {
  id: number;
  kind: RunKind;
  period: string | undefined;
  dryRun: boolean;
  /** Only this RCP partner (invoice runs). */
  partner: string | undefined;
  /** Only this RCP client (invoice runs). */
  client: string | undefined;
  /** Only these RCP records (a Retry failed run; kinds that can take a list: RETRY_KINDS). */
  only?: string[] | undefined;
  /** "Open month": invoice the current month (`--allow-open-period`). */
  openMonth?: boolean;
  /** "Rewrite edited drafts" (`--force`). */
  force?: boolean;
}

/** A claimed run's row, with the partner or client it names checked (an RCP uuid, lower case). */
export function runRequestOf(row: z.infer<typeof ClaimedRunRow>): RunRequest {
  const uuid = (value: string | undefined) => (value ? RcpUuid.parse(value) : undefined);
  return {
    id: row.id,
    kind: row.kind,
    period: row.period,
    dryRun: row.dry_run,
    partner: uuid(row.counterparty_kind === 'partner' ? row.counterparty_rcp_id : row.partner),
    client: uuid(row.counterparty_kind === 'client' ? row.counterparty_rcp_id : row.client),
    ...(row.only
      ? {
          only: row.only
            .split(/\s+/)
            .filter(Boolean)
            .map((id) => RcpUuid.parse(id)),
        }
      : {}),
    openMonth: row.open_month ?? false,
    force: row.force ?? false,
  };
}

export interface ClaimResult {
  /** The run this worker now owns (state running), if one was requested. */
  run: RunRequest | undefined;
  /** A claimed run whose row could not be read (bad uuid…): already marked failed. */
  refused: number | undefined;
  /** Runs found running without progress for too long, marked failed by this poll. */
  expired: number[];
}

/**
 * One poll: fails the runs whose worker died, then claims the oldest requested run for `worker`, in
 * ONE Odoo transaction (a server action): two workers never both get it.
 */
export async function claimNextRun(
  odoo: OdooClient,
  worker: string,
  options: { staleSeconds: number; onlyId?: number },
): Promise<ClaimResult> {
  const answer = ClaimAnswer.parse(
    await runWorkspaceAction(odoo, ACTION_CLAIM_RUN, 'x_rcp_run', {
      rcp_run: {
        worker,
        stale_seconds: Math.ceil(options.staleSeconds),
        ...(options.onlyId ? { only_id: options.onlyId } : {}),
      },
    }),
  );
  if (!answer.claimed) return { run: undefined, refused: undefined, expired: answer.expired };
  try {
    return { run: runRequestOf(answer.claimed), refused: undefined, expired: answer.expired };
  } catch (error) {
    await finishRun(odoo, answer.claimed.id, {
      failed: [],
      error: `the run names a partner or client that is not an RCP uuid: ${messageOf(error)}`,
    });
    return { run: undefined, refused: answer.claimed.id, expired: answer.expired };
  }
}

/** Gives a claimed run back (its process is busy elsewhere): the next poll takes it again. */
export async function releaseRun(odoo: OdooClient, id: number, why: string): Promise<void> {
  await odoo.write('x_rcp_run', [id], { x_state: 'requested', x_worker: false, x_summary: why });
}

/** Whether this Odoo has the workspace's runs (setup was run). */
export async function hasRuns(odoo: OdooClient): Promise<boolean> {
  const xmlid = fullXmlid(ACTION_CLAIM_RUN);
  return (await externalIds(odoo).resolve([xmlid])).has(xmlid);
}

/** A run started by the CLI or a schedule, recorded as running by the connector itself. */
export async function startRun(
  odoo: OdooClient,
  run: {
    kind: RunKind;
    trigger: RunTrigger;
    worker: string;
    period?: string | undefined;
    dryRun?: boolean | undefined;
    partner?: string | undefined;
    client?: string | undefined;
  },
): Promise<number> {
  const [id] = await odoo.create('x_rcp_run', [
    {
      x_name: runName(run.kind, run.period),
      x_kind: run.kind,
      x_period: run.period ?? false,
      x_dry_run: run.dryRun ?? false,
      x_partner_filter: run.partner ?? false,
      x_client_filter: run.client ?? false,
      x_state: 'running',
      x_trigger: run.trigger,
      x_worker: run.worker,
      x_started_at: odooNow(),
      x_progress: 0,
    },
  ]);
  return id as number;
}

export function runName(kind: RunKind, period: string | undefined): string {
  const what = RUN_NAMES[kind];
  return period ? `${what} ${period}` : what;
}

/** Odoo's datetime format, UTC. */
export function odooNow(at: Date = new Date()): string {
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

export type RunCounts = Record<(typeof RUN_COUNTS)[number], number>;

export interface RunOutcome {
  /** Counts and other lines of the report, as the CLI prints them. */
  text?: string | undefined;
  failed: FailedRecord[];
  /** Its counts, when its kind has them (sync: records; invoices: counterparties' invoices). */
  counts?: RunCounts | undefined;
  /** Invoices the run wrote (linked from the run). */
  moveIds?: number[] | undefined;
  /** The run stopped on an error (state failed). */
  error?: string | undefined;
}

/** `x_summary`: the counts, then each failed record with its reason, then the error that stopped it. */
export function runSummary(outcome: RunOutcome): string {
  const lines: string[] = [];
  if (outcome.text) lines.push(outcome.text.trimEnd());
  const listed = outcome.text
    ? outcome.failed.filter((f) => !outcome.text?.includes(f.error))
    : outcome.failed;
  if (listed.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(`${outcome.failed.length} record(s) failed:`);
    for (const f of listed) lines.push(`  ${f.record}: ${f.error}`);
  }
  if (outcome.error) {
    if (lines.length > 0) lines.push('');
    lines.push(`Failed: ${outcome.error}`);
  }
  return lines.join('\n');
}

/** What a failed record is in RCP → Runs: its RCP id (the uuid its text names) and Odoo payment, when it has them. */
export interface FailureRow {
  name: string;
  kind: string;
  rcp_id: string | false;
  payment_id: number | false;
  reason: string;
}

const UUID_IN_TEXT = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/**
 * A failed record as a row of the run's Failed records: every process names a counterparty's record
 * as `<kind> <name> (<uuid>)` and a payment's as `payment <name> (<Odoo id>)`; the server action links
 * the uuid to its RCP counterparty (and Odoo company) and the id to its Odoo payment, when they exist.
 */
export function failureRowOf(failed: FailedRecord): FailureRow {
  const uuid = UUID_IN_TEXT.exec(failed.record)?.[0]?.toLowerCase();
  const payment = failed.kind === 'payment' ? /\((\d+)\)\s*$/.exec(failed.record)?.[1] : undefined;
  return {
    name: failed.record,
    kind: failed.kind,
    rcp_id: uuid ?? false,
    payment_id: payment ? Number(payment) : false,
    reason: failed.error,
  };
}

/** How a run ended, in the requester's notification. */
export function endingOf(outcome: RunOutcome): { level: 'success' | 'warning' | 'danger'; word: string } {
  if (outcome.error) return { level: 'danger', word: 'failed' };
  if (outcome.failed.length > 0) return { level: 'warning', word: 'done with failures' };
  return { level: 'success', word: 'done' };
}

/** The notification's text: the counts and failures, or the error that stopped the run. */
export function endingMessage(outcome: RunOutcome): string {
  if (outcome.error) return outcome.error.length > 400 ? `${outcome.error.slice(0, 397)}...` : outcome.error;
  const parts: string[] = [];
  if (outcome.counts)
    parts.push(
      `${outcome.counts.created} created, ${outcome.counts.updated} updated, ${outcome.counts.unchanged} unchanged`,
    );
  parts.push(outcome.failed.length > 0 ? `${outcome.failed.length} record(s) failed` : 'no record failed');
  return `${parts.join('; ')}.`;
}

/**
 * Writes the outcome in ONE Odoo transaction (action_run_finish): done (perhaps with failed records)
 * or failed, its counts, summary, failed records (as records, linked) and invoices; then the requester
 * is told (a chatter note to them and a notification in their open Odoo).
 */
export async function finishRun(odoo: OdooClient, id: number, outcome: RunOutcome): Promise<void> {
  const moves = [...new Set(outcome.moveIds ?? [])];
  const ending = endingOf(outcome);
  await runWorkspaceAction(odoo, ACTION_FINISH_RUN, 'x_rcp_run', {
    rcp_finish: {
      id,
      vals: {
        x_state: outcome.error ? 'failed' : 'done',
        ...(outcome.error ? {} : { x_progress: 100 }),
        x_failed_count: outcome.failed.length,
        x_created_count: outcome.counts?.created ?? 0,
        x_updated_count: outcome.counts?.updated ?? 0,
        x_unchanged_count: outcome.counts?.unchanged ?? 0,
        x_summary: runSummary(outcome),
        x_finished_at: odooNow(),
        ...(moves.length > 0 ? { x_move_ids: [[6, 0, moves]] } : {}),
      },
      failures: outcome.failed.map(failureRowOf),
      ending: ending.word,
      level: ending.level,
      message: endingMessage(outcome),
    },
  });
}

/**
 * Raises a running run's `x_progress` to `percent` in one Odoo transaction (action_run_progress):
 * only upwards and never on a finished run, whatever order the reports of jobs finishing side by
 * side arrive in. Answers whether it was raised.
 */
export async function raiseProgress(odoo: OdooClient, id: number, percent: number): Promise<boolean> {
  const answer = await runWorkspaceAction(odoo, ACTION_RUN_PROGRESS, 'x_rcp_run', {
    rcp_progress: { id, percent },
  });
  return (answer as { raised?: boolean } | undefined)?.raised === true;
}

/**
 * Writes `x_progress` from a process's progress events, at most every `minIntervalMs`, and
 * again every `heartbeatMs` while nothing moves (a run with no progress for long is taken for dead).
 * Writing never fails the run: a lost progress write is logged by the caller's `onError`.
 */
export function progressWriter(
  odoo: OdooClient,
  id: number,
  options: { minIntervalMs?: number; heartbeatMs?: number; onError?: (error: unknown) => void } = {},
): { update(event: ProgressEvent): void; stop(): Promise<void> } {
  const minInterval = options.minIntervalMs ?? 2_000;
  let percent = 0;
  let written = -1;
  let lastWrite = 0;
  let pending: Promise<void> = Promise.resolve();
  const write = () => {
    lastWrite = Date.now();
    const value = percent;
    pending = pending
      .then(() => odoo.write('x_rcp_run', [id], { x_progress: value }))
      .then(() => {
        written = value;
      })
      .catch((error: unknown) => options.onError?.(error));
  };
  const heartbeat = setInterval(write, options.heartbeatMs ?? 60_000);
  heartbeat.unref?.();
  return {
    update(event) {
      // Below 100 while the run is not finished: the outcome writes the 100.
      percent = event.total > 0 ? Math.min(99, Math.floor((event.done / event.total) * 100)) : percent;
      if (percent !== written && Date.now() - lastWrite >= minInterval) write();
    },
    async stop() {
      clearInterval(heartbeat);
      await pending;
    },
  };
}

/**
 * Runs `work` recorded as a run in RCP → Runs (created running by the connector, then finished):
 * how the CLI's and the schedules' runs show where the accountant looks. Without the workspace
 * (setup not run) the work runs unrecorded; a failed record-keeping write never fails the work.
 */
export async function recordedRun<T>(
  deps: ProcessDeps,
  run: Parameters<typeof startRun>[1],
  work: (deps: ProcessDeps) => Promise<T>,
  outcomeOf: (result: T) => RunOutcome,
): Promise<T> {
  let id: number | undefined;
  try {
    if (await hasRuns(deps.odoo)) id = await startRun(deps.odoo, run);
  } catch (error) {
    deps.log.warn({ error: messageOf(error) }, 'the run could not be recorded in Odoo (RCP → Runs)');
  }
  if (id === undefined) return work(deps);
  const runId = id;
  const progress = progressWriter(deps.odoo, runId, {
    onError: (error) => deps.log.warn({ run: runId, error: messageOf(error) }, 'progress not written'),
  });
  const shown = deps.progress;
  const finish = async (outcome: RunOutcome) => {
    await progress.stop();
    await finishRun(deps.odoo, runId, outcome).catch((error: unknown) =>
      deps.log.warn(
        { run: runId, error: messageOf(error) },
        'the run’s outcome could not be written in Odoo',
      ),
    );
  };
  let result: T;
  try {
    result = await work({
      ...deps,
      progress: (event) => {
        shown?.(event);
        progress.update(event);
      },
    });
  } catch (error) {
    await finish({ failed: [], error: messageOf(error) });
    throw error;
  }
  await finish(outcomeOf(result));
  return result;
}
