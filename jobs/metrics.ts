import type { Queue } from 'bullmq';
import { Counter, Gauge, Registry } from 'prom-client';
import type { KindCounts } from '../connector/deps.ts';
import type { JobData } from './queues.ts';

export interface JobsMetrics {
  registry: Registry;
  jobsFinished: Counter<'kind' | 'state'>;
  recordsSynced: Counter<'kind' | 'outcome'>;
  odooRoundTrips: Counter;
  rcpErrors: Counter<'kind'>;
  recordSynced(kind: string, counts: KindCounts): void;
}

/** Prometheus metrics of the worker: jobs by state (read from the queue when scraped), records, round trips. */
export function createMetrics(queue: Queue<JobData>): JobsMetrics {
  const registry = new Registry();
  const jobsFinished = new Counter({
    name: 'rcp_odoo_jobs_finished_total',
    help: 'Jobs finished by this worker',
    labelNames: ['kind', 'state'],
    registers: [registry],
  });
  const recordsSynced = new Counter({
    name: 'rcp_odoo_records_synced_total',
    help: 'Records synced, by kind and outcome',
    labelNames: ['kind', 'outcome'],
    registers: [registry],
  });
  const odooRoundTrips = new Counter({
    name: 'rcp_odoo_odoo_round_trips_total',
    help: 'Odoo round trips made by jobs',
    registers: [registry],
  });
  const rcpErrors = new Counter({
    name: 'rcp_odoo_rcp_errors_total',
    help: 'Jobs failed on an RCP error',
    labelNames: ['kind'],
    registers: [registry],
  });
  new Gauge({
    name: 'rcp_odoo_jobs',
    help: 'Jobs in the queue by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
        'waiting-children',
        'prioritized',
      );
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  return {
    registry,
    jobsFinished,
    recordsSynced,
    odooRoundTrips,
    rcpErrors,
    recordSynced(kind, counts) {
      for (const outcome of ['created', 'updated', 'unchanged', 'failed'] as const)
        recordsSynced.inc({ kind, outcome }, counts[outcome]);
    },
  };
}
