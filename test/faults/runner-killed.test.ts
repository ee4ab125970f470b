import type { ChildProcess } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { pushPayments, resolvePayment } from '../../connector/processes/push-payments.ts';
import { readPaymentLedger } from '../../connector/workspace/payments-ledger.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { spawnCli, stackEnv } from '../support/cli-process.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';
import { type WatchHooks, slowProxy } from '../support/slow-proxy.ts';

/**
 * The command-line runner killed (`kill -9`: an out-of-memory kill, a lost container) at the
 * moments that matter of `payments push` and `sync all`, on a real Odoo with the RCP simulator:
 * what RCP received (the simulator's record, per payment) and what Odoo holds (companies per RCP
 * id) are checked after the next run, not the connector's own account of them.
 *
 * The moments are seen, not guessed: a proxy in front of RCP (for a payment) or Odoo (for the
 * sync's load of companies) kills the runner when the call is on its way (dropped before RCP saw
 * it), when RCP has done it and the runner never heard (the answer withheld), and while Odoo has
 * the load in hand. A payment whose send was cut is never sent again by a run on its own: it waits
 * for the accountant as "needs review" (RCP documents no way to ask whether it has a payment), and
 * once settled as RCP's record says, RCP holds each payment exactly once.
 */
const given = realOdooFromEnv();

