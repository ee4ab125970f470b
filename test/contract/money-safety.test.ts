import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../connector/errors.ts';
import { invoicePeriod, listCounterparties } from '../../connector/processes/invoice-period.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import type { RecordFault } from '../../connector/simulator/faults.ts';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { type Stack, startStack } from '../support/stack.ts';

const PERIOD = '2024-05';

function invoiceOf(double: OdooDouble, kind: 'client' | 'partner', uuid: string) {
  const name = invoiceXmlid(PERIOD, kind, uuid).split('.')[1];
  const imd = double.records('ir.model.data').find((r) => r.module === 'rcp_connector' && r.name === name);
  return imd ? double.records('account.move').find((m) => m.id === imd.res_id) : undefined;
}

const kopecksOf = (move: Record<string, unknown> | undefined) =>
  Math.round(Number(move?.amount_untaxed) * 100);

/** Clients with usage in the period: the provider's own (direct) and those of reseller 1. */
function cast(stack: Stack) {
  const { world } = stack.sim;
  const all = world.order.map((i) => world.client(i));
  const used = (c: SimClient) => rcpCostKopecks(world, c, PERIOD) > 0;
  const own = world.partners[0]?.id;
  const reseller = world.partners[1];
  const other = world.partners[2];
  const directs = all.filter((c) => c.partner.id === own && used(c));
  const ofReseller = all.filter((c) => c.partner.id === reseller?.id && used(c));
  if (!reseller || !other || directs.length < 2 || ofReseller.length < 1) throw new Error('world too small');
  return { directs, ofReseller, reseller, other };
}

async function stackWithInvoices(env: Record<string, string> = {}) {
  const stack = await startStack('18', { clients: 12, partners: 3 }, env);
  await syncMasterData(stack.deps, { what: 'all' });
  return stack;
}

const setRecordFaults = (stack: Stack, records: RecordFault[]) => stack.sim.faults.update({ records });

