import { formatRubles } from '../../mappings/money.ts';
import { type InvoiceInput, type InvoiceReport, invoicePeriod } from '../processes/invoice-period.ts';
import { recordedRun } from '../workspace/runs.ts';
import { type CommandContext, EXIT } from './context.ts';
import { cliRunner } from './context.ts';
import { withDeps } from './open-deps.ts';
import { table } from './output.ts';

export async function runInvoice(ctx: CommandContext, input: InvoiceInput): Promise<number> {
  const report = await withDeps(ctx, (deps) =>
    recordedRun(
      deps,
      {
        kind: 'invoice',
        trigger: 'cli',
        worker: cliRunner(),
        period: input.period,
        dryRun: input.dryRun,
        partner: input.partner,
        client: input.client,
      },
      (d) => invoicePeriod(d, input),
      (r) => ({
        text: describeInvoices(r),
        failed: r.failed,
        moveIds: r.invoices.flatMap((i) => (i.odooId ? [i.odooId] : [])),
      }),
    ),
  );
  ctx.out.result(report, describeInvoices(report));
  return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}

export function describeInvoices(report: InvoiceReport): string {
  const lines: string[] = [];
  const invoices = report.invoices.filter((i) => i.outcome !== 'no usage');
  lines.push(`${report.dryRun ? 'Dry run, nothing written: ' : ''}invoices for ${report.period}`);
  lines.push(
    table([
      ['counterparty', 'kind', 'outcome', 'RCP total', 'Odoo untaxed', 'Odoo id'],
      ...invoices.map((i) => [
        i.counterparty,
        i.kind,
        i.outcome,
        formatRubles(i.totalKopecks),
        i.odooKopecks === undefined ? '' : formatRubles(i.odooKopecks),
        i.odooId ?? '',
      ]),
    ]),
  );
  if (report.dryRun) {
    for (const invoice of invoices) {
      lines.push(
        '',
        `${invoice.counterparty} (${invoice.kind} ${invoice.uuid}): ${formatRubles(invoice.totalKopecks)} ₽`,
      );
      for (const line of invoice.lines) {
        lines.push(
          `  ${line.label}  →  ${line.quantity} × ${line.priceUnit} = ${formatRubles(line.amountKopecks)}`,
        );
      }
    }
  }
  if (report.changes && report.changes.length > 0) {
    lines.push(
      '',
      report.dryRun
        ? 'Existing drafts this run would change because a setting changed (.env or environment):'
        : 'Existing drafts changed because a setting changed (.env or environment):',
      ...report.changes.map((change) => `  ${change}`),
    );
  }
  const none = report.invoices.length - invoices.length;
  if (none > 0) lines.push('', `${none} counterparty(ies) had no usage in ${report.period}: no invoice.`);
  for (const warning of report.warnings ?? []) lines.push('', `Note: ${warning}.`);
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
