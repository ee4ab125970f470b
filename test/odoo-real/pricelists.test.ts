import { beforeAll, describe, expect, it } from 'vitest';
import type { OdooRecord } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { realOdooFromEnv, realTitle, setPricelistFeature } from '../support/real-odoo.ts';
import { type RealStack, useRealStack } from '../support/real-stack.ts';

/**
 * Contacts' price lists with Odoo's Pricelists feature on and off (Settings → Pricelists, written
 * through res.config.settings as an admin clicks it), on every version. Odoo 19 with the feature off
 * accepts a contact's price list and reads it back false: a sync
 * that compared it would "update" every contact on every run. A fresh database per block.
 */
interface ContactRow extends OdooRecord {
  ref: string;
  property_product_pricelist: [number, string] | false;
}

function pricelistBlock(on: boolean) {
  const stack = useRealStack(on ? 'plon' : 'ploff', { today: '2024-06-01', clients: 6, partners: 3 });
  let s: RealStack;
  beforeAll(() => {
    s = stack();
  });

  /** Each RCP client's Odoo contact: the price list it holds, and the one of its plan. */
  const contacts = async () => {
    const clients = s.sim.world.order.map((i) => s.sim.world.client(i));
    const plans = await externalIds(s.admin).resolve(clients.map((c) => xmlidOf('pricelist', c.plan.id)));
    const rows = await s.admin.searchRead<ContactRow>(
      'res.partner',
      [['ref', 'in', clients.map((c) => c.id)]],
      ['ref', 'property_product_pricelist'],
    );
    return clients.map((c) => {
      const held = rows.find((r) => r.ref === c.id)?.property_product_pricelist;
      return { held: held ? held[0] : false, plan: plans.get(xmlidOf('pricelist', c.plan.id))?.id };
    });
  };

  it(`a second sync writes no contact, and contacts ${on ? 'keep their plan’s price list' : 'hold what Odoo keeps, the summary saying why'}`, async () => {
    expect(await setPricelistFeature(s.admin, on)).toBe(on);
    const first = await syncMasterData(s.deps, { what: 'all' });
    expect(first.failed).toEqual([]);
    expect(
      (first.counts.client?.created ?? 0) +
        (first.counts.client?.unchanged ?? 0) +
        (first.counts.client?.updated ?? 0),
    ).toBe(6);
    const second = await syncMasterData(await s.reconnect(), { what: 'all' });
    expect(second.counts.client).toMatchObject({ created: 0, updated: 0, unchanged: 6 });
    expect(second.counts.partner).toMatchObject({ created: 0, updated: 0, unchanged: 3 });

    const held = await contacts();
    expect(held.every((c) => c.plan !== undefined)).toBe(true);
    const why = second.warnings.filter((w) => /Pricelists feature/.test(w));
    if (on) {
      expect(held.map((c) => c.held)).toEqual(held.map((c) => c.plan));
      expect(why).toEqual([]);
    } else if (held.every((c) => c.held === c.plan)) {
      // 17 and 18 keep a contact's price list with the feature off: nothing to say.
      expect(s.odoo.major).toBeLessThan(19);
      expect(why).toEqual([]);
    } else {
      // 19: nothing is stored; the sync says why instead of rewriting every contact each run.
      expect(held.map((c) => c.held)).toEqual(held.map(() => false));
      expect(why).toHaveLength(1);
      expect(first.warnings).toEqual(second.warnings);
    }
  });

  if (!on) {
    it('turning the feature on afterwards: the next sync sets every contact’s price list once, then writes nothing', async () => {
      expect(await setPricelistFeature(s.admin, false)).toBe(false);
      await syncMasterData(s.deps, { what: 'all' });
      expect(await setPricelistFeature(s.admin, true)).toBe(true);
      const after = await syncMasterData(await s.reconnect(), { what: 'all' });
      expect(after.failed).toEqual([]);
      expect(after.warnings.filter((w) => /Pricelists feature/.test(w))).toEqual([]);
      const held = await contacts();
      expect(held.map((c) => c.held)).toEqual(held.map((c) => c.plan));
      const again = await syncMasterData(await s.reconnect(), { what: 'all' });
      expect(again.counts.client).toMatchObject({ created: 0, updated: 0 });
      expect(again.counts.partner).toMatchObject({ created: 0, updated: 0 });
      expect(again.counts['price list']).toMatchObject({ created: 0, updated: 0 });
    });
  }
}

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('price lists with the Pricelists feature on'), () => {
  pricelistBlock(true);
});

describe.skipIf(!realOdooFromEnv().odoo)(realTitle('price lists with the Pricelists feature off'), () => {
  pricelistBlock(false);
});
