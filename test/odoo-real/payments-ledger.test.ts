import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooConfig } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { type PushReport, pushPayments, resolvePayment } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { Secret } from '../../connector/secret.ts';
import type { Simulator } from '../../connector/simulator/server.ts';
import { ACTION_RESOLVE_PUSHED, GROUP_USER } from '../../connector/workspace/definition.ts';
import { fullXmlid } from '../../connector/workspace/items.ts';
import {
  ACTION_SEND_DIFFERENCE,
  ACTION_TAKEN_BACK,
} from '../../connector/workspace/payment-review-actions.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * The payments ledger (`x_rcp_payment`) on a real Odoo, after `rcp-odoo setup`: several pushes at
 * once (each its own connections, as separate CLI runs and workers would have) send each payment to
 * RCP exactly once; a payment edited after its push is flagged for review with what changed; an
 * accountant cannot write the ledger but settles a review, and the next push applies it.
 */
describe.skipIf(!realOdooFromEnv().odoo)(realTitle('payments ledger'), () => {
  let stack: RealStack;
  let sim: Simulator;
  let deps: ProcessDeps;
  let linked: number[];
  const started = useRealStack('pay', { clients: 6, partners: 2 }, { workspace: true });

  beforeAll(async () => {
    stack = started();
    ({ sim, deps } = stack);
    const synced = await syncMasterData(deps, { what: 'all' });
    expect(synced.failed).toEqual([]);
    const uuids = Array.from({ length: 6 }, (_, i) => sim.world.client(i).id);
    const found = await externalIds(deps.odoo).resolve(uuids.map((u) => xmlidOf('client', u)));
    linked = uuids.flatMap((u) => {
      const id = found.get(xmlidOf('client', u))?.id;
      return id ? [id] : [];
    });
    expect(linked.length).toBeGreaterThanOrEqual(3);
  }, 300_000);

  /** A customer payment entered and posted by the accountant. */
  const payment = async (partnerId: number, amount: number): Promise<number> => {
    const [id] = await stack.admin.create('account.payment', [
      {
        payment_type: 'inbound',
        partner_type: 'customer',
        partner_id: partnerId,
        amount,
        date: new Date().toISOString().slice(0, 10),
      },
    ]);
    await stack.admin.callOn('account.payment', 'action_post', [id ?? 0]);
    return id ?? 0;
  };

  /** One after the other: Odoo numbers posted payments from one sequence. */
  const payments = async (partnerIds: number[], amount: (index: number) => number) => {
    const ids: number[] = [];
    for (const [index, partnerId] of partnerIds.entries()) ids.push(await payment(partnerId, amount(index)));
    return ids;
  };

  const sentFor = (paymentId: number) =>
    sim.payments.filter((p) => p.details.endsWith(`#${paymentId}`)).length;
  /** Every RCP payment of an Odoo payment: the first and any difference sent after (`#17 /2`). */
  const allSentFor = (paymentId: number) =>
    sim.payments.filter((p) => new RegExp(`#${paymentId}( /\\d+)?$`).test(p.details));

  const outcomesOf = (reports: PushReport[], paymentId: number) =>
    reports.flatMap((r) => r.results.filter((x) => x.paymentId === paymentId).map((x) => x.outcome));

  const runsAt = async (offsetsMs: number[]) => {
    const runs = await Promise.all(offsetsMs.map(() => stack.reconnect()));
    return Promise.all(
      runs.map(async (run, index) => {
        await new Promise((resolve) => setTimeout(resolve, offsetsMs[index]));
        return pushPayments(run);
      }),
    );
  };

  it('three pushes started at once, then two at small offsets: each payment reaches RCP exactly once and its ledger record says pushed', async () => {
    const first = await payments(linked.slice(0, 3), (i) => 1000 + i);
    const together = await runsAt([0, 0, 0]);
    for (const id of first) {
      expect(sentFor(id)).toBe(1);
      // Every run saw the payment; one claimed and sent it, the two others lost the claim.
      expect(outcomesOf(together, id)).toHaveLength(3);
      expect(outcomesOf(together, id).filter((o) => o === 'pushed')).toHaveLength(1);
      expect(
        outcomesOf(together, id).every((o) =>
          ['pushed', 'already pushed', 'being sent by another run'].includes(o),
        ),
      ).toBe(true);
    }
    const second = await payments(linked.slice(0, 3), (i) => 2000 + i);
    const offset = await runsAt([0, 15, 40]);
    const staggered = await runsAt([0, 5]);
    for (const id of second) {
      expect(sentFor(id)).toBe(1);
      expect(outcomesOf([...offset, ...staggered], id).filter((o) => o === 'pushed')).toHaveLength(1);
    }
    const ledger = await readPaymentLedger(deps.odoo);
    for (const id of [...first, ...second]) {
      expect(ledger.get(id)).toMatchObject({ state: 'pushed', target: expect.stringMatching(/^client:/) });
    }
    expect(sim.payments).toHaveLength(6);
    // Nothing failed in any run: the losers saw the winner's claim, not an error.
    expect([...together, ...offset, ...staggered].flatMap((r) => r.failed)).toEqual([]);
  }, 300_000);

  let edited = 0;
  let cancelled = 0;

  it('pushed at 2,222.22, reset to draft and re-posted at 3,000.00: review with "amount 2,222.22 → 3,000.00", on every run, and in reconcile; a cancelled one too', async () => {
    edited = await payment(linked[0] ?? 0, 2222.22);
    cancelled = await payment(linked[1] ?? 0, 500);
    const pushed = await pushPayments(deps);
    expect(outcomesOf([pushed], edited)).toEqual(['pushed']);
    expect(outcomesOf([pushed], cancelled)).toEqual(['pushed']);

    await stack.admin.callOn('account.payment', 'action_draft', [edited]);
    await stack.admin.write('account.payment', [edited], { amount: 3000 });
    await stack.admin.callOn('account.payment', 'action_post', [edited]);
    await stack.admin.callOn('account.payment', 'action_draft', [cancelled]);
    await stack.admin.callOn('account.payment', 'action_cancel', [cancelled]);

    for (let run = 0; run < 2; run++) {
      const report = await pushPayments(deps);
      const result = report.results.find((r) => r.paymentId === edited);
      expect(result).toMatchObject({ outcome: 'changed after push' });
      expect(result?.detail).toContain('amount 2,222.22 → 3,000.00');
      expect(report.failed.map((f) => f.record)).toEqual(
        expect.arrayContaining([
          expect.stringContaining(`(${edited})`),
          expect.stringContaining(`(${cancelled})`),
        ]),
      );
      expect(report.results.find((r) => r.paymentId === cancelled)?.detail).toMatch(/state \w+ → cancel/);
    }
    expect(sentFor(edited)).toBe(1);
    const ledger = await readPaymentLedger(deps.odoo);
    expect(ledger.get(edited)).toMatchObject({
      state: 'review',
      amountKopecks: 222222,
      reason: expect.stringContaining('amount 2,222.22 → 3,000.00'),
      pushedAs: expect.objectContaining({ amountKopecks: 222222 }),
    });
    expect(ledger.get(cancelled)).toMatchObject({
      state: 'review',
      reason: expect.stringMatching(/→ cancel/),
    });

    const period = new Date().toISOString().slice(0, 7);
    const reconciled = await reconcilePeriod(deps, period);
    expect(reconciled.payments.needsReview).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          paymentId: edited,
          reason: expect.stringContaining('amount 2,222.22 → 3,000.00'),
        }),
      ]),
    );
    expect(reconciled.mismatches).toBeGreaterThanOrEqual(2);
  }, 300_000);

  it('an accountant (RCP / User + Billing) cannot create, change or delete a ledger record; "RCP has it" is refused for an edit; "Send the difference" is recorded and the next push sends exactly 777.78 once', async () => {
    const accountant = await accountantClient(stack);
    const [record] = await accountant.searchRead<{ id: number; x_state: string }>(
      'x_rcp_payment',
      [['x_payment_id', '=', edited]],
      ['x_state'],
    );
    expect(record?.x_state).toBe('review');
    const refused = async (work: Promise<unknown>) => {
      const error = await work.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OdooError);
      expect((error as OdooError).kind).toBe('access');
    };
    await refused(accountant.create('x_rcp_payment', [{ x_payment_id: edited, x_state: 'pushed' }]));
    await refused(accountant.write('x_rcp_payment', [record?.id ?? 0], { x_state: 'pushed' }));
    await refused(accountant.write('x_rcp_payment', [record?.id ?? 0], { x_resolution: 'pushed' }));
    await refused(accountant.call({ model: 'x_rcp_payment', method: 'unlink', ids: [record?.id ?? 0] }));
    await refused(accountant.write('x_rcp_payment', [record?.id ?? 0], { x_decision: 'send_difference' }));
    const refusedWith = async (work: Promise<unknown>, message: RegExp) => {
      const error = await work.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(OdooError);
      expect((error as OdooError).serverMessage).toMatch(message);
    };

    // "RCP has it" is for a lost answer only: refused here. "Send the difference" (setup's button,
    // a server action) records the decision; the next push sends exactly 777.78, once.
    const run = async (xmlid: string) => {
      const action = (await externalIds(stack.admin).resolve([fullXmlid(xmlid)])).get(fullXmlid(xmlid));
      return accountant.callOn('ir.actions.server', 'run', [action?.id ?? 0], undefined, {
        active_model: 'x_rcp_payment',
        active_id: record?.id,
        active_ids: [record?.id],
      });
    };
    await refusedWith(run(ACTION_RESOLVE_PUSHED), /does not wait for a lost answer/);
    await run(ACTION_SEND_DIFFERENCE);
    const [settled] = await stack.admin.read<{
      id: number;
      x_state: string;
      x_decision: string;
      x_resolved_by: [number, string] | false;
      x_resolved_at: string | false;
    }>('x_rcp_payment', [record?.id ?? 0], ['x_state', 'x_decision', 'x_resolved_by', 'x_resolved_at']);
    expect(settled).toMatchObject({ x_state: 'review', x_decision: 'send_difference' });
    expect(settled?.x_resolved_by ? settled.x_resolved_by[0] : 0).toBe(accountant.uid);
    expect(settled?.x_resolved_at).toBeTruthy();

    const next = await pushPayments(deps);
    expect(next.results.find((r) => r.paymentId === edited)).toMatchObject({ outcome: 'pushed' });
    expect(next.failed.map((f) => f.record)).not.toEqual(
      expect.arrayContaining([expect.stringContaining(`(${edited})`)]),
    );
    const after = await pushPayments(deps);
    expect(after.results.find((r) => r.paymentId === edited)?.outcome).toBe('already pushed');
    expect((await readPaymentLedger(deps.odoo)).get(edited)).toMatchObject({
      state: 'pushed',
      amountKopecks: 300000,
    });
    expect(allSentFor(edited).map((p) => p.amount)).toEqual([2222.22, 777.78]);
  }, 300_000);

  it('a client payment cancelled after its push: "Taken back in RCP" settles it, nothing is sent; re-posted, it is sent once through a fresh claim', async () => {
    const accountant = await accountantClient(stack);
    const [record] = await accountant.searchRead<{ id: number; x_review: string }>(
      'x_rcp_payment',
      [['x_payment_id', '=', cancelled]],
      ['x_review'],
    );
    expect(record?.x_review).toBe('take_back');
    await expect(resolvePayment(deps, String(cancelled), false)).rejects.toThrow(
      /does not wait for a lost answer/,
    );
    const action = (await externalIds(stack.admin).resolve([fullXmlid(ACTION_TAKEN_BACK)])).get(
      fullXmlid(ACTION_TAKEN_BACK),
    );
    await accountant.callOn('ir.actions.server', 'run', [action?.id ?? 0], undefined, {
      active_model: 'x_rcp_payment',
      active_id: record?.id,
      active_ids: [record?.id],
    });
    await pushPayments(deps);
    expect((await readPaymentLedger(deps.odoo)).get(cancelled)).toMatchObject({
      state: 'not_pushed',
      amountKopecks: 0,
    });
    expect(sentFor(cancelled)).toBe(1);
    await stack.admin.callOn('account.payment', 'action_draft', [cancelled]);
    await stack.admin.callOn('account.payment', 'action_post', [cancelled]);
    const [first, second] = await runsAt([0, 10]);
    expect(
      outcomesOf([first as PushReport, second as PushReport], cancelled).filter((o) => o === 'pushed'),
    ).toHaveLength(1);
    // RCP's second payment of it has details of its own (`… #<id> /3`: the third line of its sends).
    expect(allSentFor(cancelled).map((p) => p.amount)).toEqual([500, 500]);
    expect((await readPaymentLedger(deps.odoo)).get(cancelled)).toMatchObject({ state: 'pushed' });
  }, 300_000);
});

/** An accountant: Billing and RCP / User, nothing else; made by the admin, connected with a password. */
async function accountantClient(stack: RealStack): Promise<OdooClient> {
  const admin = stack.admin;
  const groupsField = stack.odoo.major >= 19 ? 'group_ids' : 'groups_id';
  const groups = await externalIds(admin).resolve([
    'base.group_user',
    'account.group_account_invoice',
    fullXmlid(GROUP_USER),
  ]);
  const login = `rcp_accountant_${Date.now()}`;
  await admin.create('res.users', [
    {
      name: 'RCP Accountant',
      login,
      password: 'accountant-pass-1',
      email: `${login}@example.com`,
      [groupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
    },
  ]);
  const config: OdooConfig = {
    ...(stack.odoo.admin as OdooConfig),
    user: login,
    secret: { kind: 'password', value: new Secret('accountant-pass-1') },
  };
  return OdooClient.connect(config);
}
