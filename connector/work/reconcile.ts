import { z } from 'zod';
import { formatRubles } from '../../mappings/money.ts';
import { table } from '../../mappings/text-table.ts';
import type { ReconcileReport } from '../processes/reconcile.ts';
import { EXIT, Period, type Work, periodOfRun } from './work.ts';

const ReconcileInput = z.object({ period: Period });

/** RCP cost vs Odoo invoices per counterparty, and pushed vs recorded payments. */
export const reconcile: Work<z.infer<typeof ReconcileInput>, ReconcileReport> = {
  name: 'reconcile',
  input: ReconcileInput,
  command: {
    words: ['reconcile'],
    description: 'RCP cost vs Odoo invoices per counterparty, and pushed vs recorded payments',
    flags: {
      '--period': { key: 'period', value: 'YYYY-MM', help: 'the month to reconcile', required: true },
    },
    example: 'reconcile --period 2026-10',
  },
  runKind: 'reconcile',
  fromRun: (run) => ({ period: periodOfRun(run) }),
  filters: (input) => ({ period: input.period }),
  jobId: (input) => `reconcile/${input.period}`,
  run: async (deps, input) => (await import('../processes/reconcile.ts')).reconcilePeriod(deps, input.period),
  summary: (report) =>
    [
      `RCP cost vs Odoo invoices for ${report.period}: ${report.mismatches} mismatch(es) of ${report.compared}`,
      table([
        ['', 'counterparty', 'kind', 'RCP', 'Odoo untaxed', 'state', 'problem'],
        ...report.rows.map((r) => [
          r.ok ? 'ok' : 'DIFF',
          r.counterparty,
          r.kind,
          formatRubles(r.rcpKopecks),
          r.odooKopecks === undefined ? '' : formatRubles(r.odooKopecks),
          r.state,
          r.problem ?? '',
        ]),
      ]),
      ...(report.unlisted
        ? [`${report.unlisted} more counterparty(ies) match to the kopeck, not listed here.`]
        : []),
      ...report.failed.map((f) => `failed: ${f.record}: ${f.error}`),
      '',
      `Payments: ${report.payments.pushed} pushed to RCP; ${report.payments.needsReview.length} need review; ${report.payments.changedAfterPush.length} changed in Odoo after their push.`,
      ...report.payments.needsReview.map(
        (p) =>
          `  needs review: payment ${p.name} (${p.paymentId}): ${p.reason || p.details}; settle it in Odoo (RCP → Payments to RCP) or: rcp-odoo payments resolve ${p.paymentId} --pushed|--not-pushed`,
      ),
      ...report.payments.changedAfterPush.map(
        (p) => `  DIFF: payment ${p.name} (${p.paymentId}) changed after its push: ${p.changes.join('; ')}`,
      ),
      `Payments as RCP has them: ${report.payments.differences.length} differ from Odoo.`,
      ...report.payments.differences.map(
        (p) =>
          `  DIFF: payment ${p.name} (${p.paymentId}): Odoo ${formatRubles(p.odooKopecks)}, RCP ${formatRubles(p.rcpKopecks)} (${p.byCard.map((c) => `${c.card} ${formatRubles(c.kopecks)}`).join(', ') || 'nothing'})${p.unknownKopecks ? `, ${formatRubles(p.unknownKopecks)} sent without a recorded answer` : ''}: difference ${formatRubles(p.differenceKopecks)}; ledger: ${p.ledger}`,
      ),
    ].join('\n'),
  failed: (report) => report.failed,
  exit: (report) => (report.mismatches > 0 || report.failed.length > 0 ? EXIT.someFailed : EXIT.done),
  jobResult: (report) => ({
    mismatches: report.mismatches,
    rows: report.rows.filter((r) => !r.ok),
    payments: report.payments,
  }),
};
