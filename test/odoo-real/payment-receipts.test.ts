import { beforeAll, describe, expect, it } from 'vitest';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { type PushReport, pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * RCP answers 200 to a payment with something that is not a receipt (the simulator's receipt
 * faults): without an id, with status failed, with ten times the amount, naming another client; a
 * partner's top-up answered without the partner. None is recorded pushed; each waits in review with
 * RCP's words (a refusal says so and is not sent again by the next run); what RCP received is
 * asserted from the simulator's own record.
 */
describe.skipIf(!realOdooFromEnv().odoo)(realTitle('receipts of payments'), () => {
  const started = useRealStack('rcpt', { clients: 8, partners: 2 }, { workspace: true });
  let s: RealStack;
  let clients: number[] = [];
  let reseller = 0;
  let resellerUuid = '';

  beforeAll(async () => {
    s = started();
    expect((await syncMasterData(s.deps, { what: 'all' })).failed).toEqual([]);
    const uuids = Array.from({ length: 8 }, (_, i) => xmlidOf('client', s.sim.world.client(i).id));
    resellerUuid = s.sim.world.partners[1]?.id ?? '';
    const found = await externalIds(s.deps.odoo).resolve([...uuids, xmlidOf('partner', resellerUuid)]);
    clients = uuids.flatMap((x) => (found.get(x) ? [found.get(x)?.id as number] : []));
    reseller = found.get(xmlidOf('partner', resellerUuid))?.id ?? 0;
    expect(clients.length).toBeGreaterThanOrEqual(5);
    expect(reseller).toBeGreaterThan(0);
  }, 300_000);

  const payment = async (partnerId: number, amount: number): Promise<number> => {
    const [id] = await s.admin.create('account.payment', [
      { payment_type: 'inbound', partner_type: 'customer', partner_id: partnerId, amount },
    ]);
    await s.admin.callOn('account.payment', 'action_post', [id ?? 0]);
    return id ?? 0;
  };
  const resultOf = (report: PushReport, id: number) => report.results.find((r) => r.paymentId === id);
  const received = (id: number) => s.sim.payments.filter((p) => p.details.endsWith(`#${id}`));

  it('200 without an id, status failed, ten times the amount, another client: none recorded pushed; a good receipt is', async () => {
    // One payment per run, each with its fault on RCP's next answer; then one without.
    const reports: PushReport[] = [];
    const sent = async (
      client: number,
      amount: number,
      receipt?: 'no-id' | 'failed' | 'amount-x10' | 'other-client',
    ) => {
      const id = await payment(client, amount);
      if (receipt) s.sim.faults.update({ script: [{ path: '/payment/bank_payment', receipt }] });
      reports.push(await pushPayments(s.deps));
      return id;
    };
    const noId = await sent(clients[0] ?? 0, 1111.11, 'no-id');
    const failed = await sent(clients[1] ?? 0, 2222.22, 'failed');
    const tenfold = await sent(clients[2] ?? 0, 3333.33, 'amount-x10');
    const other = await sent(clients[3] ?? 0, 4444.44, 'other-client');
    const good = await sent(clients[4] ?? 0, 5555.55);
    const report: PushReport = {
      ...(reports.at(-1) as PushReport),
      results: reports
        .flatMap((r) => r.results)
        .filter((r) => r.outcome !== 'already pushed' || r.paymentId === good),
      failed: reports.flatMap((r) => r.failed),
    };
    const ledger = await readPaymentLedger(s.deps.odoo);

    expect(resultOf(report, good)?.outcome).toBe('pushed');
    expect(ledger.get(good)?.state).toBe('pushed');
    for (const id of [noId, failed, tenfold, other]) {
      expect(ledger.get(id)?.state).toBe('review');
      expect(report.failed.some((f) => f.record.includes(`(${id})`))).toBe(true);
    }
    expect(resultOf(report, failed)?.outcome).toBe('rejected by RCP');
    expect(ledger.get(failed)?.reason).toContain('Платёж отклонён банком');
    expect(ledger.get(noId)?.reason).toContain('no id');
    expect(ledger.get(tenfold)?.reason).toMatch(/amount 33\u00a0333,30 where 3\u00a0333,33 was sent/);
    expect(ledger.get(other)?.reason).toContain(`where ${s.sim.world.client(3).id} was sent`);
    for (const id of [noId, tenfold, other]) expect(resultOf(report, id)?.outcome).toBe('needs review');

    // What RCP recorded: the declined one was not received; the others once.
    expect(received(failed)).toHaveLength(0);
    for (const id of [noId, tenfold, other, good]) expect(received(id)).toHaveLength(1);

    // The next run sends none of them again: each still waits for the accountant.
    const before = s.sim.payments.length;
    const next = await pushPayments(s.deps);
    expect(s.sim.payments.length).toBe(before);
    expect(resultOf(next, failed)?.outcome).toBe('needs review');
    expect(resultOf(next, good)?.outcome).toBe('already pushed');
  }, 300_000);

  it('a partner top-up answered without the partner goes to review; a lost answer names the balance, not `details`', async () => {
    const odd = await payment(reseller, 700);
    s.sim.faults.update({ script: [{ path: `/partner/${resellerUuid}/balance`, receipt: 'no-id' }] });
    const first = await pushPayments(s.deps);
    expect(resultOf(first, odd)?.outcome).toBe('needs review');
    const ledger = await readPaymentLedger(s.deps.odoo);
    expect(ledger.get(odd)?.state).toBe('review');
    expect(ledger.get(odd)?.reason).toContain('not the partner');

    const lost = await payment(reseller, 800);
    s.sim.faults.update({ script: [{ path: `/partner/${resellerUuid}/balance`, drop: 'after' }] });
    const second = await pushPayments(s.deps);
    expect(resultOf(second, lost)?.outcome).toBe('needs review');
    const reason = (await readPaymentLedger(s.deps.odoo)).get(lost)?.reason ?? '';
    expect(reason).toContain(`check partner ${resellerUuid}'s balance corrections in RCP for`);
    expect(reason).not.toContain('check RCP for "');
    // RCP took both top-ups once (credited), and neither is sent again.
    expect(s.sim.corrections.filter((c) => c.partner === resellerUuid)).toHaveLength(2);
    await pushPayments(s.deps);
    expect(s.sim.corrections.filter((c) => c.partner === resellerUuid)).toHaveLength(2);
  }, 300_000);
});
