import { describe, expect, it } from 'vitest';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import type { OdooDouble } from '../support/odoo-double/index.ts';
import { VERSIONS } from '../support/odoo.ts';
import { startStack } from '../support/stack.ts';

/** The Odoo record behind an external ID in the double. */
function byXmlid(double: OdooDouble, xmlid: string): Record<string, unknown> | undefined {
  const [module, name] = xmlid.split(/\.(.*)/s);
  const imd = double.records('ir.model.data').find((r) => r.module === module && r.name === name);
  return imd ? double.records(String(imd.model)).find((r) => r.id === imd.res_id) : undefined;
}

describe.each(VERSIONS)('sync against the simulator and the Odoo %s double', (version) => {
  it('a first sync creates every partner, client, product and price list; a second writes nothing', async () => {
    const { sim, double, deps, reconnect } = await startStack(version);
    const first = await syncMasterData(deps, { what: 'all' });
    expect(first.failed).toEqual([]);
    expect(first.counts.partner).toMatchObject({ created: 3, failed: 0 });
    expect(first.counts.client).toMatchObject({ created: 12, failed: 0 });
    expect(first.counts.product?.created).toBeGreaterThan(5);
    const plans = new Set([
      ...sim.world.partners.map((p) => p.plan.id),
      ...sim.world.partners.map((p) => p.clientPlan.id),
    ]);
    expect(first.counts['price list']?.created).toBe(plans.size);

    for (const index of sim.world.order) {
      const client = sim.world.client(index);
      const record = byXmlid(double, xmlidOf('client', client.id));
      expect(record).toMatchObject({ name: client.name, ref: client.id, is_company: true });
    }
    const product = byXmlid(double, xmlidOf('product', 'kvm_hdd_ultrafast'));
    expect(product).toMatchObject({ default_code: 'IS-KVM-VHDD-SSD-CA-P-GB-D', taxes_id: [] });
    expect(product?.[version === '17' ? 'detailed_type' : 'type']).toBe('service');

    const before = double.records('res.partner').map((r) => JSON.stringify(r));
    const second = await syncMasterData(await reconnect(), { what: 'all' });
    expect(Object.values(second.counts).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
    expect(second.counts.client?.unchanged).toBe(12);
    expect(double.records('res.partner').map((r) => JSON.stringify(r))).toEqual(before);
  });

  it('a client renamed in RCP is renamed in Odoo, the same record, names with quotes intact', async () => {
    const { sim, double, deps } = await startStack(version);
    await syncMasterData(deps, { what: 'all' });
    const index = sim.world.order[3] ?? 0;
    const client = sim.world.client(index);
    const before = byXmlid(double, xmlidOf('client', client.id));
    sim.world.renameClient(index, 'ООО «Новое имя» "в кавычках" — Ёлка');
    const report = await syncMasterData(deps, { what: 'clients' });
    expect(report.counts.client).toMatchObject({ updated: 1, unchanged: 11, created: 0 });
    const after = byXmlid(double, xmlidOf('client', client.id));
    expect(after?.id).toBe(before?.id);
    expect(after?.name).toBe('ООО «Новое имя» "в кавычках" — Ёлка');
  });

  it('a client named with a NUL and a terminal escape in RCP gets the name without them in Odoo', async () => {
    const { sim, double, deps } = await startStack(version);
    const index = sim.world.order[2] ?? 0;
    const client = sim.world.client(index);
    sim.world.renameClient(index, 'ООО \u0000«Красный»\u001b[31m цвет\u001b[0m');
    const report = await syncMasterData(deps, { what: 'all' });
    expect(report.failed).toEqual([]);
    expect(byXmlid(double, xmlidOf('client', client.id))?.name).toBe('ООО «Красный» цвет');
  });

  it('a malformed client is reported with its id and skipped; the others are synced', async () => {
    const { sim, double, deps } = await startStack(version, {
      faults: { script: [{ path: '/client', malformed: 1 }] },
    });
    const report = await syncMasterData(deps, { what: 'clients' });
    const broken = sim.world.client(sim.world.order[0] ?? 0);
    expect(report.failed).toEqual([
      expect.objectContaining({
        kind: 'client',
        record: `client ${broken.id}`,
        error: expect.stringContaining('contract.billing_plan'),
      }),
    ]);
    expect(report.counts.client?.created).toBe(11);
    expect(byXmlid(double, xmlidOf('client', broken.id))).toBeUndefined();
  });

  it('a dry run prints the plan and writes nothing', async () => {
    const { double, deps } = await startStack(version);
    const partnersBefore = double.records('res.partner').length;
    const report = await syncMasterData(deps, { what: 'all', dryRun: true });
    expect(report.counts.client?.created).toBe(12);
    expect(report.plan.filter((p) => p.action === 'create' && p.label.startsWith('client '))).toHaveLength(
      12,
    );
    expect(double.records('res.partner')).toHaveLength(partnersBefore);
    expect(double.records('product.product')).toHaveLength(0);
  });

  it('prices Odoo rounds are said, and do not look changed on the next run', async () => {
    const { double, deps } = await startStack(version);
    const first = await syncMasterData(deps, { what: 'tariffs' });
    expect(first.warnings.join()).toMatch(/need 4 decimal places but Odoo keeps 2/);
    expect(double.records('product.pricelist.item').some((i) => i.fixed_price === 0.01)).toBe(true);
    const second = await syncMasterData(deps, { what: 'tariffs' });
    expect(second.counts.price).toMatchObject({ created: 0, updated: 0 });
  });

  it('clients are on their plan’s price list and their payment model’s term', async () => {
    const { sim, double, deps } = await startStack(version);
    await syncMasterData(deps, { what: 'all' });
    const client = sim.world.client(sim.world.order[0] ?? 0);
    const record = byXmlid(double, xmlidOf('client', client.id));
    const pricelist = byXmlid(double, xmlidOf('pricelist', client.plan.id));
    expect(record?.property_product_pricelist).toBe(pricelist?.id);
    const term = client.paymentModel === 'prepay' ? 'Immediate Payment' : '30 Days';
    expect(
      double.records('account.payment.term').find((t) => t.id === record?.property_payment_term_id)?.name,
    ).toBe(term);
  });
});

describe('sync at scale', () => {
  it('syncs counterparties in at most 20 Odoo round trips per 1,000', async () => {
    const { deps } = await startStack('18', { clients: 3000, partners: 10 });
    const report = await syncMasterData(deps, { what: 'all' });
    expect(report.failed).toEqual([]);
    expect(report.counts.client?.created).toBe(3000);
    const counterparties = 3000 + 10;
    expect((report.odooRoundTrips / counterparties) * 1000).toBeLessThanOrEqual(20);
  });
});
