import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { type PushReport, pushPayments, resolvePayment } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { envOf } from '../support/odoo-double/index.ts';
import { type Stack, postedPayments, startStack } from '../support/stack.ts';

/**
 * The payments ledger (x_rcp_payment) on the Odoo 18 double: claims by runs at once, edits after a
 * push, settled reviews, the upgrade from the rcp-push.json attachments. The double runs each call
 * alone, so this checks the connector's logic; the database's own refusal of a second claimer is
 * proven on real Odoo (test/odoo-real/payments-ledger.test.ts).
 */
async function world(): Promise<Stack & { linked: number[] }> {
  const stack = await startStack('18', { clients: 6, partners: 2 }, { PAYMENTS_SINCE: '2024-01-01' });
  await syncMasterData(stack.deps, { what: 'all' });
  const uuids = Array.from({ length: 6 }, (_, i) => stack.sim.world.client(i).id);
  const found = await externalIds(stack.deps.odoo).resolve(uuids.map((u) => xmlidOf('client', u)));
  const linked = uuids.flatMap((u) => {
    const id = found.get(xmlidOf('client', u))?.id;
    return id ? [id] : [];
  });
  return { ...stack, linked };
}

/** A posted customer payment, as the accountant enters it. */
async function payment(deps: ProcessDeps, partnerId: number, amount: number): Promise<number> {
  const [id] = await postedPayments(deps, [{ partnerId, amount }]);
  return id ?? 0;
}

const outcomesOf = (reports: PushReport[], paymentId: number) =>
  reports.flatMap((r) => r.results.filter((x) => x.paymentId === paymentId).map((x) => x.outcome));

