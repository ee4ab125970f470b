import {
  type InvoiceTotalField,
  invoiceTotalField,
  invoiceTotalKopecks,
} from '../../mappings/invoice-total.ts';
import { toKopecks } from '../../mappings/money.ts';
import type { OdooRecord } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import { type InvoiceResult, prepareInvoices } from './invoice-period.ts';
import { readLedger } from './push-payments.ts';

export interface ReconcileRow {
  counterparty: string;
  kind: 'client' | 'partner';
  uuid: string;
  /** RCP's cost for the month (re-priced for resellers), in kopecks. */
  rcpKopecks: number;
  /** The Odoo invoice's total that must equal RCP's (see mappings/invoice-total.ts), or undefined when there is none. */
  odooKopecks: number | undefined;
  state: string;
  odooId: number | undefined;
  ok: boolean;
  problem?: string;
}

export interface PaymentsSummary {
  pushed: number;
  needsReview: Array<{ paymentId: number; details: string }>;
  /** Pushed to RCP, then cancelled or reset to draft in Odoo. */
  voidAfterPush: Array<{ paymentId: number; name: string; state: string; amountKopecks: number }>;
}

export interface ReconcileReport {
  period: string;
  rows: ReconcileRow[];
  mismatches: number;
  payments: PaymentsSummary;
  failed: FailedRecord[];
}

/**
 * RCP's cost per invoiced counterparty against the Odoo invoice of the month: mismatches first.
 * Reads only; a counterparty whose cost cannot be computed (a missing price) is a mismatch too.
 */
export async function reconcilePeriod(deps: ProcessDeps, period: string): Promise<ReconcileReport> {
  const notes: { invoices: InvoiceResult[]; failed: FailedRecord[] } = { invoices: [], failed: [] };
  const { drafts } = await prepareInvoices(deps, { period }, notes);
  const found = await externalIds(deps.odoo).resolve(drafts.map((d) => d.xmlid));
  const ids = [...found.values()].filter((t) => t.model === 'account.move').map((t) => t.id);
  const moves = new Map(
    (
      await deps.odoo.read<OdooRecord & { state: string; amount_untaxed: number; amount_total: number }>(
        'account.move',
        ids,
        ['state', 'amount_untaxed', 'amount_total'],
      )
    ).map((m) => [m.id, m]),
  );
  const totalField = await totalFieldOf(deps);
  const rows: ReconcileRow[] = drafts.map((draft) => {
    const move = moves.get(found.get(draft.xmlid)?.id ?? 0);
    const odooKopecks = move ? invoiceTotalKopecks(move, totalField) : undefined;
    const ok = odooKopecks === draft.plan.totalKopecks && move?.state !== 'cancel';
    return {
      counterparty: draft.counterparty.name,
      kind: draft.counterparty.kind,
      uuid: draft.counterparty.uuid,
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
  const payments = await paymentsSummary(deps);
  return {
    period,
    rows,
    payments,
    mismatches:
      rows.filter((r) => !r.ok).length + payments.voidAfterPush.length + payments.needsReview.length,
    failed: notes.failed.filter((f) => f.kind !== 'invoice'),
  };
}

/** The same total the invoice writer checks: untaxed, or with price-included taxes the total. */
async function totalFieldOf(deps: ProcessDeps): Promise<InvoiceTotalField> {
  const taxIds = deps.config.invoicing.taxIds;
  if (taxIds.length === 0) return invoiceTotalField([]);
  return invoiceTotalField(
    await deps.odoo.read<OdooRecord & { price_include: boolean }>(
      'account.tax',
      [...taxIds],
      ['price_include'],
    ),
  );
}

/** What the payment ledger says: pushed, waiting for review, and pushed payments since voided in Odoo. */
async function paymentsSummary(deps: ProcessDeps): Promise<PaymentsSummary> {
  const ledger = [...(await readLedger(deps)).values()];
  const pushed = ledger.filter((l) => l.entry.state === 'pushed');
  const rows = await deps.odoo.read<OdooRecord & { name: string | false; state: string; amount: number }>(
    'account.payment',
    pushed.map((l) => l.paymentId),
    ['name', 'state', 'amount'],
  );
  return {
    pushed: pushed.length,
    needsReview: ledger
      .filter((l) => l.entry.state === 'review' || l.entry.state === 'intent')
      .map((l) => ({ paymentId: l.paymentId, details: l.entry.details })),
    voidAfterPush: rows
      .filter((r) => !deps.odoo.capabilities.paymentDoneStates.includes(r.state))
      .map((r) => ({
        paymentId: r.id,
        name: r.name || `#${r.id}`,
        state: r.state,
        amountKopecks: toKopecks(r.amount),
      })),
  };
}
