import { z } from 'zod';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { PushReport } from '../processes/push-payments.ts';
import type { Work } from './work.ts';

const PushInput = z.object({ dryRun: z.boolean().optional() });

/** Posted customer payments of mapped counterparties → RCP, each exactly once. */
export const paymentsPush: Work<z.infer<typeof PushInput>, PushReport> = {
  name: 'payments-push',
  input: PushInput,
  command: { words: ['payments', 'push'], example: 'payments push' },
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
    return [
      `${report.dryRun ? 'Dry run, nothing sent: ' : ''}customer payments since ${report.since}: ${report.results.length} seen, ${report.results.length - shown.length} already in RCP`,
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
