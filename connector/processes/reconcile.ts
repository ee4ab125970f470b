import { toKopecks } from '../../mappings/money.ts';
import type { OdooRecord } from '../odoo/client.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import { type InvoiceResult, prepareInvoices } from './invoice-period.ts';

export interface ReconcileRow {
  counterparty: string;
  kind: 'client' | 'partner';
  uuid: string;
  /** RCP's cost for the month (re-priced for resellers), in kopecks. */
  rcpKopecks: number;
  /** The Odoo invoice's untaxed amount, or undefined when there is none. */
  odooKopecks: number | undefined;
  state: string;
  odooId: number | undefined;
  ok: boolean;
  problem?: string;
}

export interface ReconcileReport {
  period: string;
  rows: ReconcileRow[];
  mismatches: number;
  failed: FailedRecord[];
}

/**
 * RCP's cost per invoiced counterparty against the Odoo invoice of the month: mismatches first.
 * Reads only; a counterparty whose cost cannot be computed (a missing price) is a mismatch too.
 */
export async function reconcilePeriod(deps: ProcessDeps, period: string): Promise<ReconcileReport> {
  const notes: { invoices: InvoiceResult[]; failed: FailedRecord[] } = { invoices: [], failed: [] };
  const { drafts } = await prepareInvoices(deps, { period }, notes);
  const found = await deps.odoo.externalIds.resolve(drafts.map((d) => d.xmlid));
  const ids = [...found.values()].filter((t) => t.model === 'account.move').map((t) => t.id);
  const moves = new Map(
    (
      await deps.odoo.read<OdooRecord & { state: string; amount_untaxed: number }>('account.move', ids, [
        'state',
        'amount_untaxed',
      ])
    ).map((m) => [m.id, m]),
  );
  const rows: ReconcileRow[] = drafts.map((draft) => {
    const move = moves.get(found.get(draft.xmlid)?.id ?? 0);
    const odooKopecks = move ? toKopecks(move.amount_untaxed) : undefined;
    const ok = odooKopecks === draft.plan.totalKopecks && move?.state !== 'cancel';
    return {
      counterparty: draft.unit.name,
      kind: draft.unit.kind,
      uuid: draft.unit.uuid,
      rcpKopecks: draft.plan.totalKopecks,
      odooKopecks,
      state: move?.state ?? 'no invoice',
      odooId: move?.id,
      ok,
      ...(ok
        ? {}
        : {
            problem: move
              ? move.state === 'cancel'
                ? 'the invoice is cancelled'
                : 'amounts differ'
              : 'no invoice in Odoo',
          }),
    };
  });
  for (const failure of notes.invoices.filter((i) => i.outcome === 'failed')) {
    rows.push({
      counterparty: failure.counterparty,
      kind: failure.kind,
      uuid: failure.uuid,
      rcpKopecks: failure.totalKopecks,
      odooKopecks: undefined,
      state: 'not computed',
      odooId: undefined,
      ok: false,
      problem: failure.error ?? 'failed',
    });
  }
  rows.sort((a, b) => Number(a.ok) - Number(b.ok) || a.counterparty.localeCompare(b.counterparty, 'ru'));
  return {
    period,
    rows,
    mismatches: rows.filter((r) => !r.ok).length,
    failed: notes.failed.filter((f) => f.kind !== 'invoice'),
  };
}
