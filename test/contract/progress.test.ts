import { describe, expect, it } from 'vitest';
import type { ProcessDeps, ProgressEvent } from '../../connector/deps.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { startStack } from '../support/stack.ts';

/** Deps that record every progress event, by phase. */
function listening(deps: ProcessDeps): { deps: ProcessDeps; phases: Map<string, ProgressEvent[]> } {
  const phases = new Map<string, ProgressEvent[]>();
  return {
    phases,
    deps: {
      ...deps,
      progress: (event) => phases.set(event.phase, [...(phases.get(event.phase) ?? []), event]),
    },
  };
}

/** Each phase counts up, never past its total, and ends at it. */
function expectMonotoneToTotal(events: ProgressEvent[] | undefined, total: number) {
  expect(events?.length).toBeGreaterThan(0);
  const dones = (events ?? []).map((e) => e.done);
  expect(dones).toEqual([...dones].sort((a, b) => a - b));
  expect((events ?? []).every((e) => e.total === total && e.done <= total)).toBe(true);
  expect(dones.at(-1)).toBe(total);
}

describe('progress of long work (simulator and the Odoo 18 double)', () => {
  it('sync, invoice and payments push report progress that counts up to the number of records', async () => {
    const stack = await startStack(
      '18',
      { clients: 30, partners: 3 },
      { ODOO_BATCH_SIZE: '4', PAYMENTS_SINCE: '2024-01-01' },
    );
    const sync = listening(stack.deps);
    const synced = await syncMasterData(sync.deps, { what: 'all' });
    expect(synced.failed).toEqual([]);
    expectMonotoneToTotal(sync.phases.get('clients'), 30);
    expectMonotoneToTotal(sync.phases.get('partners'), 3);
    // Batches of 4: the bar moves several times while 30 clients are written.
    expect(new Set(sync.phases.get('clients')?.map((e) => e.done)).size).toBeGreaterThan(5);

    const invoice = listening(stack.deps);
    const report = await invoicePeriod(invoice.deps, { period: '2024-05' });
    expectMonotoneToTotal(invoice.phases.get('usage'), 30);
    expectMonotoneToTotal(invoice.phases.get('invoices'), report.invoices.length);

    const paid = report.invoices.flatMap((i) => (i.odooId ? [i.odooId] : [])).slice(0, 3);
    for (const id of paid) {
      await stack.deps.odoo.callOn('account.move', 'action_post', [id]);
      const context = { active_model: 'account.move', active_ids: [id] };
      const [wizard] = await stack.deps.odoo.create('account.payment.register', [{}], context);
      await stack.deps.odoo.callOn(
        'account.payment.register',
        'action_create_payments',
        [wizard ?? 0],
        undefined,
        context,
      );
    }
    const push = listening(stack.deps);
    const pushed = await pushPayments(push.deps);
    expect(pushed.results.filter((r) => r.outcome === 'pushed')).toHaveLength(3);
    expectMonotoneToTotal(push.phases.get('payments'), 3);
  });
});
