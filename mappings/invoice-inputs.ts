import type { InvoicedCounterparty } from './invoiced-counterparties.ts';

/**
 * What could not be read, or broke validation, among the inputs of a run's invoices. An invoice
 * made without one of its inputs would be short (a reseller missing a client) or wrong (a client
 * missing a usage row), so a counterparty with any problem here gets no new or updated invoice:
 * it is named with every reason, and the others are made.
 */
export interface InputProblems {
  /** A client's own inputs (its usage rows, their reading), by client id. */
  byClient: Map<string, string[]>;
  /** A billing plan's prices (a reseller's re-pricing), by plan id. */
  byPlan: Map<string, string[]>;
  /** Partner records that broke the schema, by partner id. */
  byPartner: Map<string, string[]>;
  /**
   * Client records that broke the schema, with the partner they belong to: `''` none, `null` when
   * even that could not be read (then any reseller may be missing the client).
   */
  brokenClients: Array<{ id: string; partner: string | null; reason: string }>;
  /** What Odoo's invoices hold that RCP's lists lack (a client gone from its reseller's list), by counterparty uuid. */
  fromOdoo: Map<string, string[]>;
}

export function noInputProblems(): InputProblems {
  return {
    byClient: new Map(),
    byPlan: new Map(),
    byPartner: new Map(),
    brokenClients: [],
    fromOdoo: new Map(),
  };
}

export function addProblem(map: Map<string, string[]>, key: string, reason: string): void {
  const list = map.get(key);
  if (list) list.push(reason);
  else map.set(key, [reason]);
}

/** Every reason why `unit` cannot be invoiced from what was read, in a stable order; empty when it can. */
export function problemsOfUnit(unit: InvoicedCounterparty, problems: InputProblems): string[] {
  const reasons: string[] = [...(problems.fromOdoo.get(unit.uuid) ?? [])];
  if (unit.kind === 'partner') {
    for (const reason of problems.byPartner.get(unit.uuid) ?? []) reasons.push(`partner record: ${reason}`);
    for (const broken of problems.brokenClients) {
      if (broken.partner === unit.uuid) reasons.push(`client ${broken.id}: ${broken.reason}`);
      else if (broken.partner === null)
        reasons.push(`client ${broken.id}, whose partner cannot be read: ${broken.reason}`);
    }
    if (unit.partnerPlanId) {
      for (const reason of problems.byPlan.get(unit.partnerPlanId) ?? [])
        reasons.push(`prices of the partner's plan ${unit.partnerPlanId}: ${reason}`);
    }
  }
  for (const client of unit.clients) {
    for (const reason of problems.byClient.get(client.id) ?? [])
      reasons.push(`client ${client.name} (${client.id}): ${reason}`);
  }
  return reasons;
}

/**
 * Client records that broke the schema and would be invoiced directly (no partner, or an own
 * partner): they have no invoice of their own to hold back, so they are named on their own.
 */
export function brokenDirectClients(
  problems: InputProblems,
  ownPartnerIds: readonly string[],
): InputProblems['brokenClients'] {
  const own = new Set(ownPartnerIds);
  return problems.brokenClients.filter((b) => b.partner === '' || (b.partner !== null && own.has(b.partner)));
}
