import type { JobsOptions } from 'bullmq';
import type { CounterpartyRef } from '../connector/processes/invoice-period.ts';
import type { SyncWhat } from '../connector/processes/sync.ts';

/**
 * The queue and its jobs. A job's data is small (ids, a period), never a record; its id names the
 * work (`jobIdOf`), so the same work cannot wait or run twice at once. An `invoice-unit` job (a
 * name kept for queued jobs) invoices one invoiced counterparty.
 */
export const QUEUE_NAME = 'rcp-odoo';

export type JobData =
  | { kind: 'sync'; what: SyncWhat; partner?: string | undefined }
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
    }
  | { kind: 'payments-push' }
  | { kind: 'reconcile'; period: string };

/**
 * `sync/all`, `invoice/2023-06/client/<uuid>`, `payments-push`: one piece of work each (BullMQ
 * refuses `:` in job ids, hence the slashes).
 */
export function jobIdOf(data: JobData): string {
  switch (data.kind) {
    case 'sync':
      return `sync/${data.what}${data.partner ? `/partner/${data.partner}` : ''}`;
    case 'invoice':
      return `invoice/${data.period}${data.partner ? `/partner/${data.partner}` : ''}${data.client ? `/client/${data.client}` : ''}`;
    case 'invoice-unit':
      return `invoice/${data.period}/${data.unit.kind}/${data.unit.uuid}`;
    case 'invoice-report':
      return `invoice-report/${data.period}`;
    case 'payments-push':
      return 'payments-push';
    case 'reconcile':
      return `reconcile/${data.period}`;
  }
}

/**
 * Processes that must never overlap, whatever job started them (a schedule or a person): the
 * payments push (RCP's calls are not idempotent) and the sync (two would race on the same records).
 */
export function lockOf(data: JobData): string | undefined {
  if (data.kind === 'payments-push') return 'payments-push';
  if (data.kind === 'sync') return 'sync';
  if (data.kind === 'invoice-unit') return jobIdOf(data);
  return undefined;
}

/** Retries for retryable failures only (the worker fails the others at once), with exponential backoff. */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 15_000 },
  // Finished jobs stay a week (their results are the run's report); enqueueing a finished job again replaces it.
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: false,
};
