/**
 * RCP → Counterparties (`x_rcp_counterparty`): one record per RCP partner and client, written by
 * every sync, and the links accountants choose there. The link itself is the external ID
 * `rcp_connector.<kind>_<uuid>` on the Odoo company; choosing a company in `x_partner_id` asks for
 * a (re-)link, which the next sync applies FIRST (one server action, one transaction), before it
 * writes any company. A company an accountant chose keeps its own name, address and e-mail.
 */
import { z } from 'zod';
import { xmlidOf } from '../../mappings/external-ids.ts';
import type { DesiredRecord, DesiredValues, FieldSpecs } from '../../mappings/odoo-values.ts';
import { batchesOf } from '../batches.ts';
import type { ProcessDeps } from '../deps.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { type CompanyIndex, companyIndex } from '../odoo/company-index.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { type UpsertReport, upsertRecords } from '../odoo/upsert.ts';
import type { Client, Partner } from '../rcp/schemas.ts';
import { runWorkspaceAction } from './actions.ts';
import { ACTION_APPLY_LINKS } from './definition.ts';
import { fullXmlid } from './items.ts';

export type CounterpartyKind = 'partner' | 'client';

const many2oneId = z
  .union([z.tuple([z.number().int(), z.string()]), z.literal(false)])
  .transform((v) => (v === false ? undefined : v[0]));

const Row = z.object({
  id: z.number().int(),
  x_rcp_id: z.string().transform((s) => s.toLowerCase()),
  x_kind: z.enum(['partner', 'client']),
  x_partner_id: many2oneId,
  x_linked_partner_id: many2oneId,
  x_create_partner: z.boolean(),
  x_keep_details: z.boolean(),
});
type Row = z.infer<typeof Row>;
const ROW_FIELDS = [
  'x_rcp_id',
  'x_kind',
  'x_partner_id',
  'x_linked_partner_id',
  'x_create_partner',
  'x_keep_details',
] as const;

/** The workspace's counterparties are there (setup was run with this connector's definition). */
export async function hasCounterparties(odoo: OdooClient): Promise<boolean> {
  const xmlid = fullXmlid(ACTION_APPLY_LINKS);
  return (await externalIds(odoo).resolve([xmlid])).has(xmlid);
}

async function readRows(odoo: OdooClient, rcpIds: readonly string[]): Promise<Map<string, Row>> {
  const rows = new Map<string, Row>();
  for (const batch of batchesOf([...rcpIds], 1_000)) {
    const found = await odoo.searchRead('x_rcp_counterparty', [['x_rcp_id', 'in', batch]], [...ROW_FIELDS]);
    for (const raw of found) {
      const row = Row.parse(raw);
      rows.set(row.x_rcp_id, row);
    }
  }
  return rows;
}

export interface LinkRequest {
  counterpartyId: number;
  /** The company to link to; undefined unlinks. */
  partnerId: number | undefined;
  /** The company was chosen by a person: the sync keeps its name, address and e-mail. */
  keepDetails: boolean;
}

/** Applies links in one server action call per 500 (each call one transaction). */
export async function applyLinks(odoo: OdooClient, links: readonly LinkRequest[]): Promise<void> {
  if (links.length === 0) return;
  for (const batch of batchesOf([...links], 500)) {
    await runWorkspaceAction(odoo, ACTION_APPLY_LINKS, 'x_rcp_counterparty', {
      rcp_links: batch.map((l) => ({
        counterparty_id: l.counterpartyId,
        partner_id: l.partnerId ?? false,
        keep_details: l.keepDetails,
      })),
    });
  }
}

/** What one sync knows of the counterparties before it writes companies. */
export interface CounterpartyBook {
  /** Whether the company of this RCP record is written at all (false: it waits in to_match). */
  writes(kind: CounterpartyKind, rcpId: string): boolean;
  /** Whether the sync keeps the company's own name, address and e-mail (an accountant chose it). */
  keepsDetails(kind: CounterpartyKind, rcpId: string): boolean;
  /** Whether the company is linked to other RCP records too (then its reference is left as it is). */
  shared(kind: CounterpartyKind, rcpId: string): boolean;
  /** Links applied before writing (made, moved or removed). */
  applied: number;
  /** How many of its RCP records wait for an accountant. */
  waiting: number;
  rows: Map<string, Row>;
}

