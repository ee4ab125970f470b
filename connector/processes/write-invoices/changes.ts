import {
  type DraftChange,
  type DraftSettings,
  type WantedSettings,
  otherWayDrafts,
  settingChangesOf,
  taxIdsToName,
} from '../../../mappings/draft-changes.ts';
import { invoiceOrigin } from '../../../mappings/invoice-values.ts';
import { batchesOf } from '../../batches.ts';
import type { ProcessDeps } from '../../deps.ts';
import type { InvoiceDraft } from '../invoice-types.ts';

/**
 * The setting changes (taxes, journal, invoice date) of the drafts a run rewrites, named as Odoo
 * shows them: one read of the taxes' names and, when the journal moves, of the journals'.
 */
export async function settingChanges(
  deps: ProcessDeps,
  settings: ReadonlyArray<{ moveId: number; held: DraftSettings; wanted: WantedSettings }>,
): Promise<DraftChange[]> {
  // Named only when something changes: a run that changes no setting reads nothing more.
  const byId = { tax: (id: number) => `#${id}`, journal: (id: number) => `#${id}` };
  const raw = settings.flatMap((s) => settingChangesOf(s.moveId, s.held, s.wanted, byId));
  if (raw.length === 0) return [];
  const changing = settings.filter((s) => raw.some((c) => c.moveId === s.moveId));
  const taxNames = raw.some((c) => c.kind === 'taxes')
    ? await namesOf(deps, 'account.tax', [
        ...new Set(changing.flatMap((s) => taxIdsToName(s.held, s.wanted))),
      ])
    : new Map<number, string>();
  const journalIds = changing.flatMap((s) => [
    ...(s.wanted.journalId === undefined ? [] : [s.wanted.journalId]),
    ...(s.held.journalId === undefined ? [] : [s.held.journalId]),
  ]);
  const journalNames = raw.some((c) => c.kind === 'journal')
    ? await namesOf(deps, 'account.journal', [...new Set(journalIds)])
    : new Map<number, string>();
  const names = {
    tax: (id: number) => taxNames.get(id) ?? `tax #${id}`,
    journal: (id: number) => journalNames.get(id) ?? `journal #${id}`,
  };
  return changing.flatMap((s) => settingChangesOf(s.moveId, s.held, s.wanted, names));
}

async function namesOf(
  deps: ProcessDeps,
  model: string,
  ids: readonly number[],
): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await deps.odoo.read<{ id: number; name: string | false }>(model, ids, ['name']);
  return new Map(rows.map((r) => [r.id, r.name || `#${r.id}`]));
}

/**
 * Drafts of the same usage made the other way (a change of RCP_OWN_PARTNER_IDS): found by their
 * `invoice_origin` (period, kind, uuid), in one search per batch. They are left as they are, and named.
 */
export async function otherWayChanges(
  deps: ProcessDeps,
  period: string,
  drafts: readonly InvoiceDraft[],
): Promise<DraftChange[]> {
  const wanted = new Map<string, { from: string; to: string }>();
  for (const draft of drafts) {
    for (const other of otherWayDrafts(draft.counterparty)) {
      wanted.set(invoiceOrigin(period, other.kind, other.uuid), other.change);
    }
  }
  const changes: DraftChange[] = [];
  for (const batch of batchesOf([...wanted.keys()], deps.odoo.config.batchSize)) {
    const rows = await deps.odoo.searchRead<{ id: number; invoice_origin: string | false }>(
      'account.move',
      [
        ['move_type', '=', 'out_invoice'],
        ['state', '=', 'draft'],
        ['invoice_origin', 'in', batch],
      ],
      ['invoice_origin'],
    );
    for (const row of rows) {
      const change = row.invoice_origin ? wanted.get(row.invoice_origin) : undefined;
      if (change) changes.push({ kind: 'own partners', moveId: row.id, ...change });
    }
  }
  return changes;
}
