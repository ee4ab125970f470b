import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOutput } from '../../connector/cli/output.ts';
import { runWork } from '../../connector/cli/run-work.ts';
import { currentConfig } from '../../connector/config.ts';
import { silentLogger } from '../../connector/log.ts';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import type { InvoiceReport } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { describeInvoices, invoice } from '../../connector/work/invoice.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { type Processes, realProcesses } from '../../jobs/processes.ts';
import { createRunner, enqueueJob } from '../../jobs/worker.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';
import { startRedis } from '../support/redis.ts';

/**
 * The story on a real Odoo: a worker started without INVOICE_TAX_IDS; `.env` then names a
 * 22 % sale tax; the next invoice run requested in Odoo (RCP → Runs) puts it on the month's drafts
 * and its record says so (`taxes: no tax → VAT 22 % on N drafts`); the CLI's run taking it off says
 * the reverse in its output and its record; a value the CLI would refuse refuses the worker's run.
 */
interface RunRow extends OdooRecord {
  x_state: string;
  x_summary: string | false;
  x_move_ids: number[];
  x_trigger: string | false;
}
interface MoveRow extends OdooRecord {
  amount_untaxed: number;
  amount_tax: number;
  state: string;
}
interface LineRow extends OdooRecord {
  move_id: [number, string];
  tax_ids: number[];
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('settings read for each run'), () => {
  // 12 clients: a seed of 6 once left a single invoiced counterparty, and these tests need several.
  const stack = useRealStack(
    'settings',
    { today: '2024-06-01', clients: 12, partners: 2, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let taxId: number;
  let dotenv: string;
  let env: Record<string, string>;
  let processes: Processes;
  let journal: number;

  beforeAll(async () => {
    s = stack();
    [taxId] = (await s.admin.create('account.tax', [
      { name: 'VAT 22 %', amount: 22, amount_type: 'percent', type_tax_use: 'sale' },
    ])) as [number];
    await syncMasterData(s.deps, { what: 'all' });
    const odoo = s.odoo.config.odoo as NonNullable<RealStack['deps']['config']['odoo']>;
    // The worker's environment as it started: no INVOICE_TAX_IDS (and no .env yet).
    env = {
      RCP_URL: s.sim.url,
      RCP_TOKEN: s.sim.token,
      ODOO_URL: odoo.url,
      ODOO_DB: odoo.db,
      ODOO_USER: odoo.user,
      [odoo.secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD']: odoo.secret.value.reveal(),
      ...(odoo.companyId ? { ODOO_COMPANY_ID: String(odoo.companyId) } : {}),
      RCP_OWN_PARTNER_IDS: s.deps.config.ownPartnerIds.join(','),
    };
    dotenv = join(mkdtempSync(join(tmpdir(), 'rcp-odoo-settings-')), '.env');
    processes = realProcesses((needs) => currentConfig(needs, { env, dotenvPath: dotenv }), silentLogger);
    return () => processes.close();
  }, 600_000); // setup and a first sync take minutes on a loaded machine

  const requestAndPoll = async (): Promise<RunRow> => {
    const [id] = await s.deps.odoo.create('x_rcp_run', [{ x_kind: 'invoice', x_period: '2024-05' }]);
    const polled = await pollOnce({
      deps: () => (processes.deps as NonNullable<Processes['deps']>)(),
      lastOdoo: () => (processes.lastOdoo as NonNullable<Processes['lastOdoo']>)(),
      log: silentLogger,
      worker: 'test-worker',
      pollSeconds: 1,
      staleSeconds: 900,
    });
    expect(polled).toBe(id);
    return (
      await s.admin.read<RunRow>(
        'x_rcp_run',
        [id as number],
        ['x_state', 'x_summary', 'x_move_ids', 'x_trigger'],
      )
    )[0] as RunRow;
  };
  const taxesOfLines = async (moveIds: number[]) =>
    (
      await s.admin.searchRead<LineRow>(
        'account.move.line',
        [
          ['move_id', 'in', moveIds],
          ['display_type', '=', 'product'],
        ],
        ['move_id', 'tax_ids'],
      )
    ).map((l) => l.tax_ids);
  let drafts: number[] = [];

  it('a run requested in Odoo after .env named a tax puts it on every draft and says so in its record', async () => {
    const first = await requestAndPoll();
    expect(first.x_state).toBe('done');
    drafts = first.x_move_ids;
    expect(drafts.length).toBeGreaterThan(1);
    const before = await taxesOfLines(drafts);
    expect(before.length).toBeGreaterThanOrEqual(drafts.length);
    expect(before.every((ids) => ids.length === 0)).toBe(true);
    expect(first.x_summary).not.toContain('setting changed');

    writeFileSync(dotenv, `INVOICE_TAX_IDS=${taxId}\n`);
    const second = await requestAndPoll();
    expect(second.x_state).toBe('done');
    expect(second.x_summary).toContain(`taxes: no tax → VAT 22 % on ${drafts.length} drafts`);
    expect(new Set(second.x_move_ids)).toEqual(new Set(drafts));
    expect((await taxesOfLines(drafts)).every((ids) => ids.length === 1 && ids[0] === taxId)).toBe(true);
    // Odoo's own tax amounts: 22 % of each draft's untaxed amount (rounded per line or globally).
    const moves = await s.admin.read<MoveRow>('account.move', drafts, [
      'amount_untaxed',
      'amount_tax',
      'state',
    ]);
    for (const move of moves) {
      expect(move.state).toBe('draft');
      expect(move.amount_tax).toBeGreaterThan(0);
      expect(Math.abs(move.amount_tax - move.amount_untaxed * 0.22)).toBeLessThan(0.05);
    }
  }, 300_000);

  it('the CLI taking the tax off says the reverse in its output (human and --json) and its run record', async () => {
    writeFileSync(dotenv, 'INVOICE_TAX_IDS=\n');
    let printed = '';
    const stdout = new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk);
        done();
      },
    });
    const ctx = {
      out: createOutput(true, stdout),
      log: silentLogger,
      config: (needs: Parameters<typeof currentConfig>[0]) =>
        currentConfig(needs, { env, dotenvPath: dotenv }),
    };
    expect(await runWork(ctx, invoice, { period: '2024-05' })).toBe(0);
    const report = JSON.parse(printed) as InvoiceReport;
    const line = `taxes: VAT 22 % → no tax on ${drafts.length} drafts`;
    expect(report.changes).toEqual([line]);
    expect(describeInvoices(report)).toContain(line);
    expect((await taxesOfLines(drafts)).every((ids) => ids.length === 0)).toBe(true);
    const [run] = await s.admin.searchRead<RunRow>(
      'x_rcp_run',
      [['x_trigger', '=', 'cli']],
      ['x_state', 'x_summary', 'x_move_ids', 'x_trigger'],
      { order: 'id desc', limit: 1 },
    );
    expect(run?.x_state).toBe('done');
    expect(run?.x_summary).toContain(line);
  }, 300_000);

