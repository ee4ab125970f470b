import { beforeAll, describe, expect, it } from 'vitest';
import type { ProcessDeps } from '../../connector/deps.ts';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { type InvoiceReport, invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { type SyncReport, syncMasterData } from '../../connector/processes/sync.ts';
import type { Simulator } from '../../connector/simulator/server.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * Sync, invoices, payments and reconcile against a real Odoo, on the simulator's generated data
 * (a provider's own channel and two resellers): the scenarios of the contract tests that touch
 * money or links, proven where the double cannot be trusted. A fresh database for this file where
 * odoo.sh is at hand (test/support/real-odoo.ts); every test does what it needs itself (sync and
 * invoice are idempotent), so none depends on another having run first.
 */
const PERIOD = '2024-05';

interface MoveRow extends OdooRecord {
  state: string;
  amount_untaxed: number;
  invoice_date: string | false;
  invoice_line_ids: number[];
}
const MOVE_FIELDS = ['state', 'amount_untaxed', 'invoice_date', 'invoice_line_ids'];

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('processes'), () => {
  const stack = useRealStack(
    'proc',
    { today: '2024-06-01', clients: 16, partners: 3, ownShare: 0.5 },
    { workspace: true },
  );
  let s: RealStack;
  let sim: Simulator;
  let deps: ProcessDeps;
  beforeAll(async () => {
    s = stack();
    ({ sim, deps } = s);
  });

  let firstSync: Promise<SyncReport> | undefined;
  const synced = () => {
    firstSync ??= syncMasterData(deps, { what: 'all' });
    return firstSync;
  };
  let firstInvoices: Promise<InvoiceReport> | undefined;
  const invoiced = () => {
    firstInvoices ??= synced().then(() => invoicePeriod(deps, { period: PERIOD }));
    return firstInvoices;
  };
  /** RCP's own figure for an invoiced counterparty, summed by hand from the simulator's rows. */
  const expectedKopecks = (kind: 'client' | 'partner', uuid: string) =>
    kind === 'client'
      ? rcpCostKopecks(
          sim.world,
          sim.world.clientById(uuid) as NonNullable<ReturnType<typeof sim.world.clientById>>,
          PERIOD,
        )
      : repricedKopecks(
          sim.world,
          sim.world.partners.findIndex((p) => p.id === uuid),
          PERIOD,
        );
  /** Invoices of one kind with usage, in a stable order, so that each test takes its own. */
  const invoicesOf = async (kind: 'client' | 'partner') =>
    (await invoiced()).invoices
      .filter((i) => i.kind === kind && i.odooId)
      .sort((a, b) => a.uuid.localeCompare(b.uuid));
  const readMoves = (ids: number[]) => s.admin.read<MoveRow>('account.move', ids, MOVE_FIELDS);

  it('a first sync creates every counterparty, product and price; a second writes nothing', async () => {
    const first = await synced();
    expect(first.failed).toEqual([]);
    expect(first.counts.client?.created).toBe(16);
    expect(first.counts.partner?.created).toBe(3);
    expect(first.counts.product?.created).toBeGreaterThan(0);
    const second = await syncMasterData(await s.reconnect(), { what: 'all' });
    expect(second.failed).toEqual([]);
    for (const kind of ['client', 'partner', 'product', 'price list', 'price']) {
      expect({ kind, ...second.counts[kind] }).toMatchObject({ kind, created: 0, updated: 0 });
    }
    expect(second.counts.client?.unchanged).toBe(16);
    // What the sync says it wrote is what Odoo holds: every client is a company with its uuid as ref.
    const refs = await s.admin.searchRead<OdooRecord & { ref: string }>(
      'res.partner',
      [['ref', 'in', sim.world.order.map((i) => sim.world.client(i).id)]],
      ['ref', 'is_company'],
    );
    expect(refs).toHaveLength(16);
  });

  it('invoices equal RCP’s cost (direct clients) and the re-priced sum (resellers) to the kopeck in Odoo; a re-run changes nothing', async () => {
    await synced();
    const report = await invoicePeriod(deps, { period: PERIOD });
    expect(report.failed).toEqual([]);
    const written = report.invoices.filter((i) => i.odooId);
    expect(written.filter((i) => i.kind === 'client').length).toBeGreaterThanOrEqual(3);
    expect(written.filter((i) => i.kind === 'partner').length).toBe(2);
    const moves = new Map((await readMoves(written.map((i) => i.odooId as number))).map((m) => [m.id, m]));
    for (const invoice of written) {
      const move = moves.get(invoice.odooId as number);
      // Odoo's own amount, read here, not the connector's report of it.
      expect({
        who: invoice.counterparty,
        kopecks: Math.round((move?.amount_untaxed ?? Number.NaN) * 100),
      }).toEqual({
        who: invoice.counterparty,
        kopecks: expectedKopecks(invoice.kind, invoice.uuid),
      });
    }
    const again = await invoicePeriod(await s.reconnect(), { period: PERIOD });
    const drafts = again.invoices.filter((i) => moves.get(i.odooId ?? 0)?.state === 'draft');
    expect(drafts.length).toBeGreaterThan(0);
    expect(drafts.map((i) => i.outcome)).toEqual(drafts.map(() => 'unchanged'));
    const after = await readMoves([...moves.keys()]);
    for (const move of after) expect(move.invoice_line_ids).toEqual(moves.get(move.id)?.invoice_line_ids);
  });

  it('a posted invoice is left alone and reported, even when the connector would now write it differently', async () => {
    const [invoice] = await invoicesOf('client');
    const id = invoice?.odooId as number;
    await deps.odoo.callOn('account.move', 'action_post', [id]);
    const [before] = await readMoves([id]);
    // Another invoice date makes a different header: a draft would be rewritten, a posted one must not.
    const changed: ProcessDeps = {
      ...deps,
      config: { ...deps.config, invoicing: { ...deps.config.invoicing, invoiceDate: 'period-start' } },
    };
    const report = await invoicePeriod(changed, { period: PERIOD, client: invoice?.uuid });
    expect(report.invoices.find((i) => i.uuid === invoice?.uuid)).toMatchObject({
      outcome: 'left posted',
      odooId: id,
    });
    const [after] = await readMoves([id]);
    expect(after).toEqual(before);
    expect(after?.state).toBe('posted');
  });

  it('a paid invoice’s payment reaches RCP once, in exact kopecks; later runs (new processes) say "already pushed"', async () => {
    const [, invoice] = await invoicesOf('client');
    const moveId = invoice?.odooId as number;
    await deps.odoo.callOn('account.move', 'action_post', [moveId]);
    const context = { active_model: 'account.move', active_ids: [moveId] };
    const [wizard] = await deps.odoo.create('account.payment.register', [{}], context);
    const action = await deps.odoo.callOn<{ res_id: number }>(
      'account.payment.register',
      'action_create_payments',
      [wizard ?? 0],
      undefined,
      context,
    );
    const expected = expectedKopecks('client', invoice?.uuid ?? '');
    const pushed = await pushPayments(deps);
    expect(pushed.failed).toEqual([]);
    expect(pushed.results.find((r) => r.paymentId === action.res_id)).toMatchObject({
      outcome: 'pushed',
      amountKopecks: expected,
    });
    const toClient = () => sim.payments.filter((p) => p.client === invoice?.uuid);
    expect(toClient()).toEqual([expect.objectContaining({ amount: expected / 100 })]);
    for (let run = 0; run < 2; run++) {
      const again = await pushPayments(await s.reconnect());
      expect(again.results.find((r) => r.paymentId === action.res_id)?.outcome).toBe('already pushed');
    }
    expect(toClient()).toHaveLength(1);
  });

  it('reconcile finds no mismatch after invoicing, and names the invoice an accountant changed in Odoo', async () => {
    await invoiced();
    // Re-invoice first: it restores any draft another test left different, and changes nothing else.
    await invoicePeriod(deps, { period: PERIOD });
    const clean = await reconcilePeriod(deps, PERIOD);
    expect(clean.failed).toEqual([]);
    expect(clean.rows.filter((r) => !r.ok)).toEqual([]);
    expect(clean.mismatches).toBe(0);
    expect(clean.rows.some((r) => r.kind === 'partner')).toBe(true);

    const [reseller] = await invoicesOf('partner');
    const id = reseller?.odooId as number;
    const [line] = await s.admin.searchRead<OdooRecord & { price_unit: number }>(
      'account.move.line',
      [
        ['move_id', '=', id],
        ['display_type', '=', 'product'],
      ],
      ['price_unit'],
      { limit: 1 },
    );
    await s.admin.write('account.move.line', [line?.id as number], {
      price_unit: (line?.price_unit ?? 0) + 1,
    });
    const dirty = await reconcilePeriod(await s.reconnect(), PERIOD);
    expect(dirty.mismatches).toBe(1);
    expect(dirty.rows.filter((r) => !r.ok).map((r) => r.uuid)).toEqual([reseller?.uuid]);
    // An accountant's edit is kept (and reported) until a run is told --force; then it is put right
    // and reconcile agrees.
    const kept = await invoicePeriod(deps, { period: PERIOD, partner: reseller?.uuid });
    expect(kept.invoices.find((i) => i.uuid === reseller?.uuid)?.outcome).toBe('left edited');
    expect((await reconcilePeriod(deps, PERIOD)).mismatches).toBe(1);
    const fixed = await invoicePeriod(deps, { period: PERIOD, partner: reseller?.uuid, force: true });
    expect(fixed.invoices.find((i) => i.uuid === reseller?.uuid)?.outcome).toBe('updated');
    expect((await reconcilePeriod(deps, PERIOD)).mismatches).toBe(0);
  });
});
