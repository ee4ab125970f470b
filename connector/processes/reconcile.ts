import {
  type InvoiceTotalField,
  invoiceTotalField,
  invoiceTotalKopecks,
} from '../../mappings/invoice-total.ts';
import { LISTED_ROUTINE } from '../../mappings/listed-rows.ts';
import { toKopecks } from '../../mappings/money.ts';
import { changesSincePush } from '../../mappings/payment-changes.ts';
import { receivedByCard, totalOf } from '../../mappings/payment-routing.ts';
import { batchesOf, heldAtOnce, slicesOf } from '../batches.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConfigError } from '../errors.ts';
import type { OdooRecord } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { type LedgerRecord, paymentLedgerPages } from '../workspace/payments-ledger.ts';
import { correctionsOf } from './invoice-corrections.ts';
import { type InvoiceResult, prepareInvoicesInChunks } from './invoice-period.ts';
import { readRouting } from './payment-routes.ts';
import { cardName } from './payment-settle.ts';
import { readPayments, seenOf } from './push-payments.ts';
import { hasInvoiceWorkspace } from './write-invoices/usage.ts';

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
  /** Waiting for the accountant: an attempt without outcome, or a payment edited after its push. */
  needsReview: Array<{ paymentId: number; name: string; details: string; reason: string }>;
  /** Pushed to RCP, then edited in Odoo (amount, company, date, state), with what changed. */
  changedAfterPush: Array<{ paymentId: number; name: string; changes: string[] }>;
  /** Pushed to RCP, then cancelled or reset to draft in Odoo (also in `changedAfterPush`). */
  voidAfterPush: Array<{ paymentId: number; name: string; state: string; amountKopecks: number }>;
  /**
   * Every payment of the ledger whose sum in RCP (its sends whose answer is known) differs from its
   * amount in Odoo now (0 when cancelled, reset or deleted), or that has a send without answer.
   */
  differences: PaymentDifference[];
}

export interface PaymentDifference {
  paymentId: number;
  name: string;
  odooKopecks: number;
  rcpKopecks: number;
  /** What RCP received, per card (`client Alpha (uuid)`). */
  byCard: Array<{ card: string; kopecks: number }>;
  /** Odoo minus RCP. */
  differenceKopecks: number;
  /** Sends whose answer was lost, not counted in `rcpKopecks`. */
  unknownKopecks: number;
  /** The ledger's state and review, what the accountant sees. */
  ledger: string;
}

export interface ReconcileReport {
  period: string;
  rows: ReconcileRow[];
  mismatches: number;
  /** Counterparties compared: the rows listed, and the matching ones past LISTED_ROUTINE only counted. */
  compared: number;
  /** Matching rows counted in `compared` but not listed in `rows`. */
  unlisted?: number;
  payments: PaymentsSummary;
  failed: FailedRecord[];
}

/**
 * RCP's cost per invoiced counterparty against the Odoo invoice of the month: mismatches first.
 * Reads only; a counterparty whose cost cannot be computed (a missing price) is a mismatch too.
 */
/** What reconcile reads of each invoice. */
type MoveTotals = OdooRecord & { state: string; amount_untaxed: number; amount_total: number };

