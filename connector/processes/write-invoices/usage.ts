import { z } from 'zod';
import { toKopecks } from '../../../mappings/money.ts';
import { type UsageRecord, usageRecordsOf } from '../../../mappings/usage-records.ts';
import type { ProcessDeps } from '../../deps.ts';
import type { OdooClient } from '../../odoo/client.ts';
import { OdooError } from '../../odoo/errors.ts';
import type { InvoiceDraft } from '../invoice-types.ts';

const USAGE = 'x_rcp_usage';
const COUNTERPARTY = 'x_rcp_counterparty';

/**
 * Whether setup made the workspace models the invoice writer uses (usage records and claims), asked
 * of the model itself: reading `ir.model` needs Access Rights, which a least-privileged connector
 * user has not, while the connector's group may read its own models. Odoo answers an unknown model
 * with a non-retryable error; a model that is there but not readable to this user still counts
 * (its writes then fail, and say why).
 */
export async function hasInvoiceWorkspace(odoo: OdooClient): Promise<boolean> {
  try {
    await odoo.searchCount(USAGE, [['id', '=', 0]]);
    return true;
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'access') return true;
    if (error instanceof OdooError && !error.retryable) return false;
    throw error;
  }
}

interface Invoiced {
  draft: InvoiceDraft;
  id: number;
}

interface HeldMove {
  amount_untaxed: number;
  currency_id?: [number, string] | false;
}

/**
 * The usage records of each invoice (`x_rcp_usage`: one per client and billing class, as invoiced),
 * replacing that invoice's previous ones, in batches. Their amounts add up to the invoice's untaxed
 * amount as Odoo holds it. Also brings up to date the records of invoices left unchanged whose
 * records do not add up (written before setup, or by a run stopped half-way).
 */
export async function writeUsageRecords(
  deps: ProcessDeps,
  moveOf: (id: number) => HeldMove | undefined,
  written: readonly Invoiced[],
  unchanged: readonly Invoiced[],
  period: string,
): Promise<void> {
  const { odoo } = deps;
  const stale = await notAddingUp(odoo, moveOf, unchanged);
  const invoices = [...written, ...stale];
  if (invoices.length === 0) return;
  const counterparties = await counterpartiesOf(
    odoo,
    invoices.flatMap((i) => i.draft.plan.details.map((d) => ({ id: d.clientId, name: d.clientName }))),
  );
  const rows = invoices.flatMap(({ draft, id }) => {
    const move = moveOf(id);
    if (!move) return [];
    return usageRecordsOf(draft.plan, toKopecks(move.amount_untaxed)).map((r) =>
      usageValues(r, draft, id, period, counterparties, move),
    );
  });
  // Old first: a run stopped in between leaves an invoice without records, which the next run sees and fills.
  const old = await odoo.search(USAGE, [['x_move_id', 'in', invoices.map((i) => i.id)]]);
  await odoo.unlinkExisting(USAGE, old);
  await odoo.create(USAGE, rows);
}

function usageValues(
  record: UsageRecord,
  draft: InvoiceDraft,
  moveId: number,
  period: string,
  counterparties: ReadonlyMap<string, number>,
  move: HeldMove,
): Record<string, unknown> {
  return {
    x_name: record.billingClassName,
    x_period: period,
    x_partner_id: draft.partnerId,
    x_counterparty_id: counterparties.get(record.clientId) ?? false,
    x_product_id: draft.productIds.get(record.billingClassId) ?? false,
    x_quantity: record.quantity,
    x_amount: record.amountKopecks / 100,
    x_move_id: moveId,
    ...(move.currency_id ? { x_currency_id: move.currency_id[0] } : {}),
  };
}

/** Unchanged invoices whose usage records are missing or do not add up to the untaxed amount. */
async function notAddingUp(
  odoo: OdooClient,
  moveOf: (id: number) => HeldMove | undefined,
  unchanged: readonly Invoiced[],
): Promise<Invoiced[]> {
  if (unchanged.length === 0) return [];
  const rows = z
    .array(
      z.object({
        x_move_id: z.union([z.tuple([z.number(), z.string()]), z.literal(false)]),
        x_amount: z.number(),
      }),
    )
    .parse(
      await odoo.searchRead(
        USAGE,
        [['x_move_id', 'in', unchanged.map((u) => u.id)]],
        ['x_move_id', 'x_amount'],
      ),
    );
  const sums = new Map<number, number>();
  for (const r of rows)
    if (r.x_move_id) sums.set(r.x_move_id[0], (sums.get(r.x_move_id[0]) ?? 0) + toKopecks(r.x_amount));
  return unchanged.filter((u) => {
    const move = moveOf(u.id);
    return move !== undefined && sums.get(u.id) !== toKopecks(move.amount_untaxed);
  });
}

/**
 * The `x_rcp_counterparty` record of each client, by its lower-case uuid (`x_rcp_id`, the key the
 * sync uses too); a client the sync has not recorded yet gets a minimal record, which the sync
 * completes. A concurrent creator of the same uuid makes the batch fail on the unique index: read again.
 */
export async function counterpartiesOf(
  odoo: OdooClient,
  clients: ReadonlyArray<{ id: string; name: string }>,
): Promise<Map<string, number>> {
  const names = new Map(clients.map((c) => [c.id.toLowerCase(), c.name]));
  const read = async () =>
    new Map(
      (
        await odoo.searchRead<{ id: number; x_rcp_id: string }>(
          COUNTERPARTY,
          [['x_rcp_id', 'in', [...names.keys()]]],
          ['x_rcp_id'],
        )
      ).map((r) => [r.x_rcp_id, r.id]),
    );
  let found = await read();
  const missing = [...names].filter(([id]) => !found.has(id));
  if (missing.length > 0) {
    try {
      await odoo.create(
        COUNTERPARTY,
        missing.map(([id, name]) => ({ x_rcp_id: id, x_kind: 'client', x_name: name })),
      );
    } catch (error) {
      if (!(error instanceof OdooError) || error.retryable || error.kind !== 'validation') throw error;
    }
    found = await read();
  }
  return new Map(
    clients.map((c) => [c.id, found.get(c.id.toLowerCase()) ?? 0]).filter(([, id]) => id !== 0) as Array<
      [string, number]
    >,
  );
}
