/**
 * What an invoice run changes on existing drafts because a setting changed (not because RCP's usage
 * did): their taxes (`INVOICE_TAX_IDS`), journal (`INVOICE_JOURNAL_ID`), invoice date
 * (`INVOICE_DATE`), or whether a counterparty is invoiced as the direct channel (`RCP_OWN_PARTNER_IDS`).
 * The run's summary says so per kind of change with counts (`taxes: VAT 22 % → no tax on 15 drafts`),
 * so that a setting changed by mistake shows where the accountant looks. Pure.
 */

export type DraftChangeKind = 'taxes' | 'journal' | 'invoice date' | 'own partners';

/** One change of one existing draft, with the values as Odoo shows them. */
export interface DraftChange {
  kind: DraftChangeKind;
  /** The draft (`account.move` id): a draft counts once per kind of change, whoever found it. */
  moveId: number;
  from: string;
  to: string;
}

/** A draft as Odoo holds it: the taxes of its product lines, its journal and invoice date. */
export interface DraftSettings {
  /** Each product line's tax ids. */
  lineTaxIds: ReadonlyArray<readonly number[]>;
  journalId: number | undefined;
  invoiceDate: string | false;
}

/** What the run writes on it: the configured taxes, the configured journal (none: Odoo's, left), the date. */
export interface WantedSettings {
  taxIds: readonly number[];
  journalId: number | undefined;
  invoiceDate: string;
}

export interface SettingNames {
  tax(id: number): string;
  journal(id: number): string;
}

export const NO_TAX = 'no tax';

const sortedUnique = (ids: Iterable<number>) => [...new Set(ids)].sort((a, b) => a - b);

/** The taxes of a draft as one set: what its lines carry together (a draft without lines has none to change). */
export function draftTaxIds(settings: Pick<DraftSettings, 'lineTaxIds'>): number[] {
  return sortedUnique(settings.lineTaxIds.flat());
}

/** The tax ids a draft's taxes and the wanted ones name, to read their names in one call. */
export function taxIdsToName(
  settings: Pick<DraftSettings, 'lineTaxIds'>,
  wanted: Pick<WantedSettings, 'taxIds'>,
) {
  return sortedUnique([...draftTaxIds(settings), ...wanted.taxIds]);
}

/** `VAT 22 %`, `VAT 22 %, Excise 5 %`, or `no tax`. */
export function taxesLabel(ids: readonly number[], names: Pick<SettingNames, 'tax'>): string {
  return ids.length === 0
    ? NO_TAX
    : sortedUnique(ids)
        .map((id) => names.tax(id))
        .join(', ');
}

/** A draft's taxes as its lines carry them: `VAT 22 %`, or `VAT 22 % / no tax` when its lines differ. */
function heldTaxesLabel(held: Pick<DraftSettings, 'lineTaxIds'>, names: Pick<SettingNames, 'tax'>): string {
  const sets = [...new Set(held.lineTaxIds.map((ids) => sortedUnique(ids).join(',')))].sort();
  return sets.map((set) => taxesLabel(set === '' ? [] : set.split(',').map(Number), names)).join(' / ');
}

/**
 * The setting changes a rewrite makes on a draft: taxes when any line's taxes are not exactly the
 * wanted ones, the journal when one is configured and the draft is in another, the invoice date.
 */
export function settingChangesOf(
  moveId: number,
  held: DraftSettings,
  wanted: WantedSettings,
  names: SettingNames,
): DraftChange[] {
  const changes: DraftChange[] = [];
  const want = sortedUnique(wanted.taxIds);
  const linesDiffer = held.lineTaxIds.some((ids) => sortedUnique(ids).join(',') !== want.join(','));
  if (held.lineTaxIds.length > 0 && linesDiffer) {
    changes.push({
      kind: 'taxes',
      moveId,
      from: heldTaxesLabel(held, names),
      to: taxesLabel(want, names),
    });
  }
  if (wanted.journalId !== undefined && held.journalId !== wanted.journalId) {
    changes.push({
      kind: 'journal',
      moveId,
      from: held.journalId === undefined ? 'none' : names.journal(held.journalId),
      to: names.journal(wanted.journalId),
    });
  }
  if (held.invoiceDate !== wanted.invoiceDate) {
    changes.push({ kind: 'invoice date', moveId, from: held.invoiceDate || 'none', to: wanted.invoiceDate });
  }
  return changes;
}

/** Who a counterparty's invoice is for, as the writer knows it. */
export interface InvoicedAs {
  kind: 'client' | 'partner';
  uuid: string;
  /** A direct client's (own) partner. */
  partnerId?: string | undefined;
  /** A reseller's clients. */
  clients: ReadonlyArray<{ id: string }>;
}

/**
 * The drafts of the same usage made the other way, which a change of `RCP_OWN_PARTNER_IDS` leaves
 * behind: a direct client of an own partner was, before, on that partner's (reseller) draft; a
 * reseller's clients were, before, on their own (direct channel) drafts.
 */
export function otherWayDrafts(
  unit: InvoicedAs,
): Array<{ kind: 'client' | 'partner'; uuid: string; change: { from: string; to: string } }> {
  if (unit.kind === 'client') {
    return unit.partnerId
      ? [{ kind: 'partner', uuid: unit.partnerId, change: { from: 'reseller', to: 'direct channel' } }]
      : [];
  }
  return unit.clients.map((c) => ({
    kind: 'client' as const,
    uuid: c.id,
    change: { from: 'direct channel', to: 'reseller' },
  }));
}

/**
 * One line per kind of change, from and to, with the number of distinct drafts:
 * `taxes: VAT 22 % → no tax on 15 drafts`. In a stable order (kind, then most drafts first).
 */
export function summarizeDraftChanges(changes: readonly DraftChange[]): string[] {
  const order: DraftChangeKind[] = ['taxes', 'journal', 'invoice date', 'own partners'];
  const groups = new Map<string, { kind: DraftChangeKind; from: string; to: string; moves: Set<number> }>();
  for (const change of changes) {
    const key = JSON.stringify([change.kind, change.from, change.to]);
    const group = groups.get(key) ?? {
      kind: change.kind,
      from: change.from,
      to: change.to,
      moves: new Set(),
    };
    group.moves.add(change.moveId);
    groups.set(key, group);
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        order.indexOf(a.kind) - order.indexOf(b.kind) ||
        b.moves.size - a.moves.size ||
        a.from.localeCompare(b.from) ||
        a.to.localeCompare(b.to),
    )
    .map((g) => {
      const n = g.moves.size;
      const text = `${g.kind}: ${g.from} → ${g.to} on ${n} draft${n === 1 ? '' : 's'}`;
      return g.kind === 'own partners'
        ? `${text} (left as ${n === 1 ? 'it was' : 'they were'}: the same usage is now invoiced the new way; cancel or delete ${n === 1 ? 'it' : 'them'})`
        : text;
    });
}
