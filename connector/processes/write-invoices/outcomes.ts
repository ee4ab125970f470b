import type { DraftChange } from '../../../mappings/draft-changes.ts';
import type { FailedRecord } from '../../deps.ts';
import type { InvoiceDraft, InvoiceResult } from '../invoice-types.ts';

/** What the phases of the writer report, in the order they report it. */
export interface WriteOutcomes {
  results: InvoiceResult[];
  failed: FailedRecord[];
  /** What changed settings changed on existing drafts (taxes, journal, date, own partners). */
  changes: DraftChange[];
  /** Invoices left because another live run holds their claim (busy, not failed: retried later). */
  busy?: string[];
}

/** An invoice the write phase put in Odoo (header and lines), to be verified and annotated. */
export interface WrittenInvoice {
  draft: InvoiceDraft;
  id: number;
  outcome: 'created' | 'updated';
}

export const recordOf = (draft: InvoiceDraft) =>
  `${draft.counterparty.kind} ${draft.counterparty.name} (${draft.counterparty.uuid})`;

export function resultOf(
  draft: InvoiceDraft,
  outcome: InvoiceResult['outcome'],
  extra: Partial<InvoiceResult> = {},
): InvoiceResult {
  return {
    counterparty: draft.counterparty.name,
    kind: draft.counterparty.kind,
    uuid: draft.counterparty.uuid,
    outcome,
    totalKopecks: draft.plan.totalKopecks,
    lines: draft.plan.lines.map((l) => ({
      label: l.label,
      quantity: l.odooQuantity,
      priceUnit: l.odooPriceUnit,
      amountKopecks: l.amountKopecks,
    })),
    ...extra,
  };
}

/** One invoice that could not be written: reported both as a failed record and as its result. */
export function reportFailure(
  out: WriteOutcomes,
  draft: InvoiceDraft,
  error: string,
  extra: Partial<InvoiceResult> = {},
): void {
  out.failed.push({ kind: 'invoice', record: recordOf(draft), error });
  out.results.push(resultOf(draft, 'failed', { ...extra, error }));
}
