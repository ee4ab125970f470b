import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient, type OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { Secret } from '../../connector/secret.ts';
import { claimNextRun } from '../../connector/workspace/runs.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

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
  const stack = useRealStack('runs', { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 });
  let s: RealStack;
  let accountant: OdooClient;
  const tag = `${Date.now()}`;

  beforeAll(async () => {
    s = stack();
    await setupWorkspace(s.admin, {
      dryRun: false,
      connectorLogin: s.odoo.config.odoo?.user as string,
      currency: 'RUB',
    });
    const groups = await externalIds(s.admin).resolve([
      'rcp_connector.group_user',
      'account.group_account_invoice',
      'base.group_user',
    ]);
    const login = `rcp_accountant_${tag}`;
    const password = `pw-${tag}-Accountant`;
    await s.admin.create('res.users', [
      {
        name: 'RCP accountant',
        login,
        password,
        [s.admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
      },
    ]);
    accountant = await OdooClient.connect({
      ...s.odoo.admin,
      user: login,
      secret: { kind: 'password', value: new Secret(password) },
    });
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

  it('an invoice run for a month links the invoices it made; a run without its month fails and says why', async () => {
    const [id, bad] = await accountant.create('x_rcp_run', [
      { x_kind: 'invoice', x_period: '2024-05' },
      { x_kind: 'reconcile' },
    ]);
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
    expect(await poll()).toBe(bad);
    const failed = await readRun(bad as number);
    expect(failed.x_state).toBe('failed');
    expect(failed.x_summary).toMatch(/a month is needed as YYYY-MM/);
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
    await new Promise((r) => setTimeout(r, 2_500));
    const next = await claimNextRun(s.deps.odoo, 'next-worker', { staleSeconds: 2 });
    expect(next.expired).toContain(id);
    const run = await readRun(id as number);
    expect(run.x_state).toBe('failed');
    expect(run.x_summary).toMatch(/worker \(doomed-worker\) stopped/);
  });

  it('an accountant may not delete a run (RCP / Manager may)', async () => {
    const [id] = await accountant.create('x_rcp_run', [{ x_kind: 'payments', x_dry_run: true }]);
    await expect(accountant.unlink('x_rcp_run', [id as number])).rejects.toThrow();
    await s.admin.unlink('x_rcp_run', [id as number]);
  });
});
