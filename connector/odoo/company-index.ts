/**
 * The Odoo companies an RCP partner or client probably is (same reference, or the same name once
 * quotes, legal forms and case are set aside): read by `match` (connector/processes/match.ts) and
 * by the sync's suggestions in RCP → Counterparties (connector/workspace/counterparties.ts).
 */
import { normaliseCompanyName } from '../../mappings/counterparties.ts';
import type { OdooClient } from './client.ts';

export interface MatchSuggestion {
  odooId: number;
  odooName: string;
  reason: 'same reference' | 'same name';
}

interface OdooCompany {
  id: number;
  name: string;
  ref: string | false;
}

export interface CompanyIndex {
  /** The Odoo companies that are probably this RCP partner or client, the most certain first. */
  suggest(rcpId: string, name: string): MatchSuggestion[];
}

/**
 * Every Odoo company but those already linked, by reference and by normalised name: the one home
 * of the matching rule (same reference, or the same name once quotes, legal forms and case are set
 * aside), used by `match` and by the sync's suggestions in RCP → Counterparties.
 */
export async function companyIndex(
  deps: { odoo: OdooClient },
  linkedOdooIds: ReadonlySet<number>,
): Promise<CompanyIndex> {
  const byName = new Map<string, OdooCompany[]>();
  const byRef = new Map<string, OdooCompany>();
  for await (const page of deps.odoo.searchReadPages<OdooCompany & Record<string, unknown>>(
    'res.partner',
    [['is_company', '=', true]],
    ['name', 'ref'],
  )) {
    for (const company of page) {
      if (linkedOdooIds.has(company.id)) continue;
      const key = normaliseCompanyName(company.name);
      byName.set(key, [...(byName.get(key) ?? []), company]);
      if (company.ref) byRef.set(company.ref.toLowerCase(), company);
    }
  }
  return {
    suggest(rcpId, name) {
      const suggestions: MatchSuggestion[] = [];
      const sameRef = byRef.get(rcpId.toLowerCase());
      if (sameRef) suggestions.push({ odooId: sameRef.id, odooName: sameRef.name, reason: 'same reference' });
      for (const company of byName.get(normaliseCompanyName(name)) ?? []) {
        if (company.id !== sameRef?.id)
          suggestions.push({ odooId: company.id, odooName: company.name, reason: 'same name' });
      }
      return suggestions;
    },
  };
}
