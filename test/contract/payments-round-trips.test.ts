import { describe, expect, it } from 'vitest';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments, readPaymentLedger } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { startStack } from '../support/stack.ts';

describe('payments push round trips (simulator and the Odoo 18 double)', () => {
  it('a handful of Odoo round trips, not three per payment: intents are committed together before their RCP calls, outcomes with the next intents; every pushed payment has its ledger entry and its chatter note', async () => {
    const { sim, double, deps } = await startStack(
      '18',
      { clients: 20, partners: 2 },
      { PAYMENTS_SINCE: '2024-01-01' },
    );
    await syncMasterData(deps, { what: 'all' });
    const invoices = await invoicePeriod(deps, { period: '2024-05' });
    const paid = invoices.invoices.flatMap((i) => (i.odooId ? [i.odooId] : [])).slice(0, 8);
    expect(paid).toHaveLength(8);
    for (const id of paid) {
      await deps.odoo.callOn('account.move', 'action_post', [id]);
      const context = { active_model: 'account.move', active_ids: [id] };
      const [wizard] = await deps.odoo.create('account.payment.register', [{}], context);
      await deps.odoo.callOn(
        'account.payment.register',
        'action_create_payments',
        [wizard ?? 0],
        undefined,
        context,
      );
    }

    const report = await pushPayments(deps);
    const pushed = report.results.filter((r) => r.outcome === 'pushed');
    expect(pushed).toHaveLength(8);
    expect(sim.payments.length + sim.corrections.length).toBe(8);
    // Reads before the loop (the payments counted for the progress, the payers' RCP cards among
    // them, the ledger's payments outside the run), one load of the intents, the outcomes and the
    // notes after it.
    expect(report.odooRoundTrips).toBeLessThanOrEqual(15);

    const ledger = await readPaymentLedger(deps.odoo);
    expect(pushed.map((r) => ledger.get(r.paymentId)?.state)).toEqual(pushed.map(() => 'pushed'));
    const notes = double
      .records('mail.message')
      .filter((m) => m.model === 'account.payment' && String(m.body).includes('Отправлено в RCP'));
    expect(notes.map((m) => m.res_id).sort()).toEqual(pushed.map((r) => r.paymentId).sort());

    const again = await pushPayments(deps);
    expect(again.results.every((r) => r.outcome === 'already pushed')).toBe(true);
    expect(sim.payments.length + sim.corrections.length).toBe(8);
  });
});
