import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { previousMonth } from '../../connector/cli/demo.ts';
import { type Config, loadConfig } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { ConfigError } from '../../connector/errors.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { Secret } from '../../connector/secret.ts';
import type { SimClient } from '../../connector/simulator/data.ts';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import { toKopecks } from '../../mappings/money.ts';
import { rcpCostKopecks, repricedKopecks } from '../support/expected.ts';
import { asAdmin, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { adminSetup, testSeed } from '../support/real-stack.ts';

/**
 * Money safety on a real Odoo (ODOO_URL…): what lands in Odoo when RCP's data is partly bad or a
 * read fails. The simulator has a seed of its own per run (RCP_TEST_SEED replays one).
 */
const config = realOdooFromEnv().odoo?.config;
const title = realTitle('money safety');

describe.skipIf(!config)(title, () => {
  const period = previousMonth();
  let sim: Simulator;
  let deps: ProcessDeps;
  let directs: SimClient[];
  let ofReseller: SimClient[];

  const moveOf = async (kind: 'client' | 'partner', uuid: string) => {
    const found = (await externalIds(deps.odoo).resolve([invoiceXmlid(period, kind, uuid)])).get(
      invoiceXmlid(period, kind, uuid),
    );
    if (!found) return undefined;
    const [move] = await deps.odoo.read<{ id: number; state: string; amount_untaxed: number }>(
      'account.move',
      [found.id],
      ['state', 'amount_untaxed'],
    );
    return move && { ...move, kopecks: toKopecks(move.amount_untaxed) };
  };

  beforeAll(async () => {
    sim = await startSimulator({ seed: testSeed(), clients: 12, partners: 3 });
    const rcp = new RcpClient(
      {
        baseUrl: `${sim.url}/v1`,
        auth: { kind: 'token', token: new Secret(sim.token) },
        concurrency: 4,
        timeoutMs: 30_000,
      },
      { backoff: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 } },
    );
    const odoo = await OdooClient.connect((config as Config).odoo as NonNullable<Config['odoo']>);
    deps = {
      rcp,
      odoo,
      config: { ...(config as Config), ownPartnerIds: [sim.world.partners[0]?.id ?? ''] },
      log: silentLogger,
    };
    const { world } = sim;
    const all = world.order.map((i) => world.client(i));
    const used = (c: SimClient) => rcpCostKopecks(world, c, period) > 0;
    directs = all.filter((c) => c.partner.id === world.partners[0]?.id && used(c));
    ofReseller = all.filter((c) => c.partner.id === world.partners[1]?.id && used(c));
    await asAdmin(adminSetup);
    const sync = await syncMasterData(deps, { what: 'all' });
    expect(sync.failed).toEqual([]);
  });
  afterAll(async () => {
    await deps?.odoo.close();
    await deps?.rcp.close();
    await sim?.close();
  });

  it('a reseller whose one client has an unreadable contract is not invoiced short; the others are, to the kopeck', async () => {
    const reseller = sim.world.partners[1];
    const other = sim.world.partners[2];
    const [hidden] = ofReseller;
    expect(hidden && reseller && other).toBeTruthy();
    sim.faults.update({ records: [{ id: hidden?.id ?? '', fault: 'contract-unreadable' }] });
    const report = await invoicePeriod(deps, { period });
    expect(report.failed.map((f) => f.record)).toEqual([`partner ${reseller?.name} (${reseller?.id})`]);
    expect(await moveOf('partner', reseller?.id ?? '')).toBeUndefined();
    expect((await moveOf('partner', other?.id ?? ''))?.kopecks).toBe(repricedKopecks(sim.world, 2, period));
    for (const client of directs)
      expect((await moveOf('client', client.id))?.kopecks).toBe(rcpCostKopecks(sim.world, client, period));
    const reconciled = await reconcilePeriod(deps, period);
    expect(reconciled.rows.filter((r) => !r.ok).map((r) => r.uuid)).toEqual([reseller?.id]);

    sim.faults.update({ records: [] });
    const repaired = await invoicePeriod(deps, { period });
    expect(repaired.failed).toEqual([]);
    expect((await moveOf('partner', reseller?.id ?? ''))?.kopecks).toBe(
      repricedKopecks(sim.world, 1, period),
    );
    const clean = await reconcilePeriod(deps, period);
    expect(clean.rows.filter((r) => !r.ok)).toEqual([]);
  });

  it('a draft is not updated from a usage row with a bad date: it keeps its amount, and reconcile reports it', async () => {
    const [client] = directs;
    const before = await moveOf('client', client?.id ?? '');
    expect(before?.kopecks).toBe(rcpCostKopecks(sim.world, client as SimClient, period));
    sim.world.scaleUsage(client?.index ?? 0, 2);
    sim.faults.update({ records: [{ id: client?.id ?? '', fault: 'usage-bad-date' }] });
    try {
      const report = await invoicePeriod(deps, { period });
      expect(report.failed[0]?.error).toMatch(/date: not a day of the calendar/);
      expect((await moveOf('client', client?.id ?? ''))?.kopecks).toBe(before?.kopecks);
      const reconciled = await reconcilePeriod(deps, period);
      expect(reconciled.rows.find((r) => r.uuid === client?.id)?.ok).toBe(false);
    } finally {
      sim.faults.update({ records: [] });
      sim.world.scaleUsage(client?.index ?? 0, 1);
    }
  });

  it('a price list answering 429 (Retry-After 120) fails its reseller only, at once; a row costing 165 billion is refused, not capped', async () => {
    const reseller = sim.world.partners[1];
    const [huge] = directs;
    sim.faults.update({
      failing: [{ path: `/billing_plan/${reseller?.plan.id}/price`, status: 429, retryAfterSeconds: 120 }],
      records: [{ id: huge?.id ?? '', fault: 'usage-huge-cost' }],
    });
    const before = await moveOf('client', huge?.id ?? '');
    const started = Date.now();
    try {
      const report = await invoicePeriod(deps, { period });
      expect(Date.now() - started).toBeLessThan(60_000);
      expect(report.failed.map((f) => f.record).sort()).toEqual(
        [`client ${huge?.name} (${huge?.id})`, `partner ${reseller?.name} (${reseller?.id})`].sort(),
      );
      expect(report.failed.find((f) => f.record.includes(huge?.id ?? '?'))?.error).toMatch(
        /cannot be true: cost 165000000000 is not the plan's price/,
      );
      expect((await moveOf('client', huge?.id ?? ''))?.kopecks).toBe(before?.kopecks);
      const sync = await syncMasterData(deps, { what: 'all' });
      expect(sync.failed.map((f) => f.record)).toEqual([
        `prices of plan ${reseller?.plan.name} (${reseller?.plan.id})`,
      ]);
    } finally {
      sim.faults.update({ failing: [], records: [] });
    }
  });

  it('an upper-case copy of a client’s uuid is the same Odoo company', async () => {
    const [client] = directs;
    const companies = () => deps.odoo.searchCount('res.partner', [['ref', '=ilike', client?.id ?? '']]);
    expect(await companies()).toBe(1);
    sim.faults.update({ records: [{ id: client?.id ?? '', fault: 'id-upper-case' }] });
    try {
      const sync = await syncMasterData(deps, { what: 'clients' });
      expect(sync.failed).toEqual([]);
      expect(sync.counts.client).toMatchObject({ created: 0, updated: 0 });
      expect(await companies()).toBe(1);
    } finally {
      sim.faults.update({ records: [] });
    }
  });
});
