import { describe, expect, it } from 'vitest';
import {
  type DraftChange,
  otherWayDrafts,
  settingChangesOf,
  summarizeDraftChanges,
} from '../../mappings/draft-changes.ts';

const names = {
  tax: (id: number) => ({ 7: 'VAT 22 %', 8: 'VAT 10 %' })[id] ?? `tax #${id}`,
  journal: (id: number) => ({ 1: 'Customer Invoices', 9: 'RCP Sales' })[id] ?? `journal #${id}`,
};
const held = { lineTaxIds: [[7], [7]], journalId: 1, invoiceDate: '2024-05-31' };
const wanted = { taxIds: [] as number[], journalId: undefined, invoiceDate: '2024-05-31' };

describe('what a changed setting changes on an existing draft', () => {
  it.each([
    ['nothing changed', held, { ...wanted, taxIds: [7] }, []],
    ['the tax removed', held, wanted, [{ kind: 'taxes', moveId: 5, from: 'VAT 22 %', to: 'no tax' }]],
    [
      'a tax added',
      { ...held, lineTaxIds: [[], []] },
      { ...wanted, taxIds: [8, 7] },
      [{ kind: 'taxes', moveId: 5, from: 'no tax', to: 'VAT 22 %, VAT 10 %' }],
    ],
    [
      'one line of two without the tax',
      { ...held, lineTaxIds: [[7], []] },
      { ...wanted, taxIds: [7] },
      [{ kind: 'taxes', moveId: 5, from: 'no tax / VAT 22 %', to: 'VAT 22 %' }],
    ],
    ['a draft without lines has no taxes to change', { ...held, lineTaxIds: [] }, wanted, []],
    [
      'the journal configured',
      held,
      { ...wanted, taxIds: [7], journalId: 9 },
      [{ kind: 'journal', moveId: 5, from: 'Customer Invoices', to: 'RCP Sales' }],
    ],
    [
      'the invoice date rule changed',
      held,
      { ...wanted, taxIds: [7], invoiceDate: '2024-06-01' },
      [{ kind: 'invoice date', moveId: 5, from: '2024-05-31', to: '2024-06-01' }],
    ],
  ] as const)('%s', (_name, h, w, expected) => {
    expect(settingChangesOf(5, h, w, names)).toEqual(expected);
  });
});

describe('the summary of a run’s draft changes', () => {
  it('counts distinct drafts per kind of change, from and to', () => {
    const taxes = (moveId: number): DraftChange => ({
      kind: 'taxes',
      moveId,
      from: 'VAT 22 %',
      to: 'no tax',
    });
    const changes: DraftChange[] = [
      ...Array.from({ length: 15 }, (_, i) => taxes(i + 1)),
      taxes(3), // the same draft found twice (two jobs of one run) counts once
      { kind: 'taxes', moveId: 40, from: 'VAT 10 %', to: 'no tax' },
      { kind: 'invoice date', moveId: 2, from: '2024-05-31', to: '2024-06-01' },
      { kind: 'own partners', moveId: 41, from: 'reseller', to: 'direct channel' },
      { kind: 'own partners', moveId: 41, from: 'reseller', to: 'direct channel' },
    ];
    expect(summarizeDraftChanges(changes)).toEqual([
      'taxes: VAT 22 % → no tax on 15 drafts',
      'taxes: VAT 10 % → no tax on 1 draft',
      'invoice date: 2024-05-31 → 2024-06-01 on 1 draft',
      'own partners: reseller → direct channel on 1 draft (left as it was: the same usage is now invoiced the new way; cancel or delete it)',
    ]);
    expect(summarizeDraftChanges([])).toEqual([]);
  });

  it('names the drafts of the same usage made the other way when the own partners change', () => {
    expect(otherWayDrafts({ kind: 'client', uuid: 'c1', partnerId: 'p1', clients: [{ id: 'c1' }] })).toEqual([
      { kind: 'partner', uuid: 'p1', change: { from: 'reseller', to: 'direct channel' } },
    ]);
    expect(otherWayDrafts({ kind: 'client', uuid: 'c1', clients: [{ id: 'c1' }] })).toEqual([]);
    expect(otherWayDrafts({ kind: 'partner', uuid: 'p2', clients: [{ id: 'c2' }, { id: 'c3' }] })).toEqual([
      { kind: 'client', uuid: 'c2', change: { from: 'direct channel', to: 'reseller' } },
      { kind: 'client', uuid: 'c3', change: { from: 'direct channel', to: 'reseller' } },
    ]);
  });
});
