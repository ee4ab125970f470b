import type { z } from 'zod';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { CorrectionsReport } from '../processes/invoice-corrections.ts';
import { MonthOfCounterparties, monthFlags, monthOfCounterparties, runFooter } from './invoice.ts';
import type { Work } from './work.ts';

/**
 * Corrections of a month's posted invoices (`invoice --period … --corrections`; RCP → Runs,
 * "Corrections", RCP / Manager): one draft credit note or additional invoice per posted invoice
 * whose RCP usage changed, for exactly the difference. Each correction is decided in one Odoo
 * transaction, so it needs no lock of its own.
 */
export const invoiceCorrections: Work<z.infer<typeof MonthOfCounterparties>, CorrectionsReport> = {
  name: 'invoice-corrections',
  input: MonthOfCounterparties,
  command: {
    words: ['invoice'],
    switch: '--corrections',
    description:
      'for each posted invoice of the month whose RCP usage changed, one draft credit note or additional invoice for exactly the difference',
    flags: monthFlags,
    example: 'invoice --period 2026-10 --corrections',
  },
  runKind: 'corrections',
  fromRun: monthOfCounterparties.fromRun,
  filters: monthOfCounterparties.filters,
  jobId: monthOfCounterparties.jobId('invoice-corrections'),
  run: async (deps, input) =>
    (await import('../processes/invoice-corrections.ts')).invoiceCorrections(deps, input),
  summary: describeCorrections,
  failed: (report) => report.failed,
  moveIds: (report) => report.corrections.flatMap((c) => (c.documentId ? [c.documentId] : [])),
};

export function describeCorrections(report: CorrectionsReport): string {
  const made = report.corrections.filter((c) => c.documentId !== undefined).length;
  const lines = [
    `${report.dryRun ? 'Dry run, nothing written: ' : ''}corrections of the posted invoices for ${report.period}: ${made} made, ${report.corrections.filter((c) => c.outcome === 'no difference').length} without difference`,
    table([
      ['counterparty', 'kind', 'invoice', 'invoiced', 'RCP now', 'difference', 'outcome', 'document'],
      ...report.corrections.map((c) => [
        c.counterparty,
        c.kind,
        c.originalName,
        formatRubles(c.invoicedKopecks),
        formatRubles(c.rcpKopecks),
        formatRubles(c.differenceKopecks),
        c.outcome,
        c.documentId ?? '',
      ]),
    ]),
  ];
  lines.push(...runFooter(report));
  return lines.join('\n');
}
