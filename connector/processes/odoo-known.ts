import { batchesOf } from '../batches.ts';
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

/** One (invoice, invoiced partner, client) of the period's usage records, as Odoo groups them. */
interface UsageGroup {
  x_move_id: Many2one;
  x_partner_id: Many2one;
  x_counterparty_id: Many2one;
}

/**
 * The clients on the period's invoices, optionally only on those of the given invoiced partners.
 * Empty without the workspace (nothing recorded to compare with).
 */
export async function knownUsageOf(
  odoo: OdooClient,
  period: string,
  options: { partnerIds?: readonly number[]; states: readonly string[] },
): Promise<KnownUsage[]> {
  const known: KnownUsage[] = [];
  for await (const page of knownUsagePages(odoo, period, options)) known.push(...page);
  return known;
}

/**
 * The same, page by page, invoice after invoice (a page ends where Odoo's does; an invoice's clients
 * may run on into the next page). The usage records are read grouped by invoice, invoiced partner
 * and client (`read_group`, the same on 17, 18 and 19): one row per client of an invoice, not one
 * per billing class, and never the whole month at once.
 */
export async function* knownUsagePages(
  odoo: OdooClient,
  period: string,
  options: { partnerIds?: readonly number[]; states: readonly string[] },
): AsyncGenerator<KnownUsage[]> {
  const { partnerIds, states } = options;
  if (partnerIds && partnerIds.length === 0) return;
  // Odoo repeats the whole domain in every group it answers (`__domain`): a list of the month's
  // partners there made an answer grow with its square (130 MB for one page at 100,000 clients).
  const chunks = partnerIds ? batchesOf(partnerIds, PARTNERS_PER_READ) : [undefined];
  let first = true;
  for (const chunk of chunks) {
    const domain = [
      ['x_period', '=', period],
      ['x_move_id.state', 'in', [...states]],
      ...(chunk ? [['x_partner_id', 'in', chunk]] : []),
    ];
    // No workspace: no read of the other partners either.
    if ((yield* groupPages(odoo, domain, first)) === 'no workspace') return;
    first = false;
  }
}

/** At most this many partners in one read of their usage groups (see knownUsagePages). */
const PARTNERS_PER_READ = 200;

/** One domain's usage groups, page after page (`first`: a missing model means no workspace). */
async function* groupPages(
  odoo: OdooClient,
  domain: unknown[],
  first: boolean,
): AsyncGenerator<KnownUsage[], 'no workspace' | undefined> {
  const pageSize = odoo.config.batchSize * 10;
  for (let offset = 0; ; offset += pageSize) {
    let groups: UsageGroup[];
    try {
      groups = await odoo.call<UsageGroup[]>({
        model: 'x_rcp_usage',
        method: 'read_group',
        kwargs: {
          domain,
          fields: ['__count'],
          groupby: ['x_move_id', 'x_partner_id', 'x_counterparty_id'],
          offset,
          limit: pageSize,
          orderby: 'x_move_id, x_partner_id, x_counterparty_id',
          lazy: false,
        },
      });
    } catch (error) {
      // No workspace (no such model): nothing was recorded.
      if (first && offset === 0 && error instanceof OdooError && !error.retryable && error.kind !== 'access')
        return 'no workspace';
      throw error;
    }
    const counterpartyIds = [
      ...new Set(groups.flatMap((g) => (g.x_counterparty_id ? [g.x_counterparty_id[0]] : []))),
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
    for (const group of groups) {
      if (!group.x_move_id || !group.x_partner_id || !group.x_counterparty_id) continue;
      const client = uuids.get(group.x_counterparty_id[0]);
      if (!client) continue;
      const key = `${group.x_move_id[0]}:${client.uuid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      known.push({
        moveId: group.x_move_id[0],
        partnerId: group.x_partner_id[0],
        partnerName: group.x_partner_id[1],
        clientUuid: client.uuid,
        clientName: client.name,
      });
    }
    if (known.length > 0) yield known;
    if (groups.length < pageSize) return;
  }
}

/**
 * The period's invoices none of whose clients RCP lists any more, read page by page: only the
 * clients of the invoice at hand are held (Odoo gives an invoice's groups one after another).
 */
export async function* unlistedInvoicesOf(
  odoo: OdooClient,
  period: string,
  listed: { has(id: string): boolean },
  states: readonly string[],
  /** Told each page of known clients as it is read (to keep them when they are few). */
  onPage?: (page: readonly KnownUsage[]) => void,
): AsyncGenerator<ReturnType<typeof invoicesOfUnlisted>[number]> {
  let moveId: number | undefined;
  let rows: KnownUsage[] = [];
  let anyListed = false;
  const flush = () => {
    const found = anyListed ? [] : invoicesOfUnlisted(rows, listed);
    rows = [];
    anyListed = false;
    return found;
  };
  for await (const page of knownUsagePages(odoo, period, { states })) {
    onPage?.(page);
    for (const k of page) {
      if (k.moveId !== moveId) {
        yield* flush();
        moveId = k.moveId;
      }
      if (listed.has(k.clientUuid)) anyListed = true;
      if (!anyListed) rows.push(k);
    }
  }
  yield* flush();
}

/** The period's invoices none of whose clients RCP lists any more: their counterparty left RCP's lists. */
export function invoicesOfUnlisted(
  known: readonly KnownUsage[],
  listed: { has(id: string): boolean },
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
