import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import { invoiceCounterparty, listCounterparties } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import type { Processes } from '../../jobs/processes.ts';
import type { JobData } from '../../jobs/queues.ts';
import { type Runner, createRunner, enqueueJob } from '../../jobs/worker.ts';
import { startStack } from '../support/stack.ts';

const redisUrl = inject('redisUrl');
const runners: Runner[] = [];
const queues: Queue[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((r) => r.close()));
  await Promise.all(
    queues.splice(0).map(async (q) => {
      await q.obliterate({ force: true }).catch(() => undefined);
      await q.close();
    }),
  );
});

async function finished(queue: Queue<JobData>, id: string) {
  const end = Date.now() + 20_000;
  for (;;) {
    const state = await (await queue.getJob(id))?.getState();
    // Read the job again once it has ended: a copy read just before holds no failedReason yet.
    const job = state === 'completed' || state === 'failed' ? await queue.getJob(id) : undefined;
    if (job && state) return { job, state };
    if (Date.now() > end) throw new Error(`job ${id} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('money safety in the worker (real Redis, the simulator and the Odoo double)', () => {
  it('an open month is refused unless the job says --allow-open-period; --partner chooses as the CLI does', async () => {
    const { sim, deps } = await startStack('18', { clients: 12, partners: 3 });
    await syncMasterData(deps, { what: 'all' });
    const chosen: string[][] = [];
    const processes: Processes = {
      run: async () => Promise.reject(new Error('not used')),
      listCounterparties: async (period, filter) => {
        const result = await listCounterparties(deps, period, filter);
        chosen.push(result.units.map((u) => u.uuid).sort());
        return { units: [], failed: result.failed };
      },
      invoiceCounterparty: async () => Promise.reject(new Error('not used')),
      health: async () => ({ rcp: true, odoo: true }),
      close: async () => {},
    };
    const name = `q-${randomUUID()}`;
    runners.push(createRunner({ redisUrl, processes, log: silentLogger, queueName: name }));
    const queue = new Queue<JobData>(name, { connection: { url: redisUrl, maxRetriesPerRequest: null } });
    queues.push(queue);
    const month = new Date().toISOString().slice(0, 7);

    const refused = await enqueueJob(queue, { kind: 'invoice', period: month });
    const first = await finished(queue, refused.id);
    expect(first.state).toBe('failed');
    expect(first.job.failedReason).toContain('--allow-open-period');
    await first.job.remove();

    const own = sim.world.partners[0]?.id ?? '';
    const allowed = await enqueueJob(queue, {
      kind: 'invoice',
      period: month,
      partner: own,
      allowOpenPeriod: true,
    });
    expect((await finished(queue, allowed.id)).state).toBe('completed');
    const cli = await listCounterparties(deps, '2024-05', { partner: own });
    expect(chosen).toEqual([cli.units.map((u) => u.uuid).sort()]);
    expect(cli.units.every((u) => u.kind === 'client')).toBe(true);
  });

  it('a reseller’s own job holds its invoice back when one of its clients cannot be read', async () => {
    const { sim, double, deps } = await startStack('18', { clients: 12, partners: 3 });
    await syncMasterData(deps, { what: 'all' });
    const reseller = sim.world.partners[1];
    const client = sim.world.order
      .map((i) => sim.world.client(i))
      .find((c) => c.partner.id === reseller?.id) as SimClient;
    sim.faults.update({ records: [{ id: client.id, fault: 'contract-unreadable' }] });
    const report = await invoiceCounterparty(deps, '2024-05', {
      kind: 'partner',
      uuid: reseller?.id ?? '',
      name: reseller?.name ?? '',
      paymentModel: 'postpay',
    });
    expect(report.invoices.map((i) => i.outcome)).toEqual(['failed']);
    expect(report.failed[0]?.error).toContain(`client ${client.id}: contract.billing_plan`);
    expect(double.records('account.move')).toHaveLength(0);
  });
});
