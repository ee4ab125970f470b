import { formatRubles } from '../../mappings/money.ts';
import { pushPayments, resolvePayment } from '../processes/push-payments.ts';
import { recordedRun } from '../workspace/runs.ts';
import { type CommandContext, EXIT } from './context.ts';
import { cliRunner } from './context.ts';
import { withDeps } from './open-deps.ts';
import { table } from './output.ts';

export async function runPaymentsPush(ctx: CommandContext, input: { dryRun: boolean }): Promise<number> {
  ctx.config(['rcp', 'odoo', 'payments']);
  const report = await withDeps(ctx, (deps) =>
    recordedRun(
      deps,
      { kind: 'payments', trigger: 'cli', worker: cliRunner(), dryRun: input.dryRun },
      (d) => pushPayments(d, input),
      (r) => ({
        text: `${r.dryRun ? 'Dry run, nothing sent: ' : ''}customer payments since ${r.since}: ${r.results.length} seen, ${r.results.filter((x) => x.outcome !== 'already pushed').length} not already in RCP`,
        failed: r.failed,
      }),
    ),
  );
  const shown = report.results.filter((r) => r.outcome !== 'already pushed');
  const text = [
    `${report.dryRun ? 'Dry run, nothing sent: ' : ''}customer payments since ${report.since}: ${report.results.length} seen, ${report.results.filter((r) => r.outcome === 'already pushed').length} already in RCP`,
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
  ctx.out.result(report, text);
  return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}

export async function runPaymentsResolve(
  ctx: CommandContext,
  input: { payment: string; pushed: boolean },
): Promise<number> {
  const record = await withDeps(ctx, (deps) => resolvePayment(deps, input.payment, input.pushed));
  ctx.out.result(
    { payment: input.payment, ledger: record },
    input.pushed
      ? `Payment ${input.payment} is recorded as in RCP; it will not be sent.`
      : `Payment ${input.payment} is recorded as not in RCP; the next \`payments push\` sends it.`,
  );
  return EXIT.done;
}
