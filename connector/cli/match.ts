import { ConfigError } from '../errors.ts';
import { findUnmatched, linkCounterparty } from '../processes/match.ts';
import { hasCounterparties, setLinkNow } from '../workspace/counterparties.ts';
import { type CommandContext, EXIT } from './context.ts';
import { withDeps } from './open-deps.ts';

export interface MatchInput {
  link?: { odooPartnerId: number; rcpId: string } | undefined;
  /** An RCP partner or client to unlink from its Odoo company (it then waits in RCP → Counterparties). */
  unlink?: string | undefined;
}

export async function runMatch(ctx: CommandContext, input: MatchInput = {}): Promise<number> {
  if (input.link) {
    const { odooPartnerId, rcpId } = input.link;
    // The workspace's record when there is one (the same link the accountant sets in Odoo, re-links
    // included); before setup or the first sync, the external ID alone.
    const linked = await withDeps(ctx, async (deps) => {
      const viaWorkspace = (await hasCounterparties(deps.odoo))
        ? await setLinkNow(deps.odoo, rcpId, odooPartnerId)
        : undefined;
      if (viaWorkspace) {
        const moved =
          viaWorkspace.previous !== undefined && viaWorkspace.previous !== odooPartnerId
            ? ` (moved from Odoo contact ${viaWorkspace.previous})`
            : '';
        return { kind: viaWorkspace.kind, how: `in RCP → Counterparties${moved}` };
      }
      const done = await linkCounterparty(deps, odooPartnerId, rcpId);
      return { kind: done.kind, how: `by external ID ${done.xmlid}` };
    });
    ctx.out.result(
      { linked: { odooPartnerId, rcpId, kind: linked.kind } },
      `Linked Odoo contact ${odooPartnerId} to RCP ${linked.kind} ${rcpId} ${linked.how}; the next sync updates only what the connector owns on it (tag, reference, price list, payment term).`,
    );
    return EXIT.done;
  }
  if (input.unlink) {
    const rcpId = input.unlink;
    const unlinked = await withDeps(ctx, async (deps) => {
      if (!(await hasCounterparties(deps.odoo)))
        throw new ConfigError([
          '`match --unlink` needs the RCP workspace: run `rcp-odoo setup` as an Odoo administrator, then `rcp-odoo sync`',
        ]);
      const done = await setLinkNow(deps.odoo, rcpId, undefined);
      if (!done)
        throw new ConfigError([
          `RCP → Counterparties has no record of ${rcpId}: check the id, or run \`rcp-odoo sync\` first`,
        ]);
      return done;
    });
    ctx.out.result(
      { unlinked: { rcpId, kind: unlinked.kind, previous: unlinked.previous } },
      `Unlinked RCP ${unlinked.kind} ${rcpId}${unlinked.previous ? ` from Odoo contact ${unlinked.previous}` : ''}; it waits in RCP → Counterparties until a company is chosen there (or with --link).`,
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
    lines.push(
      '',
      'Without a link, `sync` creates a new company for each of them (unless SYNC_NEW_COUNTERPARTIES=match).',
    );
  for (const f of report.failed) lines.push(`failed: ${f.record}: ${f.error}`);
  ctx.out.result(report, lines.join('\n'));
  return report.failed.length > 0 ? EXIT.someFailed : EXIT.done;
}
