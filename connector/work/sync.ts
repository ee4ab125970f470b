import { z } from 'zod';
import { table } from '../../mappings/text-table.ts';
import type { SyncReport } from '../processes/sync.ts';
import { type Work, dryRunFlag } from './work.ts';

/** What a sync may be asked for (its command's argument). */
const WHAT = ['partners', 'clients', 'tariffs', 'all'] as const;

const SyncInput = z.object({
  what: z.enum(WHAT),
  /** Only this RCP partner, its clients and their plans. */
  partner: z.string().optional(),
  dryRun: z.boolean().optional(),
});

/** RCP partners and clients → Odoo companies, billing classes → products, billing plans → price lists. */
export const sync: Work<z.infer<typeof SyncInput>, SyncReport> = {
  name: 'sync',
  input: SyncInput,
  command: {
    words: ['sync'],
    description:
      'RCP partners and clients → Odoo companies, billing classes → service products, billing plans → price lists',
    args: [{ key: 'what', name: 'what', help: WHAT.join(' | '), choices: WHAT }],
    flags: {
      '--partner': { key: 'partner', value: 'id', help: 'only this RCP partner (and its clients)' },
      '--dry-run': dryRunFlag('print the plan (create / update / unchanged), write nothing'),
    },
    example: 'sync all',
  },
  runKind: 'sync',
  fromRun: (run) => ({ what: 'all', partner: run.partner, dryRun: run.dryRun }),
  filters: (input) => ({ dryRun: input.dryRun, partner: input.partner }),
  jobId: (input) => `sync/${input.what}${input.partner ? `/partner/${input.partner}` : ''}`,
  // Two syncs would race on the same records, dry run or not.
  lock: () => 'sync',
  run: async (deps, input) => (await import('../processes/sync.ts')).syncMasterData(deps, input),
  summary: describeSync,
  failed: (report) => report.failed,
  counts: (report) => {
    const all = Object.values(report.counts);
    const sum = (key: 'created' | 'updated' | 'unchanged') => all.reduce((n, c) => n + c[key], 0);
    return { created: sum('created'), updated: sum('updated'), unchanged: sum('unchanged') };
  },
  jobResult: (report) => ({
    counts: report.counts,
    failed: report.failed,
    odooRoundTrips: report.odooRoundTrips,
  }),
  counted: (report) => ({ synced: report.counts, odooRoundTrips: report.odooRoundTrips }),
};

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