/**
 * Before the sync writes the companies of some RCP records (a slice of them: a book holds what
 * Odoo says of those records only): applies the links accountants chose (a company set in
 * `x_partner_id` other than the linked one, or cleared), then decides which RCP records get a
 * company: those linked, those asked for ("Create a new company"), and new ones unless
 * SYNC_NEW_COUNTERPARTIES=match. A dry run applies nothing. Whether a company is shared is asked
 * of Odoo (the RCP records linked to it, in this slice or not).
 */
export async function prepareCounterparties(
  deps: ProcessDeps,
  records: ReadonlyArray<{ kind: CounterpartyKind; rcpId: string }>,
  dryRun: boolean,
): Promise<CounterpartyBook> {
  const odoo = deps.odoo;
  const rows = await readRows(
    odoo,
    records.map((r) => r.rcpId),
  );
  const linked = await externalIds(odoo).resolve(records.map((r) => xmlidOf(r.kind, r.rcpId)));
  const links: LinkRequest[] = [];
  const linkedNow = new Set<string>();
  const unlinkedNow = new Set<string>();
  const keep = new Set<string>();
  for (const record of records) {
    const row = rows.get(record.rcpId);
    if (!row) continue;
    const current = linked.get(xmlidOf(record.kind, record.rcpId));
    const target = current?.model === 'res.partner' ? current.id : undefined;
    if (row.x_partner_id !== undefined && row.x_partner_id !== target) {
      links.push({ counterpartyId: row.id, partnerId: row.x_partner_id, keepDetails: true });
      linkedNow.add(record.rcpId);
      keep.add(record.rcpId);
    } else if (row.x_partner_id === undefined && target !== undefined && row.x_linked_partner_id === target) {
      // Cleared by a person: the company the last sync linked is no longer chosen. (A company the
      // sync made but had not yet written on the record, a run stopped in between, is not this.)
      links.push({ counterpartyId: row.id, partnerId: undefined, keepDetails: false });
      unlinkedNow.add(record.rcpId);
    } else if (row.x_keep_details && target !== undefined) keep.add(record.rcpId);
  }
  if (!dryRun) await applyLinks(odoo, links);
  const match = deps.config.newCounterparties === 'match';
  let waiting = 0;
  const writes = new Set<string>();
  for (const record of records) {
    const row = rows.get(record.rcpId);
    const isLinked =
      linkedNow.has(record.rcpId) ||
      (!unlinkedNow.has(record.rcpId) && linked.has(xmlidOf(record.kind, record.rcpId)));
    const asked = row?.x_create_partner === true;
    const isNew = row === undefined;
    if (isLinked || asked || (isNew && !match)) writes.add(record.rcpId);
    else waiting++;
  }
  // Several RCP clients may be linked to one Odoo company (one organisation, several contracts).
  const companyOfRecord = new Map<string, number>();
  for (const record of records) {
    const row = rows.get(record.rcpId);
    const current = linked.get(xmlidOf(record.kind, record.rcpId));
    const company = linkedNow.has(record.rcpId)
      ? row?.x_partner_id
      : unlinkedNow.has(record.rcpId)
        ? undefined
        : current?.id;
    if (company !== undefined) companyOfRecord.set(record.rcpId, company);
  }
  const perCompany = await linksPerCompany(odoo, companyOfRecord, new Set(records.map((r) => r.rcpId)));
  return {
    writes: (_kind, rcpId) => writes.has(rcpId),
    keepsDetails: (_kind, rcpId) => keep.has(rcpId),
    shared: (_kind, rcpId) => (perCompany.get(companyOfRecord.get(rcpId) ?? -1) ?? 0) > 1,
    applied: links.length,
    waiting,
    rows,
  };
}

/**
 * The RCP records linked to each company: those beyond `mine` as RCP → Counterparties holds them
 * (the company each record was last linked to, written by every sync and every link applied), and
 * `mine` as this sync has them. (Not Odoo's external IDs: a least-privileged connector user may not
 * read `ir.model.data`.)
 */
async function linksPerCompany(
  odoo: OdooClient,
  companyOfRecord: ReadonlyMap<string, number>,
  mine: ReadonlySet<string>,
): Promise<Map<number, number>> {
  const perCompany = new Map<number, number>();
  for (const company of companyOfRecord.values()) perCompany.set(company, (perCompany.get(company) ?? 0) + 1);
  for (const batch of batchesOf([...perCompany.keys()], 5_000)) {
    const held = await odoo.searchRead<{
      id: number;
      x_rcp_id: string;
      x_linked_partner_id: [number, string];
    }>('x_rcp_counterparty', [['x_linked_partner_id', 'in', batch]], ['x_rcp_id', 'x_linked_partner_id']);
    for (const row of held) {
      if (mine.has(row.x_rcp_id.toLowerCase())) continue;
      const company = row.x_linked_partner_id[0];
      perCompany.set(company, (perCompany.get(company) ?? 0) + 1);
    }
  }
  return perCompany;
}

