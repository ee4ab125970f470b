import { describe, expect, it } from 'vitest';
import type { OdooClient } from '../../connector/odoo/client.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments, resolvePayment } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { VERSIONS } from '../support/odoo.ts';
import { type Stack, startStack } from '../support/stack.ts';

/** What the accountant does in Odoo: post the invoice and register its payment. */
async function payInvoice(
  odoo: OdooClient,
  moveId: number,
  options: { amount?: number; date?: string } = {},
): Promise<number> {
  await odoo.callOn('account.move', 'action_post', [moveId]);
  const context = { active_model: 'account.move', active_ids: [moveId] };
  const [wizard] = await odoo.create(
    'account.payment.register',
    [
      {
        ...(options.date ? { payment_date: options.date } : {}),
        ...(options.amount ? { amount: options.amount } : {}),
      },
    ],
    context,
  );
  const action = await odoo.callOn<{ res_id: number }>(
    'account.payment.register',
    'action_create_payments',
    [wizard ?? 0],
    undefined,
    context,
  );
  return action.res_id;
}

/** A stack with synced master data and invoices for May 2024; the invoices of a direct client and a reseller. */
async function invoiced(version: '17' | '18' | '19', simOptions = {}) {
  const stack = await startStack(
    version,
    { clients: 6, partners: 2, ...simOptions },
    { PAYMENTS_SINCE: '2024-01-01' },
  );
  await syncMasterData(stack.deps, { what: 'all' });
  const report = await invoicePeriod(stack.deps, { period: '2024-05' });
  const direct = report.invoices.find((i) => i.kind === 'client' && i.odooId);
  const reseller = report.invoices.find((i) => i.kind === 'partner' && i.odooId);
  if (!direct?.odooId || !reseller?.odooId) throw new Error('the world has no invoices to pay');
  return {
    ...stack,
    direct: { ...direct, odooId: direct.odooId },
    reseller: { ...reseller, odooId: reseller.odooId },
  };
}

const resultOf = (report: Awaited<ReturnType<typeof pushPayments>>, paymentId: number) =>
  report.results.find((r) => r.paymentId === paymentId);

describe.each(VERSIONS)('payments push on the Odoo %s double', (version) => {
  it('a client payment and a partner payment are each credited once with the right amount; a second run sends nothing', async () => {
    const { sim, deps, direct, reseller } = await invoiced(version);
    const clientPayment = await payInvoice(deps.odoo, direct.odooId);
    const partnerPayment = await payInvoice(deps.odoo, reseller.odooId);
    const partnerBalance = sim.world.partnerById(reseller.uuid)?.balanceKopecks ?? 0;

    const first = await pushPayments(deps);
    expect(first.failed).toEqual([]);
    expect(resultOf(first, clientPayment)?.outcome).toBe('pushed');
    expect(resultOf(first, partnerPayment)?.outcome).toBe('pushed');
    expect(sim.payments).toEqual([
      expect.objectContaining({
        client: direct.uuid,
        amount: direct.totalKopecks / 100,
        details: expect.stringContaining(`#${clientPayment}`),
      }),
    ]);
    expect(sim.corrections).toEqual([
      expect.objectContaining({ partner: reseller.uuid, amount: reseller.totalKopecks / 100 }),
    ]);
    expect((sim.world.partnerById(reseller.uuid)?.balanceKopecks ?? 0) - partnerBalance).toBe(
      reseller.totalKopecks,
    );

    const second = await pushPayments(deps);
    expect(second.results.every((r) => r.outcome === 'already pushed')).toBe(true);
    expect(sim.payments).toHaveLength(1);
    expect(sim.corrections).toHaveLength(1);
  });

  it('a payment dated before PAYMENTS_SINCE is never sent', async () => {
    const { sim, deps, direct } = await invoiced(version);
    const old = await payInvoice(deps.odoo, direct.odooId, { date: '2023-12-31' });
    const report = await pushPayments(deps);
    expect(resultOf(report, old)).toBeUndefined();
    expect(sim.payments).toEqual([]);
  });

  it('a crash after the RCP call and before completion leaves "needs review"; re-runs send nothing until resolved', async () => {
    const { sim, double, deps, direct, reconnect } = await invoiced(version);
    const payment = await payInvoice(deps.odoo, direct.odooId);
    // The completion write is lost every time: as if the connector died right after RCP answered.
    double.failWhen(
      (call) => call.model === 'ir.actions.server' && call.body.includes('"x_state":"pushed"'),
      'drop',
      1,
    );
    await expect(pushPayments(deps)).rejects.toThrow();
    expect(sim.payments).toHaveLength(1);

    const fresh = await reconnect();
    // Within the grace period the intent is another run's send in progress: left alone, not resent.
    const meanwhile = await pushPayments(fresh);
    expect(resultOf(meanwhile, payment)?.outcome).toBe('being sent by another run');
    expect(sim.payments).toHaveLength(1);
    const again = await pushPayments(fresh, { intentGraceSeconds: 0 });
    expect(resultOf(again, payment)?.outcome).toBe('needs review');
    expect(again.failed).toHaveLength(1);
    expect(double.records('x_rcp_payment')).toEqual([
      expect.objectContaining({ x_payment_id: payment, x_state: 'review' }),
    ]);
    const third = await pushPayments(fresh);
    expect(resultOf(third, payment)?.outcome).toBe('needs review');
    expect(sim.payments).toHaveLength(1);

    await resolvePayment(fresh, String(payment), true);
    const settled = await pushPayments(fresh);
    expect(resultOf(settled, payment)?.outcome).toBe('already pushed');
    expect(sim.payments).toHaveLength(1);
  });

  it('RCP answering 503 and then success credits once', async () => {
    const { sim, deps, direct } = await invoiced(version, {
      faults: { script: [{ path: '/payment/bank_payment', status: 503 }] },
    });
    const payment = await payInvoice(deps.odoo, direct.odooId);
    const report = await pushPayments(deps);
    expect(resultOf(report, payment)?.outcome).toBe('pushed');
    expect(sim.payments).toHaveLength(1);
  });

  it('a lost answer from RCP is "needs review" and never resent; resolved as not pushed, it is sent once', async () => {
    const { sim, deps, direct } = await invoiced(version, {
      faults: { script: [{ path: '/payment/bank_payment', drop: 'before' }] },
    });
    const payment = await payInvoice(deps.odoo, direct.odooId);
    expect(resultOf(await pushPayments(deps), payment)?.outcome).toBe('needs review');
    expect(resultOf(await pushPayments(deps), payment)?.outcome).toBe('needs review');
    expect(sim.payments).toHaveLength(0);
    await resolvePayment(deps, String(payment), false);
    expect(resultOf(await pushPayments(deps), payment)?.outcome).toBe('pushed');
    expect(sim.payments).toHaveLength(1);
  });

  it('a payment of a company not linked to RCP is reported, not sent', async () => {
    const { sim, deps } = await invoiced(version);
    const [stranger] = await deps.odoo.create('res.partner', [{ name: 'Не из RCP', is_company: true }]);
    const [move] = await deps.odoo.create('account.move', [
      {
        move_type: 'out_invoice',
        partner_id: stranger,
        invoice_line_ids: [[0, 0, { name: 'x', quantity: 1, price_unit: 100, tax_ids: [[6, 0, []]] }]],
      },
    ]);
    const payment = await payInvoice(deps.odoo, move ?? 0);
    const report = await pushPayments(deps);
    expect(resultOf(report, payment)?.outcome).toBe('not an RCP counterparty');
    expect(sim.payments).toEqual([]);
  });

  it('a payment cancelled after its push is flagged for review with what changed, on every run', async () => {
    const { deps, direct, double } = await invoiced(version);
    const payment = await payInvoice(deps.odoo, direct.odooId);
    await pushPayments(deps);
    const [before] = await deps.odoo.read<{ id: number; state: string }>(
      'account.payment',
      [payment],
      ['state'],
    );
    const cancelled = deps.odoo.capabilities.paymentCancelledStates[0];
    await deps.odoo.write('account.payment', [payment], { state: cancelled });
    const report = await pushPayments(deps);
    expect(resultOf(report, payment)).toMatchObject({
      outcome: 'changed after push',
      detail: expect.stringContaining(`state ${before?.state} → ${cancelled}`),
    });
    expect(report.failed).toHaveLength(1);
    expect(double.records('x_rcp_payment')).toEqual([
      expect.objectContaining({ x_state: 'review', x_reason: expect.stringContaining(`→ ${cancelled}`) }),
    ]);
    const again = await pushPayments(deps);
    expect(resultOf(again, payment)?.outcome).toBe('changed after push');
    expect(again.failed).toHaveLength(1);
  });

  it('without PAYMENTS_SINCE the push refuses', async () => {
    const stack: Stack = await startStack(version);
    await expect(pushPayments(stack.deps)).rejects.toThrow(/PAYMENTS_SINCE is missing/);
  });
});

