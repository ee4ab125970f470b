import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { OdooError } from '../../connector/odoo/errors.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { invoiceCorrections } from '../../connector/processes/invoice-corrections.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { Secret } from '../../connector/secret.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import type { Simulator } from '../../connector/simulator/server.ts';
import { writeCorrection } from '../../connector/workspace/corrections.ts';
import { REPORT_UKD, reportName } from '../../connector/workspace/documents.ts';
import { pollOnce } from '../../jobs/poller.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { connectAccountant, useRealStack } from '../support/real-stack.ts';
import { webSession } from '../support/report-pages.ts';
import { expectUkdChainAddsUp, printedKopecks, ukdPage } from '../support/ukd-page.ts';

/**
 * RCP's usage changes after the month's invoices were posted: one direct client's usage up, one
 * reseller's client's down. A corrections run makes one additional invoice and one credit note for
 * exactly the differences (Odoo's totals to the kopeck against the simulator's own figures),
 * linked to the originals; a second run makes nothing; two runs at once make one; once the
 * corrections are posted, `reconcile` is clean.
 */
const available = Boolean(realOdooFromEnv().odoo);
const PERIOD = '2024-05';

interface Move extends Record<string, unknown> {
  id: number;
  move_type: string;
  state: string;
  amount_total: number;
  amount_untaxed: number;
  reversed_entry_id: [number, string] | false;
  invoice_origin: string | false;
  partner_id: [number, string] | false;
  name: string | false;
}

const kopecks = (amount: number) => Math.round(amount * 100);

const idOf = (value: [number, string] | false | undefined) => (value ? value[0] : undefined);

