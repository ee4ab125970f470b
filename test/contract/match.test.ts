import { describe, expect, it } from 'vitest';
import { findUnmatched, linkCounterparty } from '../../connector/processes/match.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { xmlidOf } from '../../mappings/external-ids.ts';
import { VERSIONS } from '../support/odoo.ts';
import { startStack } from '../support/stack.ts';

describe.each(VERSIONS)('match on the Odoo %s double', (version) => {
  it('suggests the company an accountant already had, links it, and the sync updates it instead of duplicating', async () => {
    const { sim, double, deps } = await startStack(version);
    const client = sim.world.client(sim.world.order[2] ?? 0);
    // The accountant's own record: other quotes, other case.
    const [existingId] = await deps.odoo.create('res.partner', [
      { name: client.name.replace(/"([^"]*)"/, '«$1»').toUpperCase(), is_company: true },
    ]);

    const before = await findUnmatched(deps);
    const entry = before.unmatched.find((u) => u.rcpId === client.id);
    expect(entry?.suggestions).toEqual([
      { odooId: existingId, odooName: expect.any(String), reason: 'same name' },
    ]);

    expect(await linkCounterparty(deps, existingId ?? 0, client.id)).toEqual({
      kind: 'client',
      xmlid: xmlidOf('client', client.id),
    });
    const companiesBefore = double.records('res.partner').length;
    const report = await syncMasterData(deps, { what: 'clients' });
    expect(report.counts.client).toMatchObject({ created: 11, updated: 1 });
    expect(double.records('res.partner')).toHaveLength(companiesBefore + 11);
    expect(double.records('res.partner').find((r) => r.id === existingId)?.name).toBe(client.name);

    const after = await findUnmatched(deps);
    expect(after.unmatched.filter((u) => u.kind === 'client')).toEqual([]);
  });

  it('refuses to link an RCP id that does not exist, or one already linked elsewhere', async () => {
    const { sim, deps } = await startStack(version);
    const [a, b] = await deps.odoo.create('res.partner', [
      { name: 'A', is_company: true },
      { name: 'B', is_company: true },
    ]);
    await expect(linkCounterparty(deps, a ?? 0, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(
      /RCP has no partner or client/,
    );
    const client = sim.world.client(0);
    await linkCounterparty(deps, a ?? 0, client.id);
    await expect(linkCounterparty(deps, b ?? 0, client.id)).rejects.toThrow(
      `already linked to Odoo contact ${a}`,
    );
  });
});
