import type { JobsOptions } from 'bullmq';
import type { CounterpartyRef } from '../connector/processes/invoice-period.ts';
import { type WORK, type WorkName, workNamed } from '../connector/work/registry.ts';
import type { AnyWork, InputOf } from '../connector/work/work.ts';

/**
 * The queue and its jobs. A job's data is small (ids, a period), never a record; its id names the
 * work (`jobIdOf`), so the same work cannot wait or run twice at once. An `invoice-unit` job (a
 * name kept for queued jobs) invoices one invoiced counterparty.
 */
export const QUEUE_NAME = 'rcp-odoo';

/** A job of a kind of work (connector/work/registry.ts): its name as `kind`, and its input. */
type WorkJob = {
  [K in WorkName]: { kind: K } & InputOf<(typeof WORK)[K]>;
}[Exclude<WorkName, 'invoice'>];

export type JobData =
  | WorkJob
  /** Plans a period's invoices: one child job per counterparty under a report job. `previous` = last month. */
  | {
      kind: 'invoice';
      period: string | 'previous';
      partner?: string | undefined;
      client?: string | undefined;
      /** Also rewrite drafts an accountant changed in Odoo since the connector wrote them. */
      force?: boolean | undefined;
      /** The current or a future month, on purpose (`--allow-open-period`). */
      allowOpenPeriod?: boolean | undefined;
    }
  | {
      kind: 'invoice-unit';
      period: string;
      unit: CounterpartyRef;
      force?: boolean | undefined;
      /** The flow's run in RCP → Runs and its number of units: its progress as units finish. */
      run?: { id: number; units: number } | undefined;
    }
  | {
      kind: 'invoice-report';
      period: string;
      units: number;
      /** The run in RCP → Runs this flow finishes (set when the workspace is there). */
      runId?: number | undefined;
      /** Counterparties that could not be chosen (their inputs failed), for the run's summary. */
      notChosen?: Array<{ record: string; error: string }> | undefined;
    };

/** A job's kind of work and its input, for the jobs that are one (not the invoice flow's parts). */
export function workOfJob(data: JobData): { work: AnyWork; input: unknown } | undefined {
  if (data.kind === 'invoice-unit' || data.kind === 'invoice-report') return undefined;
  const work = workNamed(data.kind);
  if (!work) return undefined;
  const { kind: _kind, ...input } = data;
  return { work, input };
}

/**
 * `sync/all`, `invoice/2023-06/client/<uuid>`, `payments-push`: one piece of work each (BullMQ
 * refuses `:` in job ids, hence the slashes). Each kind of work names its own (connector/work).
 */
export function jobIdOf(data: JobData): string {
  if (data.kind === 'invoice-unit') return `invoice/${data.period}/${data.unit.kind}/${data.unit.uuid}`;
  if (data.kind === 'invoice-report') return `invoice-report/${data.period}`;
  const of = workOfJob(data);
  if (!of?.work.jobId) throw new Error(`${data.kind} does not run as a job`);
  return of.work.jobId(of.input);
}

/**
 * The one lock table: the lock a job holds whatever started it (a schedule, `enqueue`, a run
 * requested in RCP → Runs): each kind of work's own (connector/work: the sync, the payments push),
 * and an invoice unit's job its own.
 */
export function lockOf(data: JobData): string | undefined {
  if (data.kind === 'invoice-unit') return jobIdOf(data);
  const of = workOfJob(data);
  return of?.work.lock?.(of.input);
}

/** Retries for retryable failures only (the worker fails the others at once), with exponential backoff. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 15_000 },
  // Finished jobs stay a week (their results are the run's report); enqueueing a finished job again replaces it.
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: false,
};
