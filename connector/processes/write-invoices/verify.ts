import { invoiceTotalField, invoiceTotalKopecks } from '../../../mappings/invoice-total.ts';
import type { ProcessDeps } from '../../deps.ts';
import type { MoveRow, TotalField } from './decide.ts';
import { type WriteOutcomes, type WrittenInvoice, reportFailure, resultOf } from './outcomes.ts';

/**
 * Compares each written invoice, as read back, with the connector's total, to the kopeck. Returns
 * the invoices that agree; the others are reported and left as drafts for review (and, being
 * wrong, are rewritten or reported again by every later run until they match).
 */
export function verifyTotals(
  written: readonly WrittenInvoice[],
  moveOf: (id: number) => MoveRow | undefined,
  totalField: TotalField,
  out: WriteOutcomes,
): WrittenInvoice[] {
  const good: WrittenInvoice[] = [];
  for (const w of written) {
    const move = moveOf(w.id);
    const odooKopecks = move ? invoiceTotalKopecks(move, totalField) : Number.NaN;
    if (odooKopecks !== w.draft.plan.totalKopecks) {
      const error = `Odoo's ${totalField} is ${odooKopecks / 100} but RCP's total is ${w.draft.plan.totalKopecks / 100}: check the taxes and precisions of the lines; the draft is left for review and reported on every run until it matches`;
      reportFailure(out, w.draft, error, { odooId: w.id, odooKopecks });
    } else {
      good.push(w);
      out.results.push(resultOf(w.draft, w.outcome, { odooId: w.id, odooKopecks }));
    }
  }
  return good;
}

/** With only price-included taxes, the lines' prices hold the tax: compare the total; else the untaxed amount. */
export async function totalField(deps: ProcessDeps, taxIds: readonly number[]): Promise<TotalField> {
  if (taxIds.length === 0) return 'amount_untaxed';
  const taxes = await deps.odoo.read<{ id: number; price_include: boolean }>('account.tax', taxIds, [
    'price_include',
  ]);
  return invoiceTotalField(taxes);
}
