import { describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { paymentsPush } from '../../connector/work/payments-push.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { LISTED_ROUTINE } from '../../mappings/listed-rows.ts';
import { type Stack, postedPayments, startStack } from '../support/stack.ts';

/**
 * The push reads the payments a slice at a time (ten Odoo batches), each with its own ledger
 * records, then the ledger's payments it did not read: here with ODOO_BATCH_SIZE=2 (slices of 20)
 * on the Odoo 18 double, so that a run crosses several slices. What RCP received is the judge: each
 * payment once, at its amount, whatever slice it fell in, and edits after the push seen in any.
 */
const SINCE = '2024-01-01';

async function world(batch: number): Promise<Stack & { linked: number[] }> {
  const stack = await startStack(
    '18',
    { clients: 6, partners: 2 },
    { PAYMENTS_SINCE: SINCE, ODOO_BATCH_SIZE: String(batch) },
  );
  await syncMasterData(stack.deps, { what: 'all' });
  const uuids = Array.from({ length: 6 }, (_, i) => stack.sim.world.client(i).id);
  const found = await externalIds(stack.deps.odoo).resolve(uuids.map((u) => xmlidOf('client', u)));
  return { ...stack, linked: uuids.flatMap((u) => found.get(xmlidOf('client', u))?.id ?? []) };
}

/** Posted customer payments: `amounts[i]` from client i mod 6. */
const payments = (deps: ProcessDeps, linked: number[], amounts: number[]) =>
  postedPayments(
    deps,
    amounts.map((amount, i) => ({ partnerId: linked[i % linked.length] ?? 0, amount })),
  );

/** What RCP received, per Odoo payment id (its details end with `#id`): the amounts, in order. */
const receivedBy = (stack: Stack) => {
  const byId = new Map<number, number[]>();
  for (const p of stack.sim.payments) {
    const id = Number(/#(\d+)$/.exec(p.details)?.[1]);
    byId.set(id, [...(byId.get(id) ?? []), p.amount]);
  }
  return byId;
};

describe('the payments push a slice at a time (slices of 20 on the Odoo 18 double)', () => {
  it('each payment of three slices reaches RCP once at its amount; the old ledger is honoured in and out of the run; a payment cancelled after its push is flagged from outside the run, one re-dated is left as RCP has it; a second run sends nothing', async () => {
    const stack = await world(2);
    const { deps, double, linked } = stack;
    const amounts = Array.from({ length: 47 }, (_, i) => 100 + i + (i % 7) / 100);
    const ids = await payments(deps, linked, amounts);
    // The old ledger (before the workspace): a payment in the run it says RCP has, and a payment
    // it says RCP has that was cancelled since (outside the run's read).
    const [oldPushed = 0] = ids.slice(33);
    const [oldCancelled = 0] = await payments(deps, linked, [77.7]);
    await deps.odoo.write('account.payment', [oldCancelled], {
      state: deps.odoo.capabilities.paymentCancelledStates[0],
    });
    const legacy = (paymentId: number, kopecks: number) => ({
      name: 'rcp-push.json',
      res_model: 'account.payment',
      res_id: paymentId,
      description: JSON.stringify({
        state: 'pushed',
        target: 'client:x',
        amountKopecks: kopecks,
        details: 'Odoo old',
        at: '2024-06-02T10:00:00.000Z',
      }),
    });
    await deps.odoo.create('ir.attachment', [
      legacy(oldPushed, Math.round((amounts[33] ?? 0) * 100)),
      legacy(oldCancelled, 7_770),
    ]);

    const first = await pushPayments(deps);
    const sent = ids.filter((id) => id !== oldPushed);
    const received = receivedBy(stack);
    expect([...received.keys()].sort((a, b) => a - b)).toEqual(sent);
    for (const [index, id] of ids.entries())
      if (id !== oldPushed) expect(received.get(id), `payment ${id}`).toEqual([amounts[index]]);
    expect(first.outcomes).toMatchObject({ pushed: sent.length, 'already pushed': 1 });
    // The cancelled payment of the old ledger: imported, and flagged (RCP holds 77.70 Odoo no longer has).
    const flagged = first.results.find((r) => r.paymentId === oldCancelled);
    expect(flagged?.outcome).toBe('changed after push');
    expect(first.failed.map((f) => f.record)).toEqual([expect.stringContaining(`(${oldCancelled})`)]);
    const states = new Map(double.records('x_rcp_payment').map((r) => [r.x_payment_id, r.x_state]));
    expect(states.size).toBe(ids.length + 1);
    expect(states.get(oldPushed)).toBe('pushed');
    expect(states.get(oldCancelled)).toBe('review');

    // After their push: one payment cancelled (first slice), one re-dated before PAYMENTS_SINCE
    // (second): neither is read by the run any more. The cancelled one is flagged (RCP holds what
    // Odoo no longer has); the re-dated one still has what RCP holds: nothing to do.
    const [cancelled = 0, redated = 0] = [ids[3], ids[25]];
    await deps.odoo.write('account.payment', [cancelled], {
      state: deps.odoo.capabilities.paymentCancelledStates[0],
    });
    await deps.odoo.write('account.payment', [redated], { date: '2023-12-01' });
    const second = await pushPayments(deps);
    const outcome = (id: number) => second.results.filter((r) => r.paymentId === id).map((r) => r.outcome);
    expect(outcome(cancelled)).toEqual(['changed after push']);
    expect(outcome(redated)).toEqual([]);
    expect(outcome(oldCancelled)).toEqual(['changed after push']);
    expect(second.outcomes).toEqual({ 'already pushed': ids.length - 2, 'changed after push': 2 });
    const after = new Map(double.records('x_rcp_payment').map((r) => [r.x_payment_id, r.x_state]));
    expect([after.get(cancelled), after.get(redated)]).toEqual(['review', 'pushed']);
    // Reconcile reads the ledger a slice at a time too: every record counted, the two differences named.
    const reconciled = (await reconcilePeriod(deps, '2024-05')).payments;
    expect(reconciled.pushed).toBe(ids.length - 1);
    expect(reconciled.differences.map((d) => [d.paymentId, d.odooKopecks]).sort()).toEqual(
      [
        [cancelled, 0],
        [oldCancelled, 0],
      ].sort(),
    );
    expect(reconciled.needsReview.map((r) => r.paymentId).sort()).toEqual([cancelled, oldCancelled].sort());
    expect(receivedBy(stack)).toEqual(received);
    // Once more: the same, nothing sent.
    const third = await pushPayments(deps);
    expect(third.outcomes).toEqual(second.outcomes);
    expect(receivedBy(stack)).toEqual(received);
  });

  it(`a run over more than ${LISTED_ROUTINE} payments sent, then already in RCP, counts them all and lists the first ${LISTED_ROUTINE}; every exception is listed; RCP received each once`, async () => {
    const stack = await world(100);
    const { deps, linked } = stack;
    const count = LISTED_ROUTINE + 60;
    const ids = await payments(
      deps,
      linked,
      Array.from({ length: count }, (_, i) => 10 + i / 100),
    );
    const first = await pushPayments(deps);
    expect(first.outcomes).toEqual({ pushed: count });
    expect(first.results).toHaveLength(LISTED_ROUTINE);
    expect(first.unlisted).toBe(count - LISTED_ROUTINE);
    expect(receivedBy(stack).size).toBe(count);

    const last = ids.at(-1) ?? 0;
    await deps.odoo.write('account.payment', [last], { amount: 1 });
    const again = await pushPayments(deps);
    expect(again.outcomes).toEqual({ 'already pushed': count - 1, 'changed after push': 1 });
    expect(again.results.filter((r) => r.outcome === 'already pushed')).toHaveLength(LISTED_ROUTINE);
    expect(again.unlisted).toBe(count - 1 - LISTED_ROUTINE);
    expect(again.results.find((r) => r.paymentId === last)?.outcome).toBe('changed after push');
    const summary = paymentsPush.summary(again, {});
    expect(summary).toContain(`${count} seen, ${count - 1} already in RCP`);
    expect(summary).toContain(
      `${count - 1 - LISTED_ROUTINE} more sent, already in RCP or not RCP's are counted, not listed: already pushed ${count - 1}, changed after push 1`,
    );
    expect(receivedBy(stack).size).toBe(count);
  }, 120_000);
});
