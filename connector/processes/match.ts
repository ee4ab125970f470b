import { xmlidOf } from '../../mappings/external-ids.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConfigError } from '../errors.ts';
import { type MatchSuggestion, companyIndex } from '../odoo/company-index.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { readClients, readPartners } from './rcp-read.ts';

export interface Unmatched {
  kind: 'partner' | 'client';
  rcpId: string;
  name: string;
  suggestions: MatchSuggestion[];
}

export type { MatchSuggestion };

export interface MatchReport {
  unmatched: Unmatched[];
  linked: number;
  failed: FailedRecord[];
}

/**
 * Matching: RCP partners and clients that no Odoo company is linked to yet, each with the Odoo
 * companies that are probably it (same reference, or the same name once quotes, legal forms and
 * case are set aside), so that an accountant links them instead of letting the sync make duplicates.
 */
export async function findUnmatched(deps: ProcessDeps): Promise<MatchReport> {
  const partners = await readPartners(deps.rcp);
  const clients = await readClients(deps.rcp);
  const rcp = [
    ...partners.items.map((p) => ({ kind: 'partner' as const, rcpId: p.id, name: p.name })),
    ...clients.items.map((c) => ({ kind: 'client' as const, rcpId: c.id, name: c.name })),
  ];
  const linked = await externalIds(deps.odoo).resolve(rcp.map((r) => xmlidOf(r.kind, r.rcpId)));
  const index = await companyIndex(deps, new Set([...linked.values()].map((t) => t.id)));
  const unmatched: Unmatched[] = [];
  for (const record of rcp) {
    if (linked.has(xmlidOf(record.kind, record.rcpId))) continue;
    unmatched.push({ ...record, suggestions: index.suggest(record.rcpId, record.name) });
  }
  return { unmatched, linked: linked.size, failed: [...partners.failed, ...clients.failed] };
}

/** Links an existing Odoo company to an RCP partner or client by external ID; the sync then updates it. */
export async function linkCounterparty(
  deps: ProcessDeps,
  odooPartnerId: number,
  rcpId: string,
): Promise<{ kind: 'partner' | 'client'; xmlid: string }> {
  const partners = await readPartners(deps.rcp);
  const kind = partners.items.some((p) => p.id === rcpId)
    ? 'partner'
    : (await readClients(deps.rcp)).items.some((c) => c.id === rcpId)
      ? 'client'
      : undefined;
  if (!kind)
    throw new ConfigError([
      `RCP has no partner or client ${rcpId}: check the id (rcp-odoo match lists them)`,
    ]);
  const [company] = await deps.odoo.read('res.partner', [odooPartnerId], ['name']);
  if (!company) throw new ConfigError([`Odoo has no contact with id ${odooPartnerId}`]);
  const xmlid = xmlidOf(kind, rcpId);
  const existing = (await externalIds(deps.odoo).resolve([xmlid])).get(xmlid);
  if (existing) {
    if (existing.id === odooPartnerId) return { kind, xmlid };
    throw new ConfigError([`RCP ${kind} ${rcpId} is already linked to Odoo contact ${existing.id}`]);
  }
  try {
    await externalIds(deps.odoo).create([{ xmlid, model: 'res.partner', id: odooPartnerId }]);
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'access') {
      throw new ConfigError([
        `ODOO_USER may not create external IDs (Administration / Access Rights): grant it, or in Odoo add the external ID ${xmlid} to contact ${odooPartnerId} (Settings → Technical → External Identifiers)`,
      ]);
    }
    throw error;
  }
  return { kind, xmlid };
}