export async function reconcilePeriod(deps: ProcessDeps, period: string): Promise<ReconcileReport> {
  const notes: { invoices: InvoiceResult[]; failed: FailedRecord[] } = { invoices: [], failed: [] };
  // Compared by the counterparties Odoo knows too: an invoice whose clients RCP no longer lists is a row.
  // A chunk of counterparties at a time: only the rows of the report are kept of each.
  const totalField = await totalFieldOf(deps);
  const rows: ReconcileRow[] = [];
  // Every mismatch is a row; matching counterparties past the first LISTED_ROUTINE are only counted.
  let compared = 0;
  let matching = 0;
  let unlisted = 0;
  const workspace = await hasInvoiceWorkspace(deps.odoo);
  for await (const { drafts } of prepareInvoicesInChunks(
    deps,
    { period, knownStates: ['draft', 'posted'] },
    notes,
  )) {
    // Of what preparing noted, only the failures are rows (those with no usage are not).
    const noted = notes.invoices.splice(0);
    notes.invoices.push(...noted.filter((i) => i.outcome === 'failed'));
    const found = await externalIds(deps.odoo).resolve(drafts.map((d) => d.xmlid));
    const ids = [...found.values()].filter((t) => t.model === 'account.move').map((t) => t.id);
    const moves = new Map<number, MoveTotals>();
    for (const batch of batchesOf(ids, deps.odoo.config.batchSize * 10))
      for (const move of await deps.odoo.read<MoveTotals>('account.move', batch, [
        'state',
        'amount_untaxed',
        'amount_total',
      ]))
        moves.set(move.id, move);
    // A posted invoice's corrections (credit notes, additional invoices) count once posted.
    const posted = [...moves.values()].filter((m) => m.state === 'posted').map((m) => m.id);
    const corrections = workspace ? await correctionsOf(deps.odoo, posted, totalField) : new Map();
    for (const draft of drafts) {
      const move = moves.get(found.get(draft.xmlid)?.id ?? 0);
      const corrected = move ? corrections.get(move.id) : undefined;
      const odooKopecks = move
        ? invoiceTotalKopecks(move, totalField) + (corrected?.postedKopecks ?? 0)
        : undefined;
      const ok = odooKopecks === draft.plan.totalKopecks && move?.state !== 'cancel';
      const waiting = corrected?.drafts.length
        ? `; correction(s) waiting as draft: account.move ${corrected.drafts.join(', ')}`
        : '';
      compared++;
      if (ok && ++matching > LISTED_ROUTINE) {
        unlisted++;
        continue;
      }
      rows.push({
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
                  : move.state === 'posted'
                    ? `amounts differ (RCP's usage changed after the invoice was posted: \`invoice --period ${period} --corrections\` makes the credit note or additional invoice)${waiting}`
                    : 'amounts differ'
                : 'no invoice in Odoo',
            }),
      });
    }
  }
  for (const failure of notes.invoices.filter((i) => i.outcome === 'failed')) {
    compared++;
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
  const failed = notes.failed.filter((f) => f.kind !== 'invoice');
  let payments: PaymentsSummary = {
    pushed: 0,
    needsReview: [],
    changedAfterPush: [],
    voidAfterPush: [],
    differences: [],
  };
  try {
    payments = await paymentsSummary(deps);
  } catch (error) {
    // No workspace yet: the invoices are still reconciled; the payments part is named as not done.
    if (!(error instanceof ConfigError)) throw error;
    failed.push({ kind: 'payment', record: 'payments ledger', error: error.problems.join('; ') });
  }
  return {
    period,
    rows,
    compared,
    ...(unlisted > 0 ? { unlisted } : {}),
    payments,
    mismatches:
      rows.filter((r) => !r.ok).length +
      new Set(
        [...payments.changedAfterPush, ...payments.needsReview, ...payments.differences].map(
          (p) => p.paymentId,
        ),
      ).size,
    failed,
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

/**
 * What the payments ledger says, read only: pushed, waiting for review, and pushed payments edited
 * in Odoo since (compared with what the ledger kept of them at their push). Read a slice at a time
 * (ten Odoo batches of records, with their payments): only what is not as it should be is kept.
 */
async function paymentsSummary(deps: ProcessDeps): Promise<PaymentsSummary> {
  const summary: PaymentsSummary = {
    differences: [],
    pushed: 0,
    needsReview: [],
    changedAfterPush: [],
    voidAfterPush: [],
  };
  const size = heldAtOnce(deps.odoo.config.batchSize);
  for await (const slice of slicesOf(paymentLedgerPages(deps.odoo, []), size))
    await summarizeSlice(deps, slice, summary);
  return summary;
}

/** Adds one slice of the ledger to `summary`. */
async function summarizeSlice(
  deps: ProcessDeps,
  ledger: readonly LedgerRecord[],
  summary: PaymentsSummary,
): Promise<void> {
  const { odoo } = deps;
  const rows = new Map(
    (
      await readPayments(
        odoo,
        ledger.map((l) => l.paymentId),
      )
    ).map((row) => [row.id, row] as const),
  );
  const done = odoo.capabilities.paymentDoneStates;
  const changesOf = (record: (typeof ledger)[number]) => {
    const row = rows.get(record.paymentId);
    return changesSincePush(record.pushedAs, seenOf(row), done);
  };
  const changed = ledger
    .filter((l) => l.state === 'pushed')
    .map((l) => ({ record: l, changes: changesOf(l) }))
    .filter((c) => c.changes.length > 0);
  // A review the accountant settled is applied by the next push: it no longer waits for anyone.
  const waiting = ledger.filter((l) => l.state === 'intent' || (l.state === 'review' && !l.resolution));
  const nameOf = (paymentId: number, fallback: string) => rows.get(paymentId)?.name || fallback;
  const routing = await readRouting(
    deps,
    [...rows.values()],
    ledger.flatMap((l) => (l.counterpartyId !== undefined ? [l.counterpartyId] : [])),
  );
  const differences = ledger.flatMap((l): PaymentDifference[] => {
    const row = rows.get(l.paymentId);
    const odooKopecks = row && done.includes(row.state) ? toKopecks(row.amount) : 0;
    const held = receivedByCard(l.sends);
    const rcpKopecks = totalOf(held);
    const unknownKopecks = l.sends.filter((s) => s.state === 'intent').reduce((a, s) => a + s.kopecks, 0);
    if (rcpKopecks === odooKopecks && unknownKopecks === 0) return [];
    // A payment claimed just now and not yet sent is not a difference (it is on its way).
    if (l.state === 'not_pushed' && rcpKopecks === 0 && odooKopecks === 0) return [];
    return [
      {
        paymentId: l.paymentId,
        name: nameOf(l.paymentId, l.name),
        odooKopecks,
        rcpKopecks,
        byCard: [...held.entries()].map(([card, kopecks]) => ({ card: cardName(routing, card), kopecks })),
        differenceKopecks: odooKopecks - rcpKopecks,
        unknownKopecks,
        ledger: [l.state, l.review, l.decision].filter(Boolean).join(', '),
      },
    ];
  });
  summary.differences.push(...differences);
  summary.pushed += ledger.filter((l) => l.state === 'pushed').length;
  summary.needsReview.push(
    ...waiting.map((l) => {
      const edits = l.state === 'review' && l.pushedAt ? changesOf(l) : [];
      return {
        paymentId: l.paymentId,
        name: nameOf(l.paymentId, l.name),
        details: l.details,
        reason:
          edits.length > 0
            ? `changed after its push: ${edits.join('; ')}`
            : l.reason ||
              (l.state === 'intent' ? 'being sent, or its run stopped before recording RCP’s answer' : ''),
      };
    }),
  );
  summary.changedAfterPush.push(
    ...changed.map((c) => ({
      paymentId: c.record.paymentId,
      name: nameOf(c.record.paymentId, c.record.name),
      changes: c.changes,
    })),
  );
  summary.voidAfterPush.push(
    ...[...changed.map((c) => c.record), ...waiting.filter((l) => l.pushedAt)]
      .map((l) => ({ record: l, row: rows.get(l.paymentId) }))
      .filter(({ row }) => !row || !done.includes(row.state))
      .map(({ record, row }) => ({
        paymentId: record.paymentId,
        name: nameOf(record.paymentId, record.name),
        state: row?.state ?? 'deleted',
        amountKopecks: record.amountKopecks,
      })),
  );
}
