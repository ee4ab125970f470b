import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';

/**
 * What Odoo knows of a period's invoices, from the usage records the invoice writer keeps with
 * each of them (`x_rcp_usage`: one per client and billing class): which RCP clients' usage each
 * invoice holds. RCP's lists say who is invoiced now; this says who was, so that a client RCP no
 * longer lists never silently leaves an invoice (a reseller's draft rewritten smaller, a direct
 * client's draft left unchecked).
 */
export interface KnownUsage {
  moveId: number;
  /** The invoiced `res.partner` (the client itself, or its reseller). */
  partnerId: number;
  partnerName: string;
  clientUuid: string;
  clientName: string;
}

type Many2one = [number, string] | false;

/**
 * The clients on the period's invoices, optionally only on those of the given invoiced partners.
 * Empty without the workspace (nothing recorded to compare with).
 */
export async function knownUsageOf(
  odoo: OdooClient,
  period: string,
  options: { partnerIds?: readonly number[]; states: readonly string[] },
): Promise<KnownUsage[]> {
  const { partnerIds, states } = options;
  if (partnerIds && partnerIds.length === 0) return [];
  let rows: Array<{
    id: number;
    x_move_id: Many2one;
    x_partner_id: Many2one;
    x_counterparty_id: Many2one;
  }>;
  try {
    rows = await odoo.searchRead(
      'x_rcp_usage',
      [
        ['x_period', '=', period],
        ['x_move_id.state', 'in', [...states]],
        ...(partnerIds ? [['x_partner_id', 'in', [...partnerIds]]] : []),
      ],
      ['x_move_id', 'x_partner_id', 'x_counterparty_id'],
    );
  } catch (error) {
    // No workspace (no such model): nothing was recorded.
    if (error instanceof OdooError && !error.retryable && error.kind !== 'access') return [];
    throw error;
  }
  const counterpartyIds = [
    ...new Set(rows.flatMap((r) => (r.x_counterparty_id ? [r.x_counterparty_id[0]] : []))),
  ];
  const uuids = new Map(
    (
      await odoo.read<{ id: number; x_rcp_id: string; x_name: string | false }>(
        'x_rcp_counterparty',
        counterpartyIds,
        ['x_rcp_id', 'x_name'],
      )
    ).map((c) => [c.id, { uuid: c.x_rcp_id.toLowerCase(), name: c.x_name || c.x_rcp_id }]),
  );
  const seen = new Set<string>();
  const known: KnownUsage[] = [];
  for (const row of rows) {
    if (!row.x_move_id || !row.x_partner_id || !row.x_counterparty_id) continue;
    const client = uuids.get(row.x_counterparty_id[0]);
    if (!client) continue;
    const key = `${row.x_move_id[0]}:${client.uuid}`;
    if (seen.has(key)) continue;
    seen.add(key);
    known.push({
      moveId: row.x_move_id[0],
      partnerId: row.x_partner_id[0],
      partnerName: row.x_partner_id[1],
      clientUuid: client.uuid,
      clientName: client.name,
    });
  }
  return known;
}

/** The period's invoices none of whose clients RCP lists any more: their counterparty left RCP's lists. */
export function invoicesOfUnlisted(
  known: readonly KnownUsage[],
  listed: ReadonlySet<string>,
): Array<{ moveId: number; partnerName: string; clients: Array<{ uuid: string; name: string }> }> {
  const byMove = new Map<number, KnownUsage[]>();
  for (const k of known) byMove.set(k.moveId, [...(byMove.get(k.moveId) ?? []), k]);
  return [...byMove.values()]
    .filter((rows) => rows.every((r) => !listed.has(r.clientUuid)))
    .map((rows) => ({
      moveId: rows[0]?.moveId ?? 0,
      partnerName: rows[0]?.partnerName ?? '',
      clients: rows.map((r) => ({ uuid: r.clientUuid, name: r.clientName })),
    }));
}