describe.skipIf(!available)(realTitle('corrections of posted invoices'), () => {
  const stack = useRealStack(
    'corrections',
    { today: '2024-06-01', clients: 8, partners: 2 },
    { workspace: true },
  );
  let sim: Simulator;
  let deps: ProcessDeps;
  let admin: OdooClient;
  let direct: SimClient;
  let resold: SimClient;
  let stopped: SimClient;
  const originals = { direct: 0, reseller: 0, stopped: 0 };
  const invoicedAt = { direct: 0, reseller: 0, stopped: 0 };

  const movesOf = (domain: unknown[]) =>
    admin.searchRead<Move>(
      'account.move',
      [['move_type', 'in', ['out_invoice', 'out_refund']], ...(domain as [])],
      [
        'move_type',
        'state',
        'amount_total',
        'amount_untaxed',
        'reversed_entry_id',
        'invoice_origin',
        'partner_id',
        'name',
      ],
      { order: 'id' },
    );
  const allMoves = () => movesOf([]);
  const correctionsOf = async (originalId: number) => {
    const links = await admin.searchRead<{ id: number; x_move_id: [number, string] }>(
      'x_rcp_usage',
      [['x_corrects_move_id', '=', originalId]],
      ['x_move_id'],
    );
    const ids = [...new Set(links.map((l) => l.x_move_id[0]))];
    return ids.length ? movesOf([['id', 'in', ids]]) : [];
  };

  beforeAll(async () => {
    sim = stack().sim;
    deps = stack().deps;
    admin = stack().admin;
    expect((await syncMasterData(deps, { what: 'all' })).failed).toEqual([]);
    const made = await invoicePeriod(deps, { period: PERIOD });
    expect(made.failed).toEqual([]);
    const world = sim.world;
    const clients = world.order
      .map((i) => world.client(i))
      .filter((c) => rcpCostKopecks(world, c, PERIOD) > 0);
    direct = clients.find((c) => c.partner.id === world.partners[0]?.id) as SimClient;
    resold = clients.find((c) => c.partner.id === world.partners[1]?.id) as SimClient;
    expect(direct).toBeDefined();
    expect(resold).toBeDefined();
    stopped = clients.filter((c) => c.partner.id === world.partners[0]?.id)[1] as SimClient;
    expect(stopped).toBeDefined();
    originals.stopped = made.invoices.find((i) => i.uuid === stopped.id)?.odooId as number;
    originals.direct = made.invoices.find((i) => i.uuid === direct.id)?.odooId as number;
    originals.reseller = made.invoices.find((i) => i.uuid === world.partners[1]?.id)?.odooId as number;
    // The accountant posts the month.
    for (const invoice of made.invoices)
      if (invoice.odooId) await admin.callOn('account.move', 'action_post', [invoice.odooId]);
    const [d, r] = await admin.read<Move>(
      'account.move',
      [originals.direct, originals.reseller],
      ['amount_total', 'state'],
    );
    expect([d?.state, r?.state]).toEqual(['posted', 'posted']);
    invoicedAt.direct = kopecks(d?.amount_total ?? 0);
    invoicedAt.reseller = kopecks(r?.amount_total ?? 0);
    const [st] = await admin.read<Move>('account.move', [originals.stopped], ['amount_total']);
    invoicedAt.stopped = kopecks(st?.amount_total ?? 0);
    expect(invoicedAt.direct).toBe(rcpCostKopecks(world, direct, PERIOD));
    expect(invoicedAt.reseller).toBe(repricedKopecks(world, 1, PERIOD));
    // Then RCP's usage changes: the direct client's up, the reseller's client's down.
    world.scaleUsage(direct.index, 1.5);
    world.scaleUsage(resold.index, 0.5);
  }, 900_000);

  it('without --corrections, reconcile names the two posted invoices that differ and makes nothing', async () => {
    const before = (await allMoves()).length;
    const report = await reconcilePeriod(deps, PERIOD);
    const differing = report.rows.filter((r) => !r.ok).map((r) => r.odooId);
    expect(differing.sort()).toEqual([originals.direct, originals.reseller].sort());
    expect(report.rows.find((r) => r.odooId === originals.direct)?.problem).toContain('--corrections');
    expect((await allMoves()).length).toBe(before);
  }, 300_000);

  it('one additional invoice and one credit note, for exactly the differences, linked to the originals', async () => {
    const before = await allMoves();
    const report = await invoiceCorrections(deps, { period: PERIOD });
    expect(report.failed).toEqual([]);
    const made = (await allMoves()).filter((m) => !before.some((b) => b.id === m.id));
    expect(made.map((m) => m.move_type).sort()).toEqual(['out_invoice', 'out_refund']);
    expect(made.every((m) => m.state === 'draft')).toBe(true);

    const directNow = rcpCostKopecks(sim.world, direct, PERIOD);
    const resellerNow = repricedKopecks(sim.world, 1, PERIOD);
    expect(directNow).toBeGreaterThan(invoicedAt.direct);
    expect(resellerNow).toBeLessThan(invoicedAt.reseller);

    const [debit] = await correctionsOf(originals.direct);
    expect(debit?.move_type).toBe('out_invoice');
    expect(kopecks(debit?.amount_total ?? 0)).toBe(directNow - invoicedAt.direct);
    const [original] = await admin.read<Move>('account.move', [originals.direct], ['name', 'partner_id']);
    expect(debit?.invoice_origin).toBe(original?.name);
    expect(idOf(debit?.partner_id)).toBe(idOf(original?.partner_id));

    const [credit] = await correctionsOf(originals.reseller);
    expect(credit?.move_type).toBe('out_refund');
    expect(idOf(credit?.reversed_entry_id)).toBe(originals.reseller);
    expect(kopecks(credit?.amount_total ?? 0)).toBe(invoicedAt.reseller - resellerNow);

    // Each with its own usage records (signed like the difference), its CSV, and a note on both documents.
    for (const [move, sign, difference] of [
      [debit, 1, directNow - invoicedAt.direct],
      [credit, -1, invoicedAt.reseller - resellerNow],
    ] as const) {
      const records = await admin.searchRead<{ id: number; x_amount: number }>(
        'x_rcp_usage',
        [['x_move_id', '=', move?.id ?? 0]],
        ['x_amount'],
      );
      expect(records.reduce((s, r) => s + kopecks(r.x_amount), 0)).toBe(sign * difference);
      expect(
        await admin.searchCount('ir.attachment', [
          ['res_model', '=', 'account.move'],
          ['res_id', '=', move?.id ?? 0],
        ]),
      ).toBe(1);
    }
    for (const id of [debit?.id, credit?.id, originals.direct, originals.reseller])
      expect(
        await admin.searchCount('mail.message', [
          ['model', '=', 'account.move'],
          ['res_id', '=', id ?? 0],
          ['message_type', '=', 'comment'],
          ['body', 'ilike', 'RCP'],
        ]),
      ).toBeGreaterThan(0);
    const outcomes = report.corrections.map((c) => c.outcome).filter((o) => o !== 'no difference');
    expect(outcomes.sort()).toEqual(['additional invoice', 'credit note']);
  }, 300_000);

  it('a second run with nothing new makes nothing', async () => {
    const before = (await allMoves()).length;
    const report = await invoiceCorrections(deps, { period: PERIOD });
    expect(report.failed).toEqual([]);
    expect(report.corrections.every((c) => c.outcome === 'no difference')).toBe(true);
    expect((await allMoves()).length).toBe(before);
    // A writer that computed from what was invoiced before the first correction is refused by Odoo.
    const stale = await writeCorrection(deps.odoo, {
      originalId: originals.direct,
      invoicedKopecks: invoicedAt.direct,
      move: {
        move_type: 'out_invoice',
        partner_id: idOf((await allMoves()).find((m) => m.id === originals.direct)?.partner_id),
      },
      usage: [],
      attachment: { name: 'rcp-usage-stale.csv', datas: '', mimetype: 'text/csv' },
      note: 'stale',
      originalNote: 'stale',
    });
    expect(stale).toEqual({
      made: false,
      why: 'changed',
      invoicedKopecks: rcpCostKopecks(sim.world, direct, PERIOD),
    });
    expect((await allMoves()).length).toBe(before);
  }, 300_000);

  it('a later change: two runs at once make one further correction, for the new difference only', async () => {
    const corrected = directNowKopecks();
    sim.world.scaleUsage(direct.index, 2);
    const before = (await allMoves()).length;
    const second = await stack().reconnect();
    const reports = await Promise.all([
      invoiceCorrections(deps, { period: PERIOD }),
      invoiceCorrections(second, { period: PERIOD }),
    ]);
    for (const report of reports) expect(report.failed).toEqual([]);
    expect((await allMoves()).length).toBe(before + 1);
    const corrections = await correctionsOf(originals.direct);
    expect(corrections.map((m) => m.move_type)).toEqual(['out_invoice', 'out_invoice']);
    expect(kopecks(corrections[1]?.amount_total ?? 0)).toBe(
      rcpCostKopecks(sim.world, direct, PERIOD) - corrected,
    );
    expect(reports.flatMap((r) => r.corrections).filter((c) => c.documentId !== undefined)).toHaveLength(1);
  }, 300_000);

  it('the УКД of each correction (the direct client’s two, the reseller’s credit note) adds up: А + В − Г = Б per line and column, the totals are the lines’ sums and the correction’s Odoo amounts, А is what the original and the earlier corrections charged, the original is named', async () => {
    const corrections = [
      ...(await correctionsOf(originals.direct)),
      ...(await correctionsOf(originals.reseller)),
    ];
    expect(corrections.map((m) => m.move_type)).toEqual(['out_invoice', 'out_invoice', 'out_refund']);
    // The accountant posts the corrections, then prints them.
    for (const move of corrections)
      if (move.state === 'draft') await admin.callOn('account.move', 'action_post', [move.id]);
    const get = await webSession(stack().odoo.admin.url, stack().odoo.admin.db);
    const print = async (template: string, id: number) => {
      const response = await get(`/report/html/${reportName(template)}/${id}`);
      return { status: response.status, html: await response.text() };
    };
    for (const [originalId, chain] of [
      [originals.direct, corrections.slice(0, 2)],
      [originals.reseller, corrections.slice(2)],
    ] as const)
      await expectUkdChainAddsUp(admin, print, originalId, chain);
    // Against the simulator's own figures: the direct client's first УКД starts from what the posted
    // invoice charged, its second ends at what RCP's usage costs now (every product changed).
    const rowsTotal = async (id: number, row: 'A' | 'B') =>
      [...ukdPage((await print(REPORT_UKD, id)).html).lines.values()].reduce(
        (s, rows) => s + printedKopecks(rows[row]?.['line-total'] ?? ''),
        0,
      );
    expect(await rowsTotal(corrections[0]?.id ?? 0, 'A')).toBe(invoicedAt.direct);
    expect(await rowsTotal(corrections[1]?.id ?? 0, 'B')).toBe(rcpCostKopecks(sim.world, direct, PERIOD));
  }, 300_000);

  it('the УКД of an invoice that is not a connector correction is refused, naming why', async () => {
    const get = await webSession(stack().odoo.admin.url, stack().odoo.admin.db);
    const response = await get(`/report/html/${reportName(REPORT_UKD)}/${originals.direct}`);
    const body = await response.text();
    expect(response.status).not.toBe(200);
    expect(body).toContain('не такая корректировка');
  }, 300_000);

  it('a direct client whose usage fell to nothing: its posted invoice credited whole, once', async () => {
    sim.world.scaleUsage(stopped.index, 0);
    const report = await invoiceCorrections(deps, { period: PERIOD });
    expect(report.failed).toEqual([]);
    const [credit, ...more] = await correctionsOf(originals.stopped);
    expect(more).toEqual([]);
    expect(credit?.move_type).toBe('out_refund');
    expect(idOf(credit?.reversed_entry_id)).toBe(originals.stopped);
    expect(kopecks(credit?.amount_total ?? 0)).toBe(invoicedAt.stopped);
    expect(report.corrections.filter((c) => c.documentId !== undefined).map((c) => c.uuid)).toEqual([
      stopped.id,
    ]);
    const again = await invoiceCorrections(deps, { period: PERIOD });
    expect(again.corrections.every((c) => c.outcome === 'no difference')).toBe(true);
  }, 300_000);

  it('once the corrections are posted, reconcile is clean', async () => {
    for (const id of [originals.direct, originals.reseller, originals.stopped])
      for (const move of await correctionsOf(id))
        if (move.state === 'draft') await admin.callOn('account.move', 'action_post', [move.id]);
    const report = await reconcilePeriod(deps, PERIOD);
    expect(report.rows.filter((r) => !r.ok)).toEqual([]);
    // And a corrections run still makes nothing.
    const again = await invoiceCorrections(deps, { period: PERIOD });
    expect(again.corrections.every((c) => c.outcome === 'no difference')).toBe(true);
  }, 300_000);

  it('from RCP → Runs: an accountant may not request corrections, a manager may, and the worker makes them', async () => {
    const s = stack();
    const { client: accountant } = await connectAccountant(s, {
      name: 'RCP accountant',
      login: 'rcp_corrections_user',
      password: 'pw-corrections-User1',
      email: 'rcp_corrections_user@example.com',
    });
    const refusal = await accountant.create('x_rcp_run', [{ x_kind: 'corrections', x_period: PERIOD }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(OdooError);
    expect((refusal as OdooError).kind).toBe('access');
    await accountant.close();
    const groups = await externalIds(admin).resolve([
      'rcp_connector.group_manager',
      'account.group_account_invoice',
      'base.group_user',
    ]);
    await admin.create('res.users', [
      {
        name: 'RCP manager',
        login: 'rcp_corrections_manager',
        password: 'pw-corrections-Manager1',
        email: 'rcp_corrections_manager@example.com',
        [admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
      },
    ]);
    const manager = await OdooClient.connect({
      ...s.odoo.admin,
      user: 'rcp_corrections_manager',
      secret: { kind: 'password', value: new Secret('pw-corrections-Manager1') },
    });
    sim.world.scaleUsage(resold.index, 0.25);
    const before = await correctionsOf(originals.reseller);
    const [run] = (await manager.create('x_rcp_run', [{ x_kind: 'corrections', x_period: PERIOD }])) as [
      number,
    ];
    await manager.close();
    expect(
      await pollOnce({
        deps: async () => deps,
        log: silentLogger,
        worker: 'corrections',
        pollSeconds: 1,
        staleSeconds: 900,
      }),
    ).toBe(run);
    const [done] = await admin.read<{
      id: number;
      x_state: string;
      x_failed_count: number;
      x_move_ids: number[];
    }>('x_rcp_run', [run], ['x_state', 'x_failed_count', 'x_move_ids']);
    expect([done?.x_state, done?.x_failed_count]).toEqual(['done', 0]);
    const after = await correctionsOf(originals.reseller);
    expect(after.length).toBe(before.length + 1);
    const made = after[after.length - 1];
    expect(made?.move_type).toBe('out_refund');
    expect(done?.x_move_ids).toEqual([made?.id]);
    const credited = before.reduce(
      (sum, m) => sum + (m.move_type === 'out_refund' ? -1 : 1) * kopecks(m.amount_total),
      0,
    );
    expect(kopecks(made?.amount_total ?? 0)).toBe(
      invoicedAt.reseller + credited - repricedKopecks(sim.world, 1, PERIOD),
    );
  }, 300_000);

  it('an original reset to draft after its corrections: invoice does not rewrite it (the difference would count twice)', async () => {
    const [before] = await admin.read<Move>('account.move', [originals.direct], ['amount_total', 'state']);
    await admin.callOn('account.move', 'button_draft', [originals.direct]);
    const report = await invoicePeriod(deps, { period: PERIOD });
    const refused = report.failed.find((f) => f.error.includes('reset to draft after corrections'));
    expect(refused?.error).toContain('count the corrected difference twice');
    const [after] = await admin.read<Move>('account.move', [originals.direct], ['amount_total', 'state']);
    expect([after?.state, kopecks(after?.amount_total ?? 0)]).toEqual([
      'draft',
      kopecks(before?.amount_total ?? 0),
    ]);
    await admin.callOn('account.move', 'action_post', [originals.direct]);
  }, 300_000);

  function directNowKopecks(): number {
    return rcpCostKopecks(sim.world, direct, PERIOD);
  }
});
