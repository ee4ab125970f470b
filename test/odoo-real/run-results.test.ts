import { beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../connector/log.ts';
import type { OdooClient, OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { ACTION_RETRY_RUN } from '../../connector/workspace/definition.ts';
import { fullXmlid } from '../../connector/workspace/items.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { rcpCostKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, connectAccountant, useRealStack } from '../support/real-stack.ts';

/**
 * A run's results as records, on a real Odoo (issue 29, part B): its counts as fields, each failed
 * record a line linked to its RCP counterparty and Odoo company, the requester told in the run's
 * chatter, and Retry failed asking for just those records; a finished run is not the accountant's
 * to rewrite.
 */
interface RunRow extends OdooRecord {
  id: number;
  x_state: string;
  x_kind: string;
  x_period: string | false;
  x_failed_count: number;
  x_created_count: number;
  x_updated_count: number;
  x_unchanged_count: number;
  x_failure_ids: number[];
  x_retry_of_id: [number, string] | false;
  x_only_rcp_ids: string | false;
  x_move_ids: number[];
  x_summary: string | false;
}
const RUN_FIELDS = [
  'x_state',
  'x_kind',
  'x_period',
  'x_failed_count',
  'x_created_count',
  'x_updated_count',
  'x_unchanged_count',
  'x_failure_ids',
  'x_retry_of_id',
  'x_only_rcp_ids',
  'x_move_ids',
  'x_summary',
];

interface FailureRow extends OdooRecord {
  x_kind: string;
  x_rcp_id: string | false;
  x_counterparty_id: [number, string] | false;
  x_partner_id: [number, string] | false;
  x_reason: string | false;
}

/** The id of a many2one's value (Odoo answers false for none). */
const idOf = (value: [number, string] | false) => (value ? value[0] : undefined);

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('a run’s results as records, and Retry failed'), () => {
  const stack = useRealStack(
    'results',
    { today: '2024-06-01', clients: 6, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let accountant: OdooClient;
  let accountantPartner: number;
  const tag = `${Date.now()}`;

  beforeAll(async () => {
    s = stack();
    const made = await connectAccountant(s, {
      name: 'RCP accountant',
      login: `rcp_results_${tag}`,
      password: `pw-${tag}-Results`,
    });
    accountant = made.client;
    const [user] = await s.admin.read<{ id: number; partner_id: [number, string] }>(
      'res.users',
      [made.id],
      ['partner_id'],
    );
    accountantPartner = user?.partner_id[0] as number;
    return async () => {
      await accountant?.close();
    };
  });

  const readRun = async (id: number) =>
    (await s.admin.read<RunRow>('x_rcp_run', [id], RUN_FIELDS))[0] as RunRow;
  const poll = () =>
    pollOnce({
      deps: async () => s.deps,
      log: silentLogger,
      worker: 'results-worker',
      pollSeconds: 1,
      staleSeconds: 900,
    });
  /** The notes the run's chatter holds for the accountant (addressed to their partner). */
  const notesTo = (run: number) =>
    s.admin.searchRead<{ id: number; body: string; partner_ids: number[] }>(
      'mail.message',
      [
        ['model', '=', 'x_rcp_run'],
        ['res_id', '=', run],
        ['partner_ids', 'in', [accountantPartner]],
      ],
      ['body', 'partner_ids'],
    );

  it('a sync run has its counts as fields, stamps Last synced on every counterparty, and the requester gets a note in the run’s chatter', async () => {
    const [id] = (await accountant.create('x_rcp_run', [{ x_kind: 'sync' }])) as [number];
    expect(await poll()).toBe(id);
    const run = await readRun(id);
    expect(run.x_state).toBe('done');
    // 6 clients, 2 partners, their plans and billing classes: each one created on the first sync.
    expect(run.x_created_count).toBeGreaterThanOrEqual(8);
    expect(run.x_created_count + run.x_updated_count + run.x_unchanged_count).toBeGreaterThanOrEqual(8);
    expect(run.x_failed_count).toBe(0);
    expect(run.x_failure_ids).toEqual([]);
    // Last synced: every counterparty record the sync read, stamped by it (a second sync stamps again).
    const stamps = async () =>
      (
        await s.admin.searchRead<{ id: number; x_synced_at: string | false }>(
          'x_rcp_counterparty',
          [],
          ['x_synced_at'],
        )
      ).map((r) => r.x_synced_at);
    const first = await stamps();
    expect(first).toHaveLength(8);
    expect(first.every((at) => typeof at === 'string')).toBe(true);
    const notes = await notesTo(id);
    expect(notes).toHaveLength(1);
    expect(notes[0]?.body).toMatch(/: done\. \d+ created, \d+ updated, \d+ unchanged; no record failed\./);
  });

  it('an invoice run with a client whose usage RCP cannot serve lists that client as a linked failed record; Retry failed, after the fault is gone, invoices just that client', async () => {
    // A client of an own partner is invoiced itself; a reseller's client, through its reseller (the
    // seeded world may have either): the failed record, and the retry, are that counterparty.
    const own = s.sim.world.partners[0]?.id;
    // With usage in the month: a client without any has nothing to invoice once its usage reads.
    const clients = s.sim.world.order
      .map((i) => s.sim.world.client(i))
      .filter((c) => rcpCostKopecks(s.sim.world, c, '2024-05') > 0);
    const client = clients.find((c) => c.partner.id === own) ?? (clients[0] as (typeof clients)[number]);
    const kind = client.partner.id === own ? 'client' : 'partner';
    const uuid = kind === 'client' ? client.id : client.partner.id;
    s.sim.faults.update({ records: [{ id: client.id, fault: 'usage-unreadable' }] });
    let first: RunRow;
    try {
      const [id] = (await accountant.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2024-05' }])) as [
        number,
      ];
      expect(await poll()).toBe(id);
      first = await readRun(id);
    } finally {
      s.sim.faults.update({ records: [] });
    }
    expect(first.x_state).toBe('done');
    expect(first.x_failed_count).toBe(1);
    expect(first.x_created_count).toBeGreaterThan(0);
    // The failed record as a record, read by the accountant: its RCP id, the counterparty and company it links to.
    const failures = await accountant.read<FailureRow>('x_rcp_run_failure', first.x_failure_ids, [
      'x_kind',
      'x_rcp_id',
      'x_counterparty_id',
      'x_partner_id',
      'x_reason',
    ]);
    expect(failures).toHaveLength(1);
    const [failure] = failures as [FailureRow];
    expect(failure.x_rcp_id).toBe(uuid);
    const [cp] = await s.admin.searchRead<{ id: number; x_partner_id: [number, string] | false }>(
      'x_rcp_counterparty',
      [['x_rcp_id', '=', uuid]],
      ['x_partner_id'],
    );
    expect(idOf(failure.x_counterparty_id)).toBe(cp?.id);
    const company = (await externalIds(s.admin).resolve([xmlidOf(kind, uuid)])).get(xmlidOf(kind, uuid));
    expect(idOf(failure.x_partner_id)).toBe(company?.id);
    expect(failure.x_reason).toBeTruthy();
    expect((await notesTo(first.id))[0]?.body).toMatch(/done with failures\. .*1 record\(s\) failed/);

    // Retry failed, as the accountant (the button's server action): a new requested run for just that client.
    const retry = (await externalIds(s.admin).resolve([fullXmlid(ACTION_RETRY_RUN)])).get(
      fullXmlid(ACTION_RETRY_RUN),
    )?.id as number;
    const opened = (await accountant.callOn('ir.actions.server', 'run', [retry], undefined, {
      active_model: 'x_rcp_run',
      active_id: first.id,
      active_ids: [first.id],
    })) as { res_id: number };
    const requested = await readRun(opened.res_id);
    expect(requested).toMatchObject({
      x_state: 'requested',
      x_kind: 'invoice',
      x_period: '2024-05',
      x_only_rcp_ids: uuid,
    });
    expect(idOf(requested.x_retry_of_id)).toBe(first.id);
    const before = await s.admin.searchRead<{ id: number; write_date: string }>(
      'account.move',
      [['id', 'in', first.x_move_ids]],
      ['write_date'],
    );
    expect(await poll()).toBe(requested.id);
    const second = await readRun(requested.id);
    expect(second).toMatchObject({
      x_state: 'done',
      x_failed_count: 0,
      x_created_count: 1,
      x_updated_count: 0,
    });
    // Just that client's invoice: one move, the client's, and the first run's invoices untouched.
    expect(second.x_move_ids).toHaveLength(1);
    const [move] = await s.admin.read<{ id: number; partner_id: [number, string] }>(
      'account.move',
      second.x_move_ids,
      ['partner_id'],
    );
    expect(move?.partner_id[0]).toBe(company?.id);
    const after = await s.admin.searchRead<{ id: number; write_date: string }>(
      'account.move',
      [['id', 'in', first.x_move_ids]],
      ['write_date'],
    );
    expect(after).toEqual(before);
  });

  it('Retry failed is refused, with the reason, for a kind that cannot take a list of records', async () => {
    const [id] = (await accountant.create('x_rcp_run', [{ x_kind: 'payments', x_dry_run: true }])) as [
      number,
    ];
    expect(await poll()).toBe(id);
    const retry = (await externalIds(s.admin).resolve([fullXmlid(ACTION_RETRY_RUN)])).get(
      fullXmlid(ACTION_RETRY_RUN),
    )?.id as number;
    await expect(
      accountant.callOn('ir.actions.server', 'run', [retry], undefined, {
        active_model: 'x_rcp_run',
        active_id: id,
        active_ids: [id],
      }),
    ).rejects.toThrow(/Retry failed is offered for invoice and corrections runs/);
  });

  it('a finished run is the connector’s: the accountant cannot rewrite its state or summary, nor its failed records', async () => {
    const [done] = await s.admin.search('x_rcp_run', [['x_state', '=', 'done']], { limit: 1 });
    await expect(accountant.write('x_rcp_run', [done as number], { x_state: 'requested' })).rejects.toThrow();
    await expect(
      accountant.write('x_rcp_run', [done as number], { x_summary: 'all fine' }),
    ).rejects.toThrow();
    const [failure] = await s.admin.search('x_rcp_run_failure', [], { limit: 1 });
    await expect(
      accountant.write('x_rcp_run_failure', [failure as number], { x_reason: 'nothing' }),
    ).rejects.toThrow();
    const run = await readRun(done as number);
    expect(run.x_state).toBe('done');
    expect(run.x_summary).not.toBe('all fine');
  });
});
