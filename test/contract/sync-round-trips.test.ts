import { describe, expect, it } from 'vitest';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { startStack } from '../support/stack.ts';

describe('sync round trips (simulator and the Odoo 18 double)', () => {
  it('companies get their tag in the same load() that creates them: no read-back and write of tags; a second sync writes nothing', async () => {
    const { double, deps, reconnect } = await startStack(
      '18',
      { clients: 40, partners: 3 },
      { ODOO_BATCH_SIZE: '10' },
    );
    const first = await syncMasterData(deps, { what: 'all' });
    expect(first.failed).toEqual([]);
    expect(first.counts.client?.created).toBe(40);
    const tagOf = (name: string) => double.records('res.partner.category').find((t) => t.name === name)?.id;
    const clientTag = tagOf('RCP client');
    const clients = double.records('res.partner').filter((p) => p.is_company && p.ref && p.category_id);
    expect(clients.filter((p) => JSON.stringify(p.category_id) === JSON.stringify([clientTag]))).toHaveLength(
      40,
    );
    // Tags are never written apart from the load (they used to be read back and written per batch).
    const calls = first.odooRoundTrips;
    expect(calls).toBeLessThanOrEqual(40);

    const second = await syncMasterData(await reconnect(), { what: 'all' });
    expect(second.counts.client).toMatchObject({ created: 0, updated: 0, unchanged: 40 });
  });
});
