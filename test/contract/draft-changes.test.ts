import { describe, expect, it } from 'vitest';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { invoiceXmlid } from '../../mappings/external-ids.ts';
import { startStack } from '../support/stack.ts';

const PERIOD = '2024-05';

describe('an invoice run names what changed settings change on existing drafts (Odoo double)', () => {
  it('a new journal, invoice date and own partner: each kind of change with its count; the reseller’s old draft is named, left alone', async () => {
    const { sim, double, deps } = await startStack('18', { clients: 9, partners: 3 });
    await syncMasterData(deps, { what: 'all' });
    const first = await invoicePeriod(deps, { period: PERIOD });
    expect(first.failed).toEqual([]);
    expect(first.changes).toBeUndefined();
    const drafts = double.records('account.move');
    const [journal] = await deps.odoo.create('account.journal', [
      {
        name: 'RCP Sales',
        code: 'RCPS',
        type: 'sale',
        invoice_reference_model: 'odoo',
        invoice_reference_type: 'invoice',
      },
    ]);
    const newOwn = sim.world.partners[1]?.id ?? '';
    const resellerDraft = (() => {
      const name = invoiceXmlid(PERIOD, 'partner', newOwn).split('.')[1];
      const imd = double
        .records('ir.model.data')
        .find((r) => r.module === 'rcp_connector' && r.name === name);
      return drafts.find((m) => m.id === imd?.res_id);
    })();
    expect(resellerDraft).toBeDefined();

    const changed = {
      ...deps,
      config: {
        ...deps.config,
        ownPartnerIds: [...deps.config.ownPartnerIds, newOwn],
        invoicing: {
          ...deps.config.invoicing,
          journalId: journal as number,
          invoiceDate: 'next-period-start' as const,
        },
      },
    };
    const dry = await invoicePeriod(changed, { period: PERIOD, dryRun: true });
    const rewritten = drafts.length - 1;
    const expected = [
      `journal: Customer Invoices → RCP Sales on ${rewritten} drafts`,
      `invoice date: 2024-05-31 → 2024-06-01 on ${rewritten} drafts`,
      'own partners: reseller → direct channel on 1 draft (left as it was: the same usage is now invoiced the new way; cancel or delete it)',
    ];
    expect(dry.changes).toEqual(expected);
    expect(double.records('account.move').every((m) => m.journal_id !== journal)).toBe(true);

    const second = await invoicePeriod(changed, { period: PERIOD });
    expect(second.failed).toEqual([]);
    expect(second.changes).toEqual(expected);
    const after = double.records('account.move');
    const old = after.filter((m) => drafts.some((d) => d.id === m.id) && m.id !== resellerDraft?.id);
    expect(old).toHaveLength(rewritten);
    expect(old.every((m) => m.journal_id === journal && m.invoice_date === '2024-06-01')).toBe(true);
    expect(after.find((m) => m.id === resellerDraft?.id)).toMatchObject({
      invoice_date: '2024-05-31',
      state: 'draft',
    });

    // Run again with the same settings: nothing changes, nothing is said.
    const third = await invoicePeriod(changed, { period: PERIOD });
    expect(third.changes).toEqual([
      'own partners: reseller → direct channel on 1 draft (left as it was: the same usage is now invoiced the new way; cancel or delete it)',
    ]);
  });
});
