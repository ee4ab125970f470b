import { z } from 'zod';
import { LISTED_ROUTINE } from '../../mappings/listed-rows.ts';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { PushReport } from '../processes/push-payments.ts';
import { type Work, dryRunFlag } from './work.ts';

const PushInput = z.object({ dryRun: z.boolean().optional() });

/** Posted customer payments of mapped counterparties → RCP, each exactly once. */
export const paymentsPush: Work<z.infer<typeof PushInput>, PushReport> = {
  name: 'payments-push',
  input: PushInput,
  command: {
    words: ['payments', 'push'],
    description:
      'push posted customer payments of mapped counterparties to RCP, each exactly once; needs PAYMENTS_SINCE',
    flags: { '--dry-run': dryRunFlag('list what would be sent, send nothing') },
    helpAfter: [
      'PAYMENTS_SINCE=YYYY-MM-DD (required): payments dated before it are never pushed, so that payments',
      'recorded before the connector, which RCP already has, are not sent twice.',
      'PAYMENTS_MODE=posted (default) pushes every posted payment; =reconciled only those matched with an invoice.',
    ],
    example: 'payments push',
  },
  needs: ['payments'],
  runKind: 'payments',
  fromRun: (run) => ({ dryRun: run.dryRun }),
  filters: (input) => ({ dryRun: input.dryRun }),
  jobId: () => 'payments-push',
  // RCP's calls are not idempotent: one push at a time; a dry run sends nothing.
  lock: (input) => (input.dryRun ? undefined : 'payments-push'),
  run: async (deps, input) => (await import('../processes/push-payments.ts')).pushPayments(deps, input),
  summary: (report) => {
    const shown = report.results.filter((r) => r.outcome !== 'already pushed');
    const seen = Object.values(report.outcomes).reduce((sum, n) => sum + (n ?? 0), 0);
    return [
      `${report.dryRun ? 'Dry run, nothing sent: ' : ''}customer payments since ${report.since}: ${seen} seen, ${report.outcomes['already pushed'] ?? 0} already in RCP`,
      ...(report.unlisted
        ? [
            `(${report.unlisted} more sent, already in RCP or not RCP's are counted, not listed: ${Object.entries(
              report.outcomes,
            )
              .map(([outcome, n]) => `${outcome} ${n}`)
              .join(', ')})`,
          ]
        : []),
      table([
        ['payment', 'counterparty', 'amount', 'outcome', 'detail'],
        ...shown.map((r) => [
          r.payment,
          r.counterparty,
          formatRubles(r.amountKopecks),
          r.outcome,
          r.detail ?? '',
        ]),
      ]),
      ...(report.failed.length > 0
        ? [
            '',
            `${report.failed.length} need attention:`,
            ...report.failed.map((f) => `  ${f.record}: ${f.error}`),
          ]
        : []),
      '',
      `${report.odooRoundTrips} Odoo round trips, ${report.rcpRequests} RCP requests`,
    ].join('\n');
  },
  failed: (report) => report.failed,
  jobResult: (report) => ({
    results: report.results.filter((r) => r.outcome !== 'already pushed'),
    failed: report.failed,
  }),
};