const COUNTERPARTY_RECORD_FIELDS: FieldSpecs = {
  x_name: { type: 'char' },
  x_rcp_id: { type: 'char' },
  x_kind: { type: 'char' },
  x_parent_id: { type: 'many2one' },
  x_contract: { type: 'char' },
  x_billing_plan: { type: 'char' },
  x_payment_model: { type: 'char' },
  x_balance: { type: 'float' },
  x_currency_id: { type: 'many2one' },
  x_suggested_partner_id: { type: 'many2one' },
  x_linked_partner_id: { type: 'many2one' },
};
/** New records, and those whose company this sync made: the link too (a person's choice is never overwritten). */
const WITH_LINK: FieldSpecs = {
  ...COUNTERPARTY_RECORD_FIELDS,
  x_partner_id: { type: 'many2one' },
  x_create_partner: { type: 'boolean' },
};

export interface CounterpartyInputs {
  partners: readonly Partner[];
  clients: readonly Client[];
  /** Odoo company id of each RCP record written by this sync, by the company's external ID. */
  companyIds: ReadonlyMap<string, number>;
}

/** Writes the counterparty records of one sync, partners first, then clients slice by slice. */
export interface CounterpartyWriter {
  write(book: CounterpartyBook, input: CounterpartyInputs): Promise<UpsertReport>;
}

/**
 * The counterparty records (one per RCP partner and client, `load()` keyed by
 * `rcp_connector.counterparty_<uuid>`) of one sync: what RCP says (contract, plan, payment model,
 * balance), the linked company for new records and for companies this sync made, and a suggested
 * company for those waiting to be matched. Written per slice of clients with its own book: what
 * the writer keeps between slices is the currency, the partners' records (the clients' parents) and,
 * once a record waits, the index of companies no RCP record is linked to.
 */
export async function counterpartyWriter(deps: ProcessDeps): Promise<CounterpartyWriter> {
  const odoo = deps.odoo;
  const [currency] = await odoo.searchRead(
    'res.currency',
    [['name', '=', deps.config.companyCurrency]],
    ['id'],
  );
  const currencyId = currency?.id;
  let index: Promise<CompanyIndex> | undefined;
  const suggestions = () => {
    index ??= linkedCompanies(odoo).then((linked) => companyIndex(deps, linked));
    return index;
  };
  /** The partners' counterparty records, by external ID: written by this sync, or found. */
  const parents = new Map<string, number>();

  return {
    async write(book, input) {
      const companyOf = (kind: CounterpartyKind, rcpId: string) => input.companyIds.get(xmlidOf(kind, rcpId));
      const anyWaiting =
        input.partners.some((p) => companyOf('partner', p.id) === undefined) ||
        input.clients.some((c) => companyOf('client', c.id) === undefined);
      const known = anyWaiting ? await suggestions() : undefined;
      const suggestion = (rcpId: string, name: string) => known?.suggest(rcpId, name)[0]?.odooId;
      const missing = [
        ...new Set(input.clients.flatMap((c) => (c.partner ? [xmlidOf('counterparty', c.partner.id)] : []))),
      ].filter((x) => !parents.has(x));
      for (const [xmlid, found] of await externalIds(odoo).resolve(missing)) parents.set(xmlid, found.id);

      const withLink: DesiredRecord[] = [];
      const withoutLink: DesiredRecord[] = [];
      const place = (kind: CounterpartyKind, rcpId: string, values: DesiredValues, label: string) => {
        const company = companyOf(kind, rcpId);
        const row = book.rows.get(rcpId);
        const record: DesiredRecord = {
          xmlid: xmlidOf('counterparty', rcpId),
          label: `counterparty record of ${label}`,
          values: {
            ...values,
            x_rcp_id: rcpId,
            x_kind: kind,
            x_currency_id: currencyId ?? false,
            x_suggested_partner_id:
              (company === undefined && suggestion(rcpId, String(values.x_name))) || false,
            x_linked_partner_id: company ?? false,
          },
        };
        const madeNow = row !== undefined && company !== undefined && row.x_partner_id !== company;
        if (row === undefined || madeNow) {
          record.values.x_partner_id = company ?? false;
          record.values.x_create_partner = false;
          withLink.push(record);
        } else withoutLink.push(record);
      };
      for (const p of input.partners) {
        place(
          'partner',
          p.id,
          {
            x_name: p.name,
            x_contract: p.contract ? (p.contract.name ?? p.contract.id) : '',
            x_billing_plan: p.contract?.billing_plan.name ?? '',
            x_payment_model: '',
            x_balance: p.contract?.balance ?? 0,
          },
          `partner ${p.name} (${p.id})`,
        );
      }
      for (const c of input.clients) {
        const parent = c.partner ? parents.get(xmlidOf('counterparty', c.partner.id)) : undefined;
        place(
          'client',
          c.id,
          {
            x_name: c.name,
            x_parent_id: parent ?? false,
            x_contract: c.contract.name ?? c.contract.id,
            x_billing_plan: c.contract.billing_plan.name,
            x_payment_model: c.payment_model,
            x_balance: c.contract.balance,
          },
          `client ${c.name} (${c.id})`,
        );
      }
      const written = await upsertAll(odoo, [withLink, withoutLink]);
      // The partners' records are the parents of the clients' (the clients' are not kept).
      for (const p of input.partners) {
        const id = written.ids.get(xmlidOf('counterparty', p.id));
        if (id !== undefined) parents.set(xmlidOf('counterparty', p.id), id);
      }
      written.ids = new Map();
      return written;
    },
  };
}

