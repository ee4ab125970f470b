import { formatRubles } from '../../mappings/money.ts';
import { reconcilePeriod } from '../processes/reconcile.ts';
import { type CommandContext, EXIT } from './context.ts';
import { withDeps } from './open-deps.ts';
import { table } from './output.ts';

export async function runReconcile(ctx: CommandContext, input: { period: string }): Promise<number> {
  const report = await withDeps(ctx, (deps) => reconcilePeriod(deps, input.period));
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
    'Payments (pushed vs recorded) are not reconciled yet: the payments push is not built.',
  ].join('\n');
  ctx.out.result(report, text);
  return report.mismatches > 0 || report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}
