import { invoiceTotalField } from '../../../mappings/invoice-total.ts';
import { toKopecks } from '../../../mappings/money.ts';
import type { ProcessDeps } from '../deps.ts';
import type { MoveRow } from './decide.ts';
import { type WriteOutcomes, type WrittenInvoice, reportFailure, resultOf } from './outcomes.ts';

/**
 * Reads the written invoices back: Odoo's amount must be the connector's, to the kopeck. Returns
 * the invoices that agree; the others are reported and left as drafts for review.
 */
export async function verifyTotals(
  deps: ProcessDeps,
  written: readonly WrittenInvoice[],
  taxIds: number[],
  out: WriteOutcomes,
): Promise<WrittenInvoice[]> {
  const compareTotal = await totalField(deps, taxIds);
  const after = new Map(
    (
      await deps.odoo.read<MoveRow>(
        'account.move',
        written.map((w) => w.id),
        ['amount_untaxed', 'amount_total'],
      )
    ).map((m) => [m.id, m]),
  );
  const good: WrittenInvoice[] = [];
  for (const w of written) {
    const move = after.get(w.id);
    const odooKopecks = move ? toKopecks(move[compareTotal]) : Number.NaN;
    if (odooKopecks !== w.draft.plan.totalKopecks) {
      const error = `Odoo's ${compareTotal} is ${odooKopecks / 100} but RCP's total is ${w.draft.plan.totalKopecks / 100}: check the taxes and precisions of the lines; the draft is left for review`;
      reportFailure(out, w.draft, error, { odooId: w.id, odooKopecks });
    } else {
      good.push(w);
      out.results.push(resultOf(w.draft, w.outcome, { odooId: w.id, odooKopecks }));
    }
  }
  return good;
}

/** With only price-included taxes, the lines' prices hold the tax: compare the total; else the untaxed amount. */
async function totalField(deps: ProcessDeps, taxIds: number[]): Promise<'amount_untaxed' | 'amount_total'> {
  if (taxIds.length === 0) return 'amount_untaxed';
  const taxes = await deps.odoo.read<{ id: number; price_include: boolean }>('account.tax', taxIds, [
    'price_include',
  ]);
  return invoiceTotalField(taxes);
}