describe('the payments ledger on the Odoo 18 double', () => {
  it('three runs at once and two at small offsets: each payment reaches RCP once; the others lose the claim without a failure', async () => {
    const { deps, sim, linked, reconnect } = await world();
    const ids = [];
    for (const [i, partner] of linked.slice(0, 4).entries()) ids.push(await payment(deps, partner, 100 + i));
    const runs = await Promise.all([reconnect(), reconnect(), reconnect()]);
    const together = await Promise.all(runs.map((run) => pushPayments(run)));
    const more = await payment(deps, linked[0] ?? 0, 777.77);
    const staggered = await Promise.all(
      runs.slice(0, 2).map(async (run, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 5));
        return pushPayments(run);
      }),
    );
    for (const id of ids) {
      expect(sim.payments.filter((p) => p.details.endsWith(`#${id}`))).toHaveLength(1);
      expect(outcomesOf(together, id)).toHaveLength(3);
      expect(outcomesOf(together, id).filter((o) => o === 'pushed')).toHaveLength(1);
    }
    expect(outcomesOf(staggered, more).filter((o) => o === 'pushed')).toHaveLength(1);
    expect(sim.payments).toHaveLength(5);
    expect([...together, ...staggered].flatMap((r) => r.failed)).toEqual([]);
    const ledger = await readPaymentLedger(deps.odoo);
    expect([...ledger.values()].map((r) => r.state)).toEqual(Array(5).fill('pushed'));
  });

  it('two runs at once over more payments than one claim group (50): each payment reaches RCP once, every record pushed', async () => {
    const { deps, sim, linked, reconnect } = await world();
    const ids: number[] = [];
    for (let i = 0; i < 120; i++) ids.push(await payment(deps, linked[i % linked.length] ?? 0, 10 + i));
    const [a, b] = await Promise.all([reconnect(), reconnect()]);
    const reports = await Promise.all([pushPayments(a as ProcessDeps), pushPayments(b as ProcessDeps)]);
    const sent = new Map<string, number>();
    for (const p of sim.payments) sent.set(p.details, (sent.get(p.details) ?? 0) + 1);
    expect(sim.payments).toHaveLength(120);
    expect([...sent.values()].every((n) => n === 1)).toBe(true);
    for (const id of ids) expect(outcomesOf(reports, id).filter((o) => o === 'pushed')).toHaveLength(1);
    expect(reports.flatMap((r) => r.failed)).toEqual([]);
    const ledger = await readPaymentLedger(deps.odoo);
    expect(ids.map((id) => ledger.get(id)?.state)).toEqual(ids.map(() => 'pushed'));
  });

  it('an amount raised after the push is a review that says what RCP holds and the difference, on every run and in reconcile; "RCP has it" is refused; "Send the difference" sends exactly the difference once, even with two runs at once', async () => {
    const { deps, sim, double, linked, reconnect } = await world();
    const id = await payment(deps, linked[0] ?? 0, 2222.22);
    expect(outcomesOf([await pushPayments(deps)], id)).toEqual(['pushed']);
    await deps.odoo.write('account.payment', [id], { amount: 3000 });
    for (let run = 0; run < 2; run++) {
      const report = await pushPayments(deps);
      const result = report.results.find((r) => r.paymentId === id);
      expect(result).toMatchObject({ outcome: 'changed after push' });
      expect(result?.detail).toContain('amount 2,222.22 → 3,000.00');
      expect(result?.detail).toContain('RCP is recorded to hold 2,222.22');
      expect(result?.detail).toContain('difference +777.78');
      expect(report.failed).toHaveLength(1);
    }
    const reconciled = await reconcilePeriod(deps, '2024-05');
    expect(reconciled.payments.differences).toEqual([
      expect.objectContaining({
        paymentId: id,
        odooKopecks: 300000,
        rcpKopecks: 222222,
        differenceKopecks: 77778,
      }),
    ]);
    await expect(resolvePayment(deps, String(id), true)).rejects.toThrow(/does not wait for a lost answer/);
    expect(sim.payments).toHaveLength(1);

    // The accountant's button ("Send the difference", a server action on real Odoo) records the
    // decision; two runs at once apply it: one sends.
    const [record] = double.records('x_rcp_payment');
    expect(record).toMatchObject({ x_state: 'review', x_review: 'difference', x_difference: 777.78 });
    await deps.odoo.write('x_rcp_payment', [Number(record?.id)], { x_decision: 'send_difference' });
    const runs = await Promise.all([reconnect(), reconnect()]);
    const applied = await Promise.all(runs.map((run) => pushPayments(run)));
    expect(outcomesOf(applied, id).filter((o) => o === 'pushed')).toHaveLength(1);
    expect(sim.payments.map((p) => p.amount)).toEqual([2222.22, 777.78]);
    expect(double.records('x_rcp_payment')).toEqual([
      expect.objectContaining({ x_state: 'pushed', x_amount: 3000, x_decision: false }),
    ]);
    expect((await pushPayments(deps)).failed).toEqual([]);
    expect((await reconcilePeriod(deps, '2024-05')).payments.differences).toEqual([]);
    expect(sim.payments).toHaveLength(2);
  });

  it('a client payment cancelled after its push: the review says how much to take back in RCP by hand; confirmed, nothing is sent and reconcile stops naming it; re-posted, it is sent once', async () => {
    const { deps, sim, double, linked } = await world();
    const id = await payment(deps, linked[0] ?? 0, 500);
    await pushPayments(deps);
    const [done] = await deps.odoo.read<{ id: number; state: string }>('account.payment', [id], ['state']);
    await deps.odoo.write('account.payment', [id], {
      state: deps.odoo.capabilities.paymentCancelledStates[0],
    });
    const flagged = await pushPayments(deps);
    expect(flagged.failed).toHaveLength(1);
    expect(flagged.results.find((r) => r.paymentId === id)?.detail).toContain('take back 500.00 from client');
    expect((await reconcilePeriod(deps, '2024-05')).payments.differences).toEqual([
      expect.objectContaining({ paymentId: id, odooKopecks: 0, rcpKopecks: 50000 }),
    ]);

    const [record] = double.records('x_rcp_payment');
    expect(record).toMatchObject({ x_review: 'take_back', x_difference: -500 });
    await deps.odoo.write('x_rcp_payment', [Number(record?.id)], { x_decision: 'taken_back' });
    const applied = await pushPayments(deps);
    expect(applied.failed).toEqual([]);
    expect(double.records('x_rcp_payment')).toEqual([
      expect.objectContaining({ x_state: 'not_pushed', x_amount: 0 }),
    ]);
    const reconciled = await reconcilePeriod(deps, '2024-05');
    expect(reconciled.payments.needsReview).toEqual([]);
    expect(reconciled.payments.differences).toEqual([]);
    expect(sim.payments).toHaveLength(1);

    await deps.odoo.write('account.payment', [id], { state: done?.state });
    expect(outcomesOf([await pushPayments(deps)], id)).toEqual(['pushed']);
    expect(sim.payments).toHaveLength(2);
    expect(double.records('x_rcp_payment')).toEqual([
      expect.objectContaining({ x_state: 'pushed', x_amount: 500 }),
    ]);
  });

  it('through the CLI: pushed at 2,222.22, then 3,000.00 in Odoo: `payments push` and `reconcile` name the difference and exit 1 on every run; `payments resolve --pushed` is refused; after "Send the difference" the next push exits 0', async () => {
    const { deps, sim, double, linked } = await world();
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      LOG_LEVEL: 'warn',
      ...envOf(sim, double),
      PAYMENTS_SINCE: '2024-01-01',
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
    };
    const cli = (args: string[]) =>
      new Promise<{ code: number; stdout: string }>((done) =>
        execFile(
          process.execPath,
          [resolve('bin/rcp-odoo.mjs'), ...args],
          { env, timeout: 60_000 },
          (error, stdout) => done({ code: error ? Number(error.code ?? 1) : 0, stdout }),
        ),
      );
    const id = await payment(deps, linked[0] ?? 0, 2222.22);
    expect((await cli(['payments', 'push'])).code).toBe(0);
    await deps.odoo.write('account.payment', [id], { amount: 3000 });
    for (let run = 0; run < 2; run++) {
      const flagged = await cli(['payments', 'push']);
      expect(flagged.code).toBe(1);
      expect(flagged.stdout).toContain('amount 2,222.22 → 3,000.00');
    }
    const reconciled = await cli(['reconcile', '--period', '2024-05']);
    expect(reconciled.code).toBe(1);
    expect(reconciled.stdout).toMatch(/DIFF: payment .*\(\d+\): Odoo 3\s000,00, RCP 2\s222,22/u);
    expect((await cli(['payments', 'resolve', String(id), '--pushed'])).code).toBe(2);
    const [record] = double.records('x_rcp_payment');
    await deps.odoo.write('x_rcp_payment', [Number(record?.id)], { x_decision: 'send_difference' });
    expect((await cli(['payments', 'push'])).code).toBe(0);
    expect((await cli(['payments', 'push'])).code).toBe(0);
    expect(sim.payments.map((p) => p.amount)).toEqual([2222.22, 777.78]);
  }, 120_000);

  it('an upgrade from the rcp-push.json attachments never re-sends: pushed stays pushed, an attempt without outcome needs review, a refusal is claimed afresh; deleting an attachment changes nothing', async () => {
    const { deps, sim, double, linked } = await world();
    const [pushed, unknown, refused] = [
      await payment(deps, linked[0] ?? 0, 10),
      await payment(deps, linked[1] ?? 0, 20),
      await payment(deps, linked[2] ?? 0, 30),
    ] as [number, number, number];
    const entry = (state: string, kopecks: number) =>
      JSON.stringify({
        state,
        target: 'client:x',
        amountKopecks: kopecks,
        details: 'Odoo old',
        at: '2024-06-02T10:00:00.000Z',
      });
    const attachments = await deps.odoo.create('ir.attachment', [
      {
        name: 'rcp-push.json',
        res_model: 'account.payment',
        res_id: pushed,
        description: entry('pushed', 1000),
      },
      {
        name: 'rcp-push.json',
        res_model: 'account.payment',
        res_id: unknown,
        description: entry('intent', 2000),
      },
      {
        name: 'rcp-push.json',
        res_model: 'account.payment',
        res_id: refused,
        description: entry('rejected', 3000),
      },
    ]);
    const dry = await pushPayments(deps, { dryRun: true });
    expect(outcomesOf([dry], pushed)).toEqual(['already pushed']);
    expect(double.records('x_rcp_payment')).toEqual([]);

    const report = await pushPayments(deps);
    expect(outcomesOf([report], pushed)).toEqual(['already pushed']);
    expect(outcomesOf([report], unknown)).toEqual(['needs review']);
    expect(outcomesOf([report], refused)).toEqual(['pushed']);
    expect(sim.payments.map((p) => p.details)).toEqual([expect.stringContaining(`#${refused}`)]);
    const states = Object.fromEntries(
      double.records('x_rcp_payment').map((r) => [r.x_payment_id, r.x_state]),
    );
    expect(states).toEqual({ [pushed]: 'pushed', [unknown]: 'review', [refused]: 'pushed' });

    for (const attachment of attachments)
      await deps.odoo.call({ model: 'ir.attachment', method: 'unlink', ids: [attachment] });
    const after = await pushPayments(deps);
    expect(outcomesOf([after], pushed)).toEqual(['already pushed']);
    expect(outcomesOf([after], unknown)).toEqual(['needs review']);
    expect(sim.payments).toHaveLength(1);
  });
});