describe('no invoice from incomplete RCP data', () => {
  it.each([
    ['usage-bad-date', /usage row .*date: not a day of the calendar/],
    ['usage-negative-cost', /usage row .*cost: Number must be greater than or equal to 0/],
    ['usage-malformed', /usage row .*quantity: Expected number, received null/],
  ] as const)(
    'a direct client with a %s row gets no invoice and is named; the others are made',
    async (fault, reason) => {
      const stack = await stackWithInvoices();
      const { directs, reseller } = cast(stack);
      const [bad, good] = directs as [SimClient, SimClient];
      setRecordFaults(stack, [{ id: bad.id, fault }]);
      const report = await invoicePeriod(stack.deps, { period: PERIOD });
      const failure = report.failed.find((f) => f.record.includes(bad.id));
      expect(failure?.error).toMatch(reason);
      expect(failure?.error).toContain('not invoiced');
      expect(report.invoices.find((i) => i.uuid === bad.id)?.outcome).toBe('failed');
      expect(invoiceOf(stack.double, 'client', bad.id)).toBeUndefined();
      expect(kopecksOf(invoiceOf(stack.double, 'client', good.id))).toBe(
        rcpCostKopecks(stack.sim.world, good, PERIOD),
      );
      expect(kopecksOf(invoiceOf(stack.double, 'partner', reseller.id))).toBe(
        repricedKopecks(stack.sim.world, 1, PERIOD),
      );
    },
  );

  it('an existing draft is not updated from incomplete data: it keeps its amount, and the run names why', async () => {
    const stack = await stackWithInvoices();
    const [client] = cast(stack).directs as [SimClient];
    await invoicePeriod(stack.deps, { period: PERIOD });
    const before = kopecksOf(invoiceOf(stack.double, 'client', client.id));
    stack.sim.world.scaleUsage(client.index, 2);
    setRecordFaults(stack, [{ id: client.id, fault: 'usage-bad-date' }]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    expect(report.invoices.find((i) => i.uuid === client.id)?.outcome).toBe('failed');
    expect(kopecksOf(invoiceOf(stack.double, 'client', client.id))).toBe(before);
    setRecordFaults(stack, []);
    const repaired = await invoicePeriod(stack.deps, { period: PERIOD });
    expect(repaired.invoices.find((i) => i.uuid === client.id)?.outcome).toBe('updated');
  });

  it('a reseller whose one client has an unreadable contract is not invoiced short; the direct clients are', async () => {
    const stack = await stackWithInvoices();
    const { directs, ofReseller, reseller, other } = cast(stack);
    const [hidden] = ofReseller as [SimClient];
    setRecordFaults(stack, [{ id: hidden.id, fault: 'contract-unreadable' }]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    const failure = report.failed.find((f) => f.record.includes(reseller.id));
    expect(failure?.error).toContain(`client ${hidden.id}: contract.billing_plan`);
    expect(invoiceOf(stack.double, 'partner', reseller.id)).toBeUndefined();
    expect(kopecksOf(invoiceOf(stack.double, 'partner', other.id))).toBe(
      repricedKopecks(stack.sim.world, 2, PERIOD),
    );
    for (const client of directs)
      expect(kopecksOf(invoiceOf(stack.double, 'client', client.id))).toBe(
        rcpCostKopecks(stack.sim.world, client, PERIOD),
      );
    // The worker's per-counterparty path holds it back the same way.
    const reconciled = await reconcilePeriod(stack.deps, PERIOD);
    expect(reconciled.rows.find((r) => r.uuid === reseller.id)).toMatchObject({ ok: false });
  });

  it('a reseller with a client whose usage row is broken is not invoiced, every reason named', async () => {
    const stack = await stackWithInvoices();
    const { ofReseller, reseller } = cast(stack);
    const [one] = ofReseller as [SimClient];
    setRecordFaults(stack, [
      { id: one.id, fault: 'usage-negative-cost' },
      { id: reseller.plan.id, fault: 'price-malformed' },
    ]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    const error = report.failed.find((f) => f.record.includes(reseller.id))?.error ?? '';
    expect(error).toContain(`(${one.id}): usage row`);
    expect(error).toMatch(/prices of the partner's plan .*cost: Expected number, received string/);
    expect(invoiceOf(stack.double, 'partner', reseller.id)).toBeUndefined();
  });

  it('a row costing 165 billion (not price × quantity) holds back its client, the row named; the rest are made', async () => {
    const stack = await stackWithInvoices();
    const { directs, reseller } = cast(stack);
    const [huge, fine] = directs as [SimClient, SimClient];
    setRecordFaults(stack, [{ id: huge.id, fault: 'usage-huge-cost' }]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    const failure = report.failed.find((f) => f.record.includes(huge.id));
    expect(failure?.error).toMatch(
      /usage row \S+ \(\d{4}-\d{2}-01, vm .*\) cannot be true: cost 165000000000 is not the plan's price/,
    );
    expect(invoiceOf(stack.double, 'client', huge.id)).toBeUndefined();
    expect(invoiceOf(stack.double, 'client', fine.id)).toBeDefined();
    expect(invoiceOf(stack.double, 'partner', reseller.id)).toBeDefined();
  });

  it('a client row claiming 30 times its paid_seconds holds back its reseller, the row named', async () => {
    const stack = await stackWithInvoices();
    const { ofReseller, reseller } = cast(stack);
    const [one] = ofReseller as [SimClient];
    setRecordFaults(stack, [{ id: one.id, fault: 'usage-implausible-seconds' }]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    expect(report.failed.map((f) => f.record)).toEqual([`partner ${reseller.name} (${reseller.id})`]);
    expect(report.failed[0]?.error).toMatch(
      new RegExp(`client .* \\(${one.id}\\): usage row .* cannot be true: paid_seconds \\d+ is not quantity`),
    );
    expect(invoiceOf(stack.double, 'partner', reseller.id)).toBeUndefined();
  });

  it('a lower INVOICE_MAX_AMOUNT stops a reseller’s invoice, never caps it', async () => {
    const stack = await stackWithInvoices({ INVOICE_MAX_AMOUNT: '1.00' });
    const { reseller } = cast(stack);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    const invoice = report.invoices.find((i) => i.uuid === reseller.id);
    expect(invoice?.outcome).toBe('failed');
    expect(invoice?.totalKopecks).toBe(repricedKopecks(stack.sim.world, 1, PERIOD));
    expect(stack.double.records('account.move')).toHaveLength(0);
  });
});

describe('failure stays local', () => {
  it.each([
    ['429 with Retry-After 120', { status: 429, retryAfterSeconds: 120 }],
    ['503 on every try', { status: 503 }],
  ])(
    'a reseller’s price list answering %s fails that reseller, not the invoice run nor sync all',
    async (_what, failing) => {
      const stack = await stackWithInvoices();
      const { directs, reseller, other } = cast(stack);
      stack.sim.faults.update({ failing: [{ path: `/billing_plan/${reseller.plan.id}/price`, ...failing }] });
      const started = Date.now();
      const report = await invoicePeriod(stack.deps, { period: PERIOD });
      expect(report.failed.map((f) => f.record)).toEqual([`partner ${reseller.name} (${reseller.id})`]);
      expect(report.failed[0]?.error).toMatch(
        new RegExp(`prices of the partner's plan ${reseller.plan.id}: not read: .*HTTP ${failing.status}`),
      );
      expect(invoiceOf(stack.double, 'partner', other.id)).toBeDefined();
      for (const client of directs) expect(invoiceOf(stack.double, 'client', client.id)).toBeDefined();

      const sync = await syncMasterData(stack.deps, { what: 'all' });
      expect(sync.failed.map((f) => f.record)).toEqual([
        `prices of plan ${reseller.plan.name} (${reseller.plan.id})`,
      ]);
      expect(sync.counts.client?.unchanged).toBe(12);
      // Retry-After 120 is beyond the in-process ceiling: no two-minute wait.
      expect(Date.now() - started).toBeLessThan(15_000);
    },
  );

  it('a client whose usage cannot be read fails alone, and reconcile counts it as not reconciled', async () => {
    const stack = await stackWithInvoices();
    const [lost, kept] = cast(stack).directs as [SimClient, SimClient];
    await invoicePeriod(stack.deps, { period: PERIOD });
    expect((await reconcilePeriod(stack.deps, PERIOD)).mismatches).toBe(0);
    setRecordFaults(stack, [{ id: lost.id, fault: 'usage-unreadable' }]);
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    expect(report.failed.map((f) => f.record)).toEqual([`client ${lost.name} (${lost.id})`]);
    const reconciled = await reconcilePeriod(stack.deps, PERIOD);
    expect(reconciled.rows.filter((r) => !r.ok).map((r) => [r.uuid, r.state])).toEqual([
      [lost.id, 'not computed'],
    ]);
    expect(reconciled.rows.find((r) => r.uuid === lost.id)?.problem).toMatch(/usage not read: .*HTTP 503/);
    expect(reconciled.rows.find((r) => r.uuid === kept.id)?.ok).toBe(true);
    expect(reconciled.mismatches).toBe(1);
  });
});

describe('one total for the writer and reconcile', () => {
  it.each([
    ['2', 'price-included'],
    ['1', 'price-excluded'],
  ])('with tax %s (%s) reconcile finds the invoices just written equal to RCP', async (taxId) => {
    const stack = await startStack('18', { clients: 4, partners: 1 }, { INVOICE_TAX_IDS: taxId });
    await syncMasterData(stack.deps, { what: 'all' });
    const report = await invoicePeriod(stack.deps, { period: PERIOD });
    expect(report.failed).toEqual([]);
    const reconciled = await reconcilePeriod(stack.deps, PERIOD);
    expect(reconciled.rows.length).toBeGreaterThan(0);
    expect(reconciled.rows.filter((r) => !r.ok)).toEqual([]);
    for (const row of reconciled.rows) expect(row.odooKopecks).toBe(row.rcpKopecks);
  });
});

describe('safe defaults', () => {
  const thisMonth = new Date().toISOString().slice(0, 7);
  const nextYear = `${Number(thisMonth.slice(0, 4)) + 1}-01`;

  it.each([
    ['the current month', thisMonth, /is not over yet/],
    ['a future month', nextYear, /has not begun/],
  ])('invoice refuses %s unless told --allow-open-period', async (_what, period, message) => {
    const stack = await stackWithInvoices();
    const refused = invoicePeriod(stack.deps, { period });
    await expect(refused).rejects.toBeInstanceOf(ConfigError);
    await expect(invoicePeriod(stack.deps, { period })).rejects.toThrow(message);
    await expect(listCounterparties(stack.deps, period)).rejects.toThrow(/--allow-open-period/);
    const allowed = await invoicePeriod(stack.deps, { period, allowOpenPeriod: true });
    expect(allowed.failed).toEqual([]);
  });

  it('an empty RCP_OWN_PARTNER_IDS is refused for invoicing; `none` invoices every partner as a reseller', async () => {
    const unset = await stackWithInvoices({ RCP_OWN_PARTNER_IDS: '' });
    await expect(invoicePeriod(unset.deps, { period: PERIOD })).rejects.toThrow(
      /RCP_OWN_PARTNER_IDS is empty.*`none`/,
    );
    expect(unset.double.records('account.move')).toHaveLength(0);
    const none = await stackWithInvoices({ RCP_OWN_PARTNER_IDS: 'none' });
    const report = await invoicePeriod(none.deps, { period: PERIOD });
    const own = none.sim.world.partners[0];
    expect(report.invoices.find((i) => i.uuid === own?.id)?.kind).toBe('partner');
  });

  it('the worker and the CLI choose the same counterparties for the same --partner and --client words', async () => {
    const stack = await stackWithInvoices();
    const { directs, reseller, ofReseller } = cast(stack);
    const own = stack.sim.world.partners[0]?.id ?? '';
    const [direct] = directs as [SimClient];
    for (const words of [
      { partner: own },
      { partner: reseller.id.toUpperCase() },
      { client: direct.id },
      { partner: own, client: direct.id.toUpperCase() },
    ]) {
      const cli = await invoicePeriod(stack.deps, { period: PERIOD, dryRun: true, ...words });
      const worker = await listCounterparties(stack.deps, PERIOD, words);
      expect(worker.units.map((u) => u.uuid).sort()).toEqual(cli.invoices.map((i) => i.uuid).sort());
    }
    const viaPartner = listCounterparties(stack.deps, PERIOD, { client: ofReseller[0]?.id });
    await expect(viaPartner).rejects.toThrow(`use --partner ${reseller.id}`);
    await expect(invoicePeriod(stack.deps, { period: PERIOD, client: ofReseller[0]?.id })).rejects.toThrow(
      `use --partner ${reseller.id}`,
    );
  });
});

describe('the simulator’s data faults', () => {
  it('are set over HTTP and make the RCP client name the broken row, with its date', async () => {
    const stack = await startStack('18', { clients: 12, partners: 3 });
    const [client] = cast(stack).directs as [SimClient];
    const put = await fetch(`${stack.sim.url}/_sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ records: [{ id: client.id, fault: 'usage-bad-date' }] }),
    });
    expect(put.status).toBe(200);
    const { skipped } = await stack.deps.rcp.usage({
      client: client.id,
      range: { start: '2024-05-01', end: '2024-05-31' },
    });
    expect(skipped).toEqual([
      expect.objectContaining({
        id: expect.stringMatching(/\(2024-05-32\)$/),
        problem: 'date: not a day of the calendar (YYYY-MM-DD)',
      }),
    ]);
    const bad = await fetch(`${stack.sim.url}/_sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ records: [{ id: client.id, fault: 'no-such-fault' }] }),
    });
    expect(bad.status).toBe(400);
  });
});

describe('identities', () => {
  it('a client listed with its uuid in upper case is the same Odoo company, not a second one', async () => {
    const stack = await stackWithInvoices();
    const [client] = cast(stack).directs as [SimClient];
    const companies = () => stack.double.records('res.partner').filter((p) => p.is_company).length;
    const before = companies();
    setRecordFaults(stack, [{ id: client.id, fault: 'id-upper-case' }]);
    const sync = await syncMasterData(stack.deps, { what: 'all' });
    expect(sync.failed).toEqual([]);
    expect(companies()).toBe(before);
    expect(sync.counts.client).toMatchObject({ created: 0, unchanged: 12 });
    const report = await invoicePeriod(stack.deps, { period: PERIOD, client: client.id.toUpperCase() });
    expect(report.invoices.map((i) => [i.uuid, i.outcome])).toEqual([[client.id, 'created']]);
  });

  it('a malformed price is named by `sync tariffs` (exit code 1), the other prices are synced', async () => {
    const stack = await stackWithInvoices();
    const { reseller } = cast(stack);
    setRecordFaults(stack, [{ id: reseller.plan.id, fault: 'price-malformed' }]);
    const sync = await syncMasterData(stack.deps, { what: 'tariffs' });
    expect(sync.failed).toHaveLength(1);
    expect(sync.failed[0]?.record).toContain(reseller.plan.name);
    expect(sync.failed[0]?.error).toContain('cost: Expected number, received string');
  });
});