  it('INVOICE_JOURNAL_ID set: the next requested run moves the drafts to that journal and names the change', async () => {
    [journal] = (await s.admin.create('account.journal', [
      { name: 'RCP Sales', code: 'RCPS', type: 'sale' },
    ])) as [number];
    const [held] = await s.admin.read<{ id: number; journal_id: [number, string] }>('account.move', drafts, [
      'journal_id',
    ]);
    const [old] = await s.admin.read<{ id: number; name: string }>(
      'account.journal',
      [held?.journal_id[0] as number],
      ['name'],
    );
    writeFileSync(dotenv, `INVOICE_JOURNAL_ID=${journal}\n`);
    const run = await requestAndPoll();
    expect(run.x_state).toBe('done');
    expect(run.x_summary).toContain(`journal: ${old?.name} → RCP Sales on ${drafts.length} drafts`);
    expect(run.x_summary).not.toContain('taxes:');
    const moves = await s.admin.read<{ id: number; journal_id: [number, string]; state: string }>(
      'account.move',
      drafts,
      ['journal_id', 'state'],
    );
    expect(moves.every((m) => m.journal_id[0] === journal && m.state === 'draft')).toBe(true);
  }, 300_000);

  it('a value the CLI would refuse refuses the next requested run, with the reason, and writes nothing', async () => {
    writeFileSync(dotenv, 'INVOICE_TAX_IDS=VAT 22\n');
    const refused = await requestAndPoll();
    expect(refused.x_state).toBe('failed');
    expect(refused.x_summary).toContain('INVOICE_TAX_IDS is not valid (got "VAT 22")');
    expect((await taxesOfLines(drafts)).every((ids) => ids.length === 0)).toBe(true);
  }, 300_000);

  it('a queued invoice run (the schedule’s flow) is refused and recorded so while .env is invalid; once valid it names the change in its record', async () => {
    const redis = await startRedis();
    const runner = createRunner({
      redisUrl: redis.url,
      processes,
      log: silentLogger,
      queueName: `settings-${Date.now()}`,
    });
    const latest = async () =>
      (
        await s.admin.searchRead<RunRow>(
          'x_rcp_run',
          [
            ['x_kind', '=', 'invoice'],
            ['x_worker', '=like', 'worker@%'],
          ],
          ['x_state', 'x_summary', 'x_move_ids', 'x_trigger'],
          { order: 'id desc', limit: 1 },
        )
      )[0];
    const finishedAfter = async (after: number): Promise<RunRow> => {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const row = await latest();
        if (row && row.id > after && row.x_state !== 'running') return row;
        if (Date.now() > deadline) throw new Error(`the queued run did not finish: ${JSON.stringify(row)}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    try {
      // .env still says INVOICE_TAX_IDS=VAT 22 (the test before).
      const refused = await (async () => {
        const before = (await latest())?.id ?? 0;
        await enqueueJob(runner.queue, { kind: 'invoice', period: '2024-05' });
        return finishedAfter(before);
      })();
      expect(refused.x_state).toBe('failed');
      expect(refused.x_summary).toContain('INVOICE_TAX_IDS is not valid (got "VAT 22")');
      expect((await taxesOfLines(drafts)).every((ids) => ids.length === 0)).toBe(true);

      writeFileSync(dotenv, `INVOICE_TAX_IDS=${taxId}\nINVOICE_JOURNAL_ID=${journal}\n`);
      await enqueueJob(runner.queue, { kind: 'invoice', period: '2024-05' });
      const done = await finishedAfter(refused.id);
      expect(done.x_state).toBe('done');
      expect(done.x_summary).toContain(`taxes: no tax → VAT 22 % on ${drafts.length} drafts`);
      expect(done.x_summary).not.toContain('journal:');
      expect((await taxesOfLines(drafts)).every((ids) => ids.length === 1 && ids[0] === taxId)).toBe(true);
    } finally {
      await runner.close();
      await redis.stop();
    }
  }, 300_000);
});
