import { z } from 'zod';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { CorrectionsReport } from '../processes/invoice-corrections.ts';
import { Period, type Work, periodOfRun } from './work.ts';

const CorrectionsInput = z.object({
  period: Period,
  partner: z.string().optional(),
  client: z.string().optional(),
  dryRun: z.boolean().optional(),
});

/**
 * Corrections of a month's posted invoices (`invoice --period … --corrections`; RCP → Runs,
 * "Corrections", RCP / Manager): one draft credit note or additional invoice per posted invoice
 * whose RCP usage changed, for exactly the difference. Each correction is decided in one Odoo
 * transaction, so it needs no lock of its own.
 */
export const invoiceCorrections: Work<z.infer<typeof CorrectionsInput>, CorrectionsReport> = {
  name: 'invoice-corrections',
  input: CorrectionsInput,
  runKind: 'corrections',
  fromRun: (run) => ({
    period: periodOfRun(run),
    partner: run.partner,
    client: run.client,
    dryRun: run.dryRun,
  }),
  filters: (input) => ({
    period: input.period,
    dryRun: input.dryRun,
    partner: input.partner,
    client: input.client,
  }),
  jobId: (input) =>
    `invoice-corrections/${input.period}${input.partner ? `/partner/${input.partner}` : ''}${input.client ? `/client/${input.client}` : ''}`,
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
  if (report.failed.length > 0) {
    lines.push('', `${report.failed.length} failed (the others were done):`);
    for (const f of report.failed) lines.push(`  ${f.record}: ${f.error}`);
  }
  lines.push(
    '',
    `${report.seconds} s, ${report.odooRoundTrips} Odoo round trips, ${report.rcpRequests} RCP requests`,
  );
  return lines.join('\n');
}
