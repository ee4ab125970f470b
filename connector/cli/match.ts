import { findUnmatched, linkCounterparty } from '../processes/match.ts';
import { type CommandContext, EXIT } from './context.ts';
import { withDeps } from './open-deps.ts';

export interface MatchInput {
  link?: { odooPartnerId: number; rcpId: string } | undefined;
}

export async function runMatch(ctx: CommandContext, input: MatchInput = {}): Promise<number> {
  if (input.link) {
    const { odooPartnerId, rcpId } = input.link;
    const linked = await withDeps(ctx, (deps) => linkCounterparty(deps, odooPartnerId, rcpId));
    ctx.out.result(
      { linked: { odooPartnerId, rcpId, ...linked } },
      `Linked Odoo contact ${odooPartnerId} to RCP ${linked.kind} ${rcpId} (${linked.xmlid}); the next sync updates it instead of creating one.`,
    );
    return EXIT.done;
  }
  const report = await withDeps(ctx, (deps) => findUnmatched(deps));
  const lines = [
    `${report.linked} RCP partner(s)/client(s) linked; ${report.unmatched.length} not linked yet.`,
  ];
  for (const u of report.unmatched) {
    lines.push(`  ${u.kind} ${u.name} (${u.rcpId})`);
    for (const s of u.suggestions) {
      lines.push(
        `      probably Odoo ${s.odooId} ${s.odooName} (${s.reason}): rcp-odoo match --link ${s.odooId} ${u.rcpId}`,
      );
    }
  }
  if (report.unmatched.length > 0)
    lines.push('', 'Without a link, `sync` creates a new company for each of them.');
  for (const f of report.failed) lines.push(`failed: ${f.record}: ${f.error}`);
  ctx.out.result(report, lines.join('\n'));
  return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}
