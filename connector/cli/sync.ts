import { type SyncInput, type SyncReport, syncMasterData } from '../processes/sync.ts';
import { recordedRun } from '../workspace/runs.ts';
import { type CommandContext, EXIT } from './context.ts';
import { cliRunner } from './context.ts';
import { withDeps } from './open-deps.ts';
import { table } from './output.ts';

export async function runSync(ctx: CommandContext, input: SyncInput): Promise<number> {
  // Recorded in RCP → Runs like a run requested there (x_trigger cli).
  const report = await withDeps(ctx, (deps) =>
    recordedRun(
      deps,
      { kind: 'sync', trigger: 'cli', worker: cliRunner(), dryRun: input.dryRun, partner: input.partner },
      (d) => syncMasterData(d, input),
      (r) => ({ text: describeSync(r), failed: r.failed }),
    ),
  );
  ctx.out.result(report, describeSync(report));
  return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}

export function describeSync(report: SyncReport): string {
  const lines: string[] = [];
  if (report.dryRun) {
    lines.push('Dry run: nothing was written. Odoo would change:');
    for (const change of report.plan)
      lines.push(`  ${change.action.padEnd(6)} ${change.label}  [${change.fields.join(', ')}]`);
    if (report.plan.length === 0) lines.push('  nothing');
    lines.push('');
  }
  const rows: (string | number)[][] = [
    [
      'kind',
      report.dryRun ? 'would create' : 'created',
      report.dryRun ? 'would update' : 'updated',
      'unchanged',
      'failed',
    ],
  ];
  for (const [kind, c] of Object.entries(report.counts))
    rows.push([kind, c.created, c.updated, c.unchanged, c.failed]);
  lines.push(table(rows));
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  if (report.failed.length > 0) {
    lines.push('', `${report.failed.length} record(s) failed (the others were synced):`);
    for (const f of report.failed) lines.push(`  ${f.record}: ${f.error}`);
  }
  lines.push(
    '',
    `${report.seconds} s, ${report.odooRoundTrips} Odoo round trips, ${report.rcpRequests} RCP requests`,
  );
  return lines.join('\n');
}
