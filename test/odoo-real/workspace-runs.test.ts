import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import { silentLogger } from '../../connector/log.ts';
import type { OdooClient, OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { invoiceCounterparty, listCounterparties } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { describeSync } from '../../connector/work/sync.ts';
import { ACTION_ACCEPT_SUGGESTION } from '../../connector/workspace/definition.ts';
import { fullXmlid } from '../../connector/workspace/items.ts';
import { claimNextRun, finishRun, raiseProgress, recordedRun } from '../../connector/workspace/runs.ts';
import { pollOnce } from '../../jobs/poller.ts';
import type { Processes } from '../../jobs/processes.ts';
import { createRunner, enqueueJob } from '../../jobs/worker.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, connectAccountant, useRealStack } from '../support/real-stack.ts';
import { startRedis } from '../support/redis.ts';

/**
 * RCP → Runs and RCP → Counterparties driven as an accountant would, through the API, on a real
 * Odoo: setup (as admin), an accountant user (RCP / User + Billing) requests runs, the worker's poll
 * (the connector's user) claims and runs them, and links chosen in Odoo are applied by the next sync.
 */
interface RunRow extends OdooRecord {
  id: number;
  x_state: string;
  x_progress: number;
  x_failed_count: number;
  x_summary: string | false;
  x_worker: string | false;
  x_trigger: string | false;
  x_move_ids: number[];
}
const RUN_FIELDS = [
  'x_state',
  'x_progress',
  'x_failed_count',
  'x_summary',
  'x_worker',
  'x_trigger',
  'x_move_ids',
];

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('the RCP workspace at work'), () => {
  const stack = useRealStack(
    'runs',
    { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let accountant: OdooClient;
  const tag = `${Date.now()}`;

  beforeAll(async () => {
    s = stack();
    const login = `rcp_accountant_${tag}`;
    ({ client: accountant } = await connectAccountant(s, {
      name: 'RCP accountant',
      login,
      password: `pw-${tag}-Accountant`,
    }));
    return async () => {
      await accountant?.close();
    };
  });

  const readRun = async (id: number) =>
    (await s.admin.read<RunRow>('x_rcp_run', [id], RUN_FIELDS))[0] as RunRow;
  const poll = (deps = s.deps, worker = 'test-worker') =>
    pollOnce({ deps: async () => deps, log: silentLogger, worker, pollSeconds: 1, staleSeconds: 900 });

  it('an accountant requests a sync; the worker’s poll claims it, runs it and writes the outcome', async () => {
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'sync' }]);
    const requested = await readRun(id as number);
    expect(requested).toMatchObject({ x_state: 'requested', x_trigger: 'odoo' });
    expect(await poll()).toBe(id);
    const run = await readRun(id as number);
    expect(run).toMatchObject({
      x_state: 'done',
      x_progress: 100,
      x_failed_count: 0,
      x_worker: 'test-worker',
    });
    expect(run.x_summary).toMatch(/client\s+6\s/);
    // Nothing else waits: the next poll claims nothing.
    expect(await poll()).toBeUndefined();
  });

  it("an invoice run for a month links the invoices it made; a run without its month is refused on save with the worker's words", async () => {
    // What the worker would refuse cannot be saved: the same rule and words (connector/workspace/run-rules.ts).
    await expect(accountant.create('x_rcp_run', [{ x_kind: 'reconcile' }])).rejects.toThrow(
      /a month is needed as YYYY-MM \(got ""\)/,
    );
    await expect(
      accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: 'ноябрь 2026' }]),
    ).rejects.toThrow(/a month is needed as YYYY-MM \(got "ноябрь 2026"\)/);
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2024-05' }]);
    expect(await poll()).toBe(id);
    const run = await readRun(id as number);
    expect(run.x_state).toBe('done');
    expect(run.x_move_ids.length).toBeGreaterThan(0);
    const moves = await s.admin.read<{ id: number; move_type: string; state: string }>(
      'account.move',
      run.x_move_ids,
      ['move_type', 'state'],
    );
    expect(moves.every((m) => m.move_type === 'out_invoice' && m.state === 'draft')).toBe(true);
    // Nothing refused was left behind for the worker.
    expect(await poll()).toBeUndefined();
  });

  it('two workers polling at once: each requested run is claimed by exactly one of them', async () => {
    const ids = await accountant.create('x_rcp_run', [
      { x_kind: 'payments', x_dry_run: true },
      { x_kind: 'payments', x_dry_run: true },
      { x_kind: 'payments', x_dry_run: true },
    ]);
    const other = await s.reconnect();
    const claims = await Promise.all(
      [s.deps, other, s.deps, other, s.deps, other].map((d, i) =>
        claimNextRun(d.odoo, `worker-${i % 2}`, { staleSeconds: 900 }),
      ),
    );
    const claimed = claims.flatMap((c) => (c.run ? [c.run.id] : []));
    expect(claimed.sort()).toEqual([...ids].sort());
    const rows = await s.admin.read<RunRow>('x_rcp_run', ids, RUN_FIELDS);
    expect(rows.every((r) => r.x_state === 'running')).toBe(true);
  });

  it('a run whose worker died (running, no progress) is marked failed with the reason by the next poll', async () => {
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'payments', x_dry_run: true }]);
    const first = await claimNextRun(s.deps.odoo, 'doomed-worker', { staleSeconds: 900 });
    expect(first.run?.id).toBe(id);
    await new Promise((r) => setTimeout(r, 5_000));
    const next = await claimNextRun(s.deps.odoo, 'next-worker', { staleSeconds: 2 });
    expect(next.expired).toContain(id);
    const run = await readRun(id as number);
    expect(run.x_state).toBe('failed');
    expect(run.x_summary).toMatch(/worker \(doomed-worker\) stopped/);
  });

  it('reports of progress arriving out of order, from two connections at once, only ever raise it, and never touch a finished run', async () => {
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'payments', x_dry_run: true }]);
    const claimed = await claimNextRun(s.deps.odoo, 'progress-worker', { staleSeconds: 900 });
    expect(claimed.run?.id).toBe(id);
    const other = await s.reconnect();
    // Reports of 10..90 %, sent shuffled, half through each connection, all at once.
    const reports = [50, 20, 90, 10, 70, 30, 80, 40, 60];
    const raised = await Promise.all(
      reports.map((p, i) => raiseProgress((i % 2 ? other : s.deps).odoo, id as number, p)),
    );
    expect((await readRun(id as number)).x_progress).toBe(90);
    // The 90 was raised by its own report; a report lower than one already written raised nothing.
    expect(raised[reports.indexOf(90)]).toBe(true);
    expect(await raiseProgress(s.deps.odoo, id as number, 60)).toBe(false);
    expect((await readRun(id as number)).x_progress).toBe(90);
    await finishRun(s.deps.odoo, id as number, { failed: [] });
    expect(await raiseProgress(other.odoo, id as number, 95)).toBe(false);
    expect(await readRun(id as number)).toMatchObject({ x_state: 'done', x_progress: 100 });
  });

  interface CpRow extends OdooRecord {
    x_rcp_id: string;
    x_kind: string;
    x_state: string;
    x_partner_id: [number, string] | false;
    x_linked_partner_id: [number, string] | false;
    x_suggested_partner_id: [number, string] | false;
    x_parent_id: [number, string] | false;
    x_keep_details: boolean;
    x_balance: number;
    x_billing_plan: string | false;
  }
  const CP_FIELDS = [
    'x_rcp_id',
    'x_kind',
    'x_state',
    'x_partner_id',
    'x_linked_partner_id',
    'x_suggested_partner_id',
    'x_parent_id',
    'x_keep_details',
    'x_balance',
    'x_billing_plan',
  ];
  const counterparty = async (rcpId: string) =>
    (
      await s.admin.searchRead<CpRow>('x_rcp_counterparty', [['x_rcp_id', '=', rcpId]], CP_FIELDS)
    )[0] as CpRow;
  const linkOf = async (kind: string, rcpId: string) =>
    (await externalIds(s.admin).resolve([xmlidOf(kind as 'client', rcpId)])).get(
      xmlidOf(kind as 'client', rcpId),
    )?.id;
  const sync = async (config: Partial<ProcessDeps['config']> = {}, sliceSize?: number) => {
    const deps = await s.reconnect();
    const report = await syncMasterData(
      { ...deps, config: { ...deps.config, ...config } },
      { what: 'all', sliceSize },
    );
    expect(report.failed).toEqual([]);
    return report;
  };
  interface Company extends OdooRecord {
    name: string;
    email: string | false;
    ref: string | false;
    category_id: number[];
  }
  const company = async (id: number) =>
    (await s.admin.read<Company>('res.partner', [id], ['name', 'email', 'ref', 'category_id']))[0] as Company;

  it('every sync writes one counterparty record per RCP partner and client, linked to its company', async () => {
    await sync();
    const rows = await s.admin.searchRead<CpRow>('x_rcp_counterparty', [], CP_FIELDS);
    const world = s.sim.world;
    expect(rows).toHaveLength(world.partners.length + world.order.length);
    for (const row of rows) {
      expect({ id: row.x_rcp_id, state: row.x_state }).toEqual({ id: row.x_rcp_id, state: 'linked' });
      expect((row.x_partner_id as [number, string])[0]).toBe(await linkOf(row.x_kind, row.x_rcp_id));
      expect(row.x_billing_plan).toBeTruthy();
    }
    const client = world.order.map((i) => world.client(i)).find((c) => c.partner);
    const row = rows.find((r) => r.x_rcp_id === client?.id);
    expect(row?.x_parent_id).toBeTruthy();
    // A second sync changes no counterparty record.
    const again = await sync();
    expect(again.counts['counterparty record']).toMatchObject({ created: 0, updated: 0 });
  });

  it('an accountant links a client to an existing company, re-links it, links a second client to the same company: the next sync applies each and never renames it', async () => {
    await sync();
    const [first, second] = s.sim.world.order.map((i) => s.sim.world.client(i));
    const clientA = first?.id as string;
    const clientB = second?.id as string;
    const formerA = (await linkOf('client', clientA)) as number;
    const [ownTag] = await s.admin.create('res.partner.category', [{ name: `Key account ${tag}` }]);
    const [acme, globex] = await s.admin.create('res.partner', [
      {
        name: `ООО «Акме» ${tag}`,
        is_company: true,
        email: 'books@acme.example',
        category_id: [[6, 0, [ownTag]]],
      },
      { name: `Globex ${tag}`, is_company: true, email: 'ap@globex.example' },
    ]);
    const cpA = await counterparty(clientA);
    expect(cpA.x_linked_partner_id).toEqual([formerA, expect.any(String)]);
    await accountant.write('x_rcp_counterparty', [cpA.id], { x_partner_id: acme });
    // The status shows the accountant's choice at once; the company linked in RCP's records is
    // still the former one until the sync applies the choice.
    const chosen = await counterparty(clientA);
    expect(chosen.x_state).toBe('linked');
    expect(chosen.x_linked_partner_id).toEqual([formerA, expect.any(String)]);
    const linked = await sync();
    expect(linked.warnings.join('\n')).toMatch(/1 link\(s\) chosen in RCP → Counterparties applied/);
    expect(await linkOf('client', clientA)).toBe(acme);
    const acmeNow = await company(acme as number);
    expect(acmeNow).toMatchObject({ name: `ООО «Акме» ${tag}`, email: 'books@acme.example', ref: clientA });
    // The connector's tag is added to the company's own.
    expect(acmeNow.category_id).toContain(ownTag);
    expect(acmeNow.category_id.length).toBe(2);
    expect(await counterparty(clientA)).toMatchObject({
      x_state: 'linked',
      x_keep_details: true,
      x_linked_partner_id: [acme, expect.any(String)],
    });
    // The company the client had before is left as it was (not deleted, not renamed).
    expect((await company(formerA)).name).toBe(first?.name);

    // Re-link to another company: the external ID moves.
    await accountant.write('x_rcp_counterparty', [cpA.id], { x_partner_id: globex });
    await sync();
    expect(await linkOf('client', clientA)).toBe(globex);
    expect(await company(globex as number)).toMatchObject({
      name: `Globex ${tag}`,
      email: 'ap@globex.example',
    });

    // A second client on the same company: both linked, the name still the accountant's.
    const cpB = await counterparty(clientB);
    await accountant.write('x_rcp_counterparty', [cpB.id], { x_partner_id: globex });
    const both = await sync();
    expect(await linkOf('client', clientB)).toBe(globex);
    expect(await linkOf('client', clientA)).toBe(globex);
    expect((await company(globex as number)).name).toBe(`Globex ${tag}`);
    // A third sync writes nothing more: the shared company's reference is not flipped between its
    // clients, also when each client is a slice of its own (the sync asks Odoo who shares it).
    const third = await sync({}, 1);
    expect(third.counts.client).toMatchObject({ updated: 0 });
    expect(third.counts['counterparty record']).toMatchObject({ failed: 0, created: 0 });
    expect(both.counts.client?.failed).toBe(0);
  });

  it('clearing the company unlinks; SYNC_NEW_COUNTERPARTIES=match leaves new counterparties to match with a suggestion the accountant accepts', async () => {
    await sync();
    const client = s.sim.world.client(s.sim.world.order[2] as number);
    const former = (await linkOf('client', client.id)) as number;
    const cp = await counterparty(client.id);
    await accountant.write('x_rcp_counterparty', [cp.id], { x_partner_id: false });
    // Unlinked at once in the list (To match); the sync still applies it.
    expect(await counterparty(client.id)).toMatchObject({
      x_state: 'to_match',
      x_linked_partner_id: [former, expect.any(String)],
    });
    const companies = await s.admin.searchCount('res.partner', [['is_company', '=', true]]);
    await sync({ newCounterparties: 'match' });
    expect(await linkOf('client', client.id)).toBeUndefined();
    const waiting = await counterparty(client.id);
    expect(waiting).toMatchObject({ x_state: 'to_match', x_linked_partner_id: false });
    // The sync made no company for it, and suggests the one with its reference.
    expect(await s.admin.searchCount('res.partner', [['is_company', '=', true]])).toBe(companies);
    expect((waiting.x_suggested_partner_id as [number, string])[0]).toBe(former);
    const accept = (await externalIds(s.admin).resolve([fullXmlid(ACTION_ACCEPT_SUGGESTION)])).get(
      fullXmlid(ACTION_ACCEPT_SUGGESTION),
    )?.id as number;
    await accountant.callOn('ir.actions.server', 'run', [accept], undefined, {
      active_model: 'x_rcp_counterparty',
      active_id: cp.id,
      active_ids: [cp.id],
    });
    await sync({ newCounterparties: 'match' });
    expect(await linkOf('client', client.id)).toBe(former);
    expect(await counterparty(client.id)).toMatchObject({ x_state: 'linked', x_suggested_partner_id: false });
  });

  it('a run started from the command line is recorded the same way (Started by: Command line), and its error too', async () => {
    const deps = await s.reconnect();
    await recordedRun(
      deps,
      { kind: 'sync', trigger: 'cli', worker: 'cli-test' },
      (d) => syncMasterData(d, { what: 'all' }),
      (r) => ({ text: describeSync(r), failed: r.failed }),
    );
    await expect(
      recordedRun(
        deps,
        { kind: 'reconcile', trigger: 'cli', worker: 'cli-test', period: '2024-05' },
        async () => {
          throw new Error('RCP answered 503 three times');
        },
        () => ({ failed: [] }),
      ),
    ).rejects.toThrow(/503/);
    const rows = await s.admin.searchRead<RunRow & { x_kind: string }>(
      'x_rcp_run',
      [['x_worker', '=', 'cli-test']],
      [...RUN_FIELDS, 'x_kind'],
      { order: 'id' },
    );
    expect(rows.map((r) => [r.x_kind, r.x_trigger, r.x_state])).toEqual([
      ['sync', 'cli', 'done'],
      ['reconcile', 'cli', 'failed'],
    ]);
    expect(rows[0]?.x_summary).toMatch(/counterparty record/);
    expect(rows[1]?.x_summary).toMatch(/Failed: RCP answered 503 three times/);
  });

  it('a queued invoice run (the schedule’s flow, one job per counterparty) is recorded, shows its progress as its counterparties finish, and is finished with its invoices', async () => {
    const redis = await startRedis();
    const deps = await s.reconnect();
    const processes: Processes = {
      run: (work, input) => work.run(deps, input),
      listCounterparties: (period, filter) => listCounterparties(deps, period, filter),
      // Each counterparty takes a second at least, so that the run is seen between its start and end.
      invoiceCounterparty: async (period, unit, options) => {
        await new Promise((r) => setTimeout(r, 1_000));
        return invoiceCounterparty(deps, period, unit, undefined, options?.force ?? false);
      },
      deps: async () => deps,
      health: async () => ({ rcp: true, odoo: true }),
      close: async () => {},
    };
    const queueName = `runs-${Date.now()}`;
    const seen: number[] = [];
    const runner = createRunner({ redisUrl: redis.url, processes, log: silentLogger, queueName });
    try {
      await enqueueJob(runner.queue, { kind: 'invoice', period: '2024-05' });
      const deadline = Date.now() + 90_000;
      let row: (RunRow & { x_kind: string; x_move_ids: number[] }) | undefined;
      for (;;) {
        [row] = await s.admin.searchRead<RunRow & { x_kind: string; x_move_ids: number[] }>(
          'x_rcp_run',
          [
            ['x_kind', '=', 'invoice'],
            ['x_worker', '=like', 'worker@%'],
          ],
          [...RUN_FIELDS, 'x_kind', 'x_move_ids'],
          { order: 'id desc', limit: 1 },
        );
        if (row && row.x_state !== 'running') break;
        if (row) seen.push(row.x_progress);
        if (Date.now() > deadline)
          throw new Error(`the queued invoice run did not finish: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(row).toMatchObject({ x_state: 'done', x_trigger: 'cli', x_failed_count: 0, x_progress: 100 });
      // Between its start and its end, the share of its counterparties finished, only upwards.
      expect(
        seen.some((p) => p > 0 && p < 100),
        `progress seen: ${seen.join(' ')}`,
      ).toBe(true);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      expect(row?.x_summary).toMatch(/invoices for 2024-05: \d+ invoiced counterpart/);
      expect(row?.x_move_ids.length).toBeGreaterThan(0);
      const moves = await s.admin.read<{ id: number; state: string; move_type: string }>(
        'account.move',
        row?.x_move_ids ?? [],
        ['state', 'move_type'],
      );
      expect(moves.every((m) => m.move_type === 'out_invoice' && m.state === 'draft')).toBe(true);
    } finally {
      await runner.close();
      await redis.stop();
    }
  });

  it('an accountant may not delete a run (RCP / Manager may)', async () => {
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'payments', x_dry_run: true }]);
    await expect(accountant.unlink('x_rcp_run', [id as number])).rejects.toThrow();
    await s.admin.unlink('x_rcp_run', [id as number]);
  });
});
