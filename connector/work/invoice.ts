import { z } from 'zod';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { InvoiceReport } from '../processes/invoice-period.ts';
import type { RunCounts, RunRequest } from '../workspace/runs.ts';
import { Period, type Work, dryRunFlag, periodOfRun } from './work.ts';

/** A month's invoices, all or of one RCP partner or client: what invoicing and its corrections take. */
export const MonthOfCounterparties = z.object({
  period: Period,
  partner: z.string().optional(),
  client: z.string().optional(),
  /** Only these counterparties (RCP uuids): a Retry failed run of RCP → Runs. */
  only: z.array(z.string().uuid()).min(1).optional(),
  dryRun: z.boolean().optional(),
});
type MonthOfCounterparties = z.infer<typeof MonthOfCounterparties>;

/** Such a month from a run requested in RCP → Runs, what its record shows, and its job id under `name`. */
export const monthOfCounterparties = {
  fromRun: (run: RunRequest): MonthOfCounterparties => ({
    period: periodOfRun(run),
    partner: run.partner,
    client: run.client,
    ...(run.only ? { only: run.only } : {}),
    dryRun: run.dryRun,
  }),
  filters: (input: MonthOfCounterparties) => ({
    period: input.period,
    dryRun: input.dryRun,
    partner: input.partner,
    client: input.client,
  }),
  jobId: (name: string) => (input: MonthOfCounterparties) =>
    `${name}/${input.period}${input.partner ? `/partner/${input.partner}` : ''}${input.client ? `/client/${input.client}` : ''}`,
};

/** The flags choosing such a month (invoicing's, and its corrections' beside `--corrections`). */
export const monthFlags = {
  '--period': { key: 'period', value: 'YYYY-MM', help: 'the month to invoice', required: true },
  '--partner': { key: 'partner', value: 'id', help: 'only this RCP partner' },
  '--client': { key: 'client', value: 'id', help: 'only this RCP client' },
  '--dry-run': dryRunFlag('print every invoice that would be made, write nothing'),
} as const;

const InvoiceInput = MonthOfCounterparties.extend({
  /** Also rewrite drafts an accountant changed in Odoo since the connector wrote them. */
  force: z.boolean().optional(),
  /** The current or a future month, on purpose (`--allow-open-period`). */
  allowOpenPeriod: z.boolean().optional(),
});

/**
 * A month of RCP usage → one draft customer invoice per invoiced counterparty. On the queue it runs
 * as a flow, one job per counterparty (jobs/worker.ts), under the job id and locks said here.
 */
export const invoice: Work<z.infer<typeof InvoiceInput>, InvoiceReport> = {
  name: 'invoice',
  input: InvoiceInput,
  command: {
    words: ['invoice'],
    description: 'a month of RCP usage → one draft customer invoice per invoiced counterparty',
    flags: {
      ...monthFlags,
      '--force': {
        key: 'force',
        help: 'also rewrite drafts an accountant changed in Odoo since the connector wrote them',
      },
      '--allow-open-period': {
        key: 'allowOpenPeriod',
        help: 'invoice the current (still open) or a future month anyway: a provisional, short draft',
      },
    },
    example: 'invoice --period 2026-10',
  },
  runKind: 'invoice',
  fromRun: (run) => ({
    ...monthOfCounterparties.fromRun(run),
    ...(run.force ? { force: true } : {}),
    ...(run.openMonth ? { allowOpenPeriod: true } : {}),
  }),
  filters: monthOfCounterparties.filters,
  jobId: monthOfCounterparties.jobId('invoice'),
  run: async (deps, input) => (await import('../processes/invoice-period.ts')).invoicePeriod(deps, input),
  summary: describeInvoices,
  failed: (report) => report.failed,
  counts: (report) => invoiceCounts(report.outcomes),
  moveIds: (report) => report.moveIds,
};

/** An invoice run's counts: invoices created, updated and left unchanged (a dry run's "would" ones too). */
export function invoiceCounts(outcomes: Partial<Record<string, number>>): RunCounts {
  const count = (...names: string[]) => names.reduce((n, name) => n + (outcomes[name] ?? 0), 0);
  return {
    created: count('created', 'would create'),
    updated: count('updated', 'would update'),
    unchanged: count('unchanged'),
  };
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
  if (report.unlisted) {
    const counts = Object.entries(report.outcomes)
      .filter(([outcome]) => outcome !== 'no usage')
      .map(([outcome, n]) => `${outcome} ${n}`)
      .join(', ');
    lines.push(
      '',
      `${report.unlisted} more routine invoice(s) not listed here; all of them: ${counts}. Every invoice of the run is in Odoo.`,
    );
  }
  const none = report.outcomes['no usage'] ?? 0;
  if (none > 0) lines.push('', `${none} counterparty(ies) had no usage in ${report.period}: no invoice.`);
  for (const warning of report.warnings ?? []) lines.push('', `Note: ${warning}.`);
  lines.push(...runFooter(report));
  return lines.join('\n');
}

/** The end of an invoice run's summary (and a corrections run's): what failed, and what it cost. */
export function runFooter(
  report: Pick<InvoiceReport, 'failed' | 'seconds' | 'odooRoundTrips' | 'rcpRequests'>,
): string[] {
  const lines: string[] = [];
  if (report.failed.length > 0) {
    lines.push('', `${report.failed.length} failed (the others were done):`);
    for (const f of report.failed) lines.push(`  ${f.record}: ${f.error}`);
  }
  lines.push(
    '',
    `${report.seconds} s, ${report.odooRoundTrips} Odoo round trips, ${report.rcpRequests} RCP requests`,
  );
  return lines;
}