describe('reconcile sees payments', () => {
  it('a payment voided after its push is a mismatch', async () => {
    const { deps, direct } = await invoiced('18');
    const payment = await payInvoice(deps.odoo, direct.odooId);
    await pushPayments(deps);
    const { reconcilePeriod } = await import('../../connector/processes/reconcile.ts');
    expect((await reconcilePeriod(deps, '2024-05')).payments).toMatchObject({ pushed: 1, voidAfterPush: [] });
    await deps.odoo.write('account.payment', [payment], { state: 'canceled' });
    const report = await reconcilePeriod(deps, '2024-05');
    expect(report.payments.voidAfterPush).toEqual([
      expect.objectContaining({ paymentId: payment, state: 'canceled' }),
    ]);
    expect(report.payments.changedAfterPush).toEqual([
      expect.objectContaining({
        paymentId: payment,
        changes: [expect.stringMatching(/^state \w+ → canceled$/)],
      }),
    ]);
    expect(report.mismatches).toBeGreaterThan(0);
  });
});

describe('PAYMENTS_MODE=reconciled', () => {
  it('pushes only payments reconciled with an invoice', async () => {
    const stack = await startStack(
      '18',
      { clients: 6, partners: 2 },
      { PAYMENTS_SINCE: '2024-01-01', PAYMENTS_MODE: 'reconciled' },
    );
    const { deps, sim } = stack;
    await syncMasterData(deps, { what: 'all' });
    const report = await invoicePeriod(deps, { period: '2024-05' });
    const direct = report.invoices.find((i) => i.kind === 'client' && i.odooId);
    const reconciled = await payInvoice(deps.odoo, direct?.odooId ?? 0);
    // A payment entered by hand, not matched with any invoice yet.
    const partnerId = stack.double.records('account.move').find((m) => m.id === direct?.odooId)?.partner_id;
    const [loose] = await deps.odoo.create('account.payment', [
      {
        partner_id: partnerId,
        amount: 10,
        payment_type: 'inbound',
        partner_type: 'customer',
        state: 'paid',
        date: '2024-06-01',
        is_reconciled: false,
        journal_id: 2,
        company_id: 1,
      },
    ]);
    const pushed = await pushPayments(deps);
    expect(resultOf(pushed, reconciled)?.outcome).toBe('pushed');
    expect(resultOf(pushed, loose ?? 0)).toBeUndefined();
    expect(sim.payments).toHaveLength(1);
  });
});