/**
 * The companies an RCP partner or client is linked to (never suggested for another), as RCP →
 * Counterparties holds them (readable by a least-privileged connector user, unlike `ir.model.data`).
 */
async function linkedCompanies(odoo: OdooClient): Promise<Set<number>> {
  const linked = new Set<number>();
  for await (const page of odoo.searchReadPages<{ id: number; x_linked_partner_id: [number, string] }>(
    'x_rcp_counterparty',
    [['x_linked_partner_id', '!=', false]],
    ['x_linked_partner_id'],
    5_000,
  ))
    for (const row of page) linked.add(row.x_linked_partner_id[0]);
  return linked;
}

async function upsertAll(
  odoo: OdooClient,
  [withLink, withoutLink]: [DesiredRecord[], DesiredRecord[]],
): Promise<UpsertReport> {
  const a = await upsertRecords(odoo, {
    kind: 'counterparty record',
    model: 'x_rcp_counterparty',
    specs: WITH_LINK,
    records: withLink,
  });
  const b = await upsertRecords(odoo, {
    kind: 'counterparty record',
    model: 'x_rcp_counterparty',
    specs: COUNTERPARTY_RECORD_FIELDS,
    records: withoutLink,
  });
  // Last synced: every record this sync read from RCP and wrote (or found unchanged), stamped in
  // one write per batch, apart from the comparison (a timestamp would make every record "updated").
  const seen = [...a.ids.values(), ...b.ids.values()];
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  for (const batch of batchesOf(seen, odoo.config.batchSize))
    await odoo.write('x_rcp_counterparty', batch, { x_synced_at: now });
  return {
    created: a.created + b.created,
    updated: a.updated + b.updated,
    unchanged: a.unchanged + b.unchanged,
    failed: [...a.failed, ...b.failed],
    ids: new Map([...a.ids, ...b.ids]),
    plan: [],
  };
}

/**
 * `match --link` / `--unlink` over the same records the accountant uses: the counterparty record's
 * company is set (or cleared) and the link applied at once, in one transaction, as the sync would.
 * Answers undefined when RCP → Counterparties has no record for this id (not synced yet).
 */
export async function setLinkNow(
  odoo: OdooClient,
  rcpId: string,
  partnerId: number | undefined,
): Promise<{ kind: CounterpartyKind; previous: number | undefined } | undefined> {
  const id = rcpId.toLowerCase();
  const row = (await readRows(odoo, [id])).get(id);
  if (!row) return undefined;
  if (partnerId !== undefined) {
    const [company] = await odoo.read('res.partner', [partnerId], ['name']);
    if (!company) throw new ConfigError([`Odoo has no contact with id ${partnerId}`]);
  }
  const xmlid = xmlidOf(row.x_kind, id);
  const previous = (await externalIds(odoo).resolve([xmlid])).get(xmlid)?.id;
  await applyLinks(odoo, [{ counterpartyId: row.id, partnerId, keepDetails: partnerId !== undefined }]);
  return { kind: row.x_kind, previous };
}