describe.skipIf(!given.odoo)(realTitle('a runner killed at each step'), () => {
  const started = useRealStack(
    'runnerkilled',
    { today: '2024-06-01', clients: 8, partners: 2 },
    { workspace: true },
  );
  let s: RealStack;
  let env: Record<string, string>;

  const spawned = spawnCli('runner-killed');
  /** `rcp-odoo ARGS`, with RCP and Odoo reached where the test says. */
  const cli = (args: string[], where: { rcp?: string; odoo?: string } = {}) =>
    spawned(args, {
      ...env,
      RCP_URL: where.rcp ?? s.sim.url,
      ...(where.odoo ? { ODOO_URL: where.odoo } : {}),
    });

  beforeAll(async () => {
    s = started();
    env = { ...stackEnv(s), PAYMENTS_SINCE: '2020-01-01' };
  }, 600_000);

  /** Kills `runner` at the first request `matches` sees, by `how`; resolves once it has. */
  const killAtFirst = (matches: (text: string) => boolean, how: 'drop' | 'withhold' | 'in Odoo') => {
    let armed = true;
    const runner: { child?: ChildProcess } = {};
    let killed!: () => void;
    const done = new Promise<void>((r) => {
      killed = r;
    });
    const kill = () => {
      runner.child?.kill('SIGKILL');
      killed();
    };
    const watch = ({ url, body }: { url: string; body: string }): WatchHooks | undefined => {
      if (!armed || !matches(`${url} ${body}`)) return undefined;
      armed = false;
      if (how === 'drop') {
        kill();
        return { drop: true };
      }
      if (how === 'withhold') return { withhold: true, answered: kill };
      setTimeout(kill, 40);
      return undefined;
    };
    return { runner, watch, killed: done };
  };

  /**
   * `rcp-odoo ARGS` with RCP or Odoo (`side`) behind a proxy that kills it at the first request
   * `matches` sees, by `how`: whether the kill came (rather than the run ending first), and its exit.
   */
  const runKilled = async (
    args: string[],
    side: 'rcp' | 'odoo',
    matches: (text: string) => boolean,
    how: 'drop' | 'withhold' | 'in Odoo',
  ) => {
    const killer = killAtFirst(matches, how);
    const proxy = await slowProxy(side === 'rcp' ? s.sim.url : (env.ODOO_URL ?? ''), 0, killer.watch);
    const run = cli(args, { [side]: proxy.url });
    killer.runner.child = run.child;
    const ended = await Promise.race([killer.killed.then(() => 'killed'), run.exited.then(() => 'exited')]);
    const gone = await run.exited;
    await proxy.close();
    return { killed: ended === 'killed', ...gone };
  };

  it('sync all killed while Odoo loads the companies, then killed right after: the next sync makes each RCP counterparty once', async () => {
    // JSON-RPC names the model and method in its body; JSON-2 (19 with an API key) in the path.
    const isCompanyLoad = (t: string) => /\/json\/2\/res\.partner\/load|"res\.partner",\s*"load"/.test(t);
    for (const how of ['in Odoo', 'withhold'] as const) {
      const gone = await runKilled(['sync', 'all'], 'odoo', isCompanyLoad, how);
      expect(gone.killed, `${how}: the sync ended before it loaded companies: ${gone.out}`).toBe(true);
      expect(gone.signal).toBe('SIGKILL');
    }
    const again = await cli(['sync', 'all']).exited;
    expect(again.code, again.out).toBe(0);

    const world = s.sim.world;
    const clients = Array.from({ length: world.clientCount }, (_, i) => world.client(i));
    const names = [
      ...clients.map((c) => xmlidOf('client', c.id)),
      ...world.partners.map((p) => xmlidOf('partner', p.id)),
    ];
    const found = await externalIds(s.admin).resolve(names);
    for (const name of names) expect(found.get(name)?.id, name).toBeGreaterThan(0);
    // Once each: no second company of the same RCP id made by the re-run.
    for (const c of [...clients, ...world.partners]) {
      expect(await s.admin.searchCount('res.partner', [['ref', '=', c.id]]), c.name).toBe(1);
    }
    const third = await cli(['sync', 'all', '--json']).exited;
    expect(third.code, third.out).toBe(0);
  }, 900_000);

  it.each([
    {
      how: 'drop' as const,
      moment: 'its payment dropped on the way (RCP never saw it)',
      rcpHasIt: false,
    },
    {
      how: 'withhold' as const,
      moment: 'after RCP took the payment, before the runner heard',
      rcpHasIt: true,
    },
  ])(
    'payments push killed, $moment: no run sends it again; settled as RCP says, RCP holds each payment once',
    async ({ how, rcpHasIt }) => {
      const client = s.sim.world.client(rcpHasIt ? 1 : 2);
      const company = (await externalIds(s.admin).resolve([xmlidOf('client', client.id)])).get(
        xmlidOf('client', client.id),
      )?.id;
      expect(company, 'the client is synced').toBeGreaterThan(0);
      const amounts = [1234.56, 789.01];
      const ids: number[] = [];
      for (const amount of amounts) {
        const [id] = await s.admin.create('account.payment', [
          {
            payment_type: 'inbound',
            partner_type: 'customer',
            partner_id: company,
            amount,
            date: new Date().toISOString().slice(0, 10),
          },
        ]);
        await s.admin.callOn('account.payment', 'action_post', [id ?? 0]);
        ids.push(id ?? 0);
      }
      const received = (paymentId: number) =>
        s.sim.payments.filter((p) => new RegExp(`#${paymentId}( /\\d+)?$`).test(p.details));

      const gone = await runKilled(
        ['payments', 'push', '--json'],
        'rcp',
        (t) => t.includes('/payment/bank_payment'),
        how,
      );
      expect(gone.killed, `the push ended before it sent a payment: ${gone.out}`).toBe(true);
      const sentFirst = ids.find((id) => received(id).length > 0);
      expect(Boolean(sentFirst), 'RCP has the payment the proxy let through').toBe(rcpHasIt);

      // The next runs, the killed run's claims older than their grace: nothing is sent again.
      const before = s.sim.payments.length;
      await new Promise((r) => setTimeout(r, 1500));
      for (let n = 0; n < 2; n++) {
        const next = await pushPayments(await s.reconnect(), { intentGraceSeconds: 1 });
        for (const id of ids) {
          const outcome = next.results.find((r) => r.paymentId === id)?.outcome;
          expect(['needs review', 'pushed'], `payment ${id}: ${outcome}`).toContain(outcome);
        }
      }
      // Only payments the killed run never claimed may have gone since, and each once.
      for (const id of ids) expect(received(id).length, `payment ${id}`).toBeLessThanOrEqual(1);
      const ledger = await readPaymentLedger(s.deps.odoo);
      const waiting = ids.filter((id) => ledger.get(id)?.state === 'review');
      expect(waiting.length, 'the payment the run was sending waits for the accountant').toBeGreaterThan(0);
      // A payment the killed run held is where the kill left it in RCP: the one it got through, once.
      for (const id of waiting) expect(received(id).length, `payment ${id}`).toBe(id === sentFirst ? 1 : 0);
      expect(s.sim.payments.length - before).toBe(ids.length - waiting.length);

      // The accountant checks RCP (here: the simulator's record) and settles each review.
      for (const id of waiting) await resolvePayment(s.deps, String(id), received(id).length > 0);
      const settled = await pushPayments(await s.reconnect(), { intentGraceSeconds: 1 });
      expect(settled.failed).toEqual([]);
      for (const [index, id] of ids.entries()) {
        const got = received(id);
        expect(got, `payment ${id}: RCP holds it once`).toHaveLength(1);
        expect(Math.round((got[0]?.amount ?? 0) * 100)).toBe(Math.round((amounts[index] ?? 0) * 100));
        expect(got[0]?.client).toBe(client.id);
      }
      const after = await readPaymentLedger(s.deps.odoo);
      for (const id of ids) expect(after.get(id)?.state, `payment ${id}`).toBe('pushed');
      // A run after that sends nothing at all.
      const count = s.sim.payments.length;
      await pushPayments(await s.reconnect(), { intentGraceSeconds: 1 });
      expect(s.sim.payments.length).toBe(count);
    },
    600_000,
  );

  it('setup killed twice while it makes the workspace again (in an Odoo call, and right after one): the next setup finishes, a month is invoiced, and no payment goes to RCP again', async () => {
    const removed = await cli(['setup', '--remove', '--confirm']).exited;
    expect(removed.code, removed.out).toBe(0);
    const sent = s.sim.payments.length;
    // The n-th call to Odoo: setup makes its models, fields, views and actions in many calls.
    const nth = (n: number) => {
      let seen = 0;
      return () => ++seen === n;
    };
    for (const [n, how] of [
      [12, 'in Odoo'],
      [40, 'withhold'],
    ] as const) {
      const gone = await runKilled(['setup'], 'odoo', nth(n), how);
      expect(gone.killed, `setup ended before its call ${n}: ${gone.out}`).toBe(true);
    }
    const again = await cli(['setup']).exited;
    expect(again.code, again.out).toBe(0);
    const invoiced = await cli(['invoice', '--period', '2024-05', '--json']).exited;
    expect(invoiced.code, invoiced.out).toBe(0);
    const pushed = await cli(['payments', 'push', '--json']).exited;
    expect(pushed.code, pushed.out).toBe(0);
    expect(s.sim.payments.length, 'what reached RCP before is not sent again').toBe(sent);
  }, 900_000);
});
