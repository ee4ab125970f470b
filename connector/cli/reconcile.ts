import { formatRubles } from '../../mappings/money.ts';
import { reconcilePeriod } from '../processes/reconcile.ts';
import { recordedRun } from '../workspace/runs.ts';
import { type CommandContext, EXIT } from './context.ts';
import { cliRunner } from './context.ts';
import { withDeps } from './open-deps.ts';
import { table } from './output.ts';

export async function runReconcile(ctx: CommandContext, input: { period: string }): Promise<number> {
  const report = await withDeps(ctx, (deps) =>
    recordedRun(
      deps,
      { kind: 'reconcile', trigger: 'cli', worker: cliRunner(), period: input.period },
      (d) => reconcilePeriod(d, input.period),
      (r) => ({
        text: `RCP cost vs Odoo invoices for ${r.period}: ${r.mismatches} mismatch(es) of ${r.rows.length}\n${r.rows
          .filter((x) => !x.ok)
          .map((x) => `  DIFF ${x.counterparty} (${x.kind}): ${x.problem ?? ''}`)
          .join('\n')}`,
        failed: r.failed,
      }),
    ),
  );
  const text = [
    `RCP cost vs Odoo invoices for ${report.period}: ${report.mismatches} mismatch(es) of ${report.rows.length}`,
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
  ].join('\n');
  ctx.out.result(report, text);
  return report.mismatches > 0 || report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}
