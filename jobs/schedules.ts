import type { Queue } from 'bullmq';
import type { Schedules } from '../connector/config.ts';
import { JOB_OPTIONS, type JobData } from './queues.ts';

/** The schedules of the daily and monthly jobs (sync, payments push, invoices), by cron expression in one time zone. */
export const SCHEDULED: ReadonlyArray<{ id: string; key: keyof Omit<Schedules, 'timezone'>; data: JobData }> =
  [
    { id: 'schedule-sync', key: 'sync', data: { kind: 'sync', what: 'all' } },
    { id: 'schedule-payments', key: 'payments', data: { kind: 'payments-push' } },
    { id: 'schedule-invoices', key: 'invoices', data: { kind: 'invoice', period: 'previous' } },
  ];

/** Puts the configured schedules on the queue (replacing earlier ones) and removes those switched off. */
export async function applySchedules(queue: Queue<JobData>, schedules: Schedules): Promise<string[]> {
  const active: string[] = [];
  for (const { id, key, data } of SCHEDULED) {
    const pattern = schedules[key];
    if (!pattern) {
      await queue.removeJobScheduler(id);
      continue;
    }
    await queue.upsertJobScheduler(
      id,
      { pattern, tz: schedules.timezone },
      { name: data.kind, data, opts: JOB_OPTIONS },
    );
    active.push(`${key} "${pattern}" (${schedules.timezone})`);
  }
  return active;
}
