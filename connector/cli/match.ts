/**
 * `rcp-odoo match`: RCP partners and clients not linked to an Odoo company yet, with the probable
 * ones; `--link` ties one, `--unlink` unties one (it then waits in RCP → Counterparties).
 */
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import type { MatchReport } from '../processes/match.ts';
import { EXIT } from '../work/work.ts';
import type { CliCommand } from './command.ts';
import { withDeps } from './open-deps.ts';

const MatchInput = z
  .object({
    link: z
      .array(z.string())
      .transform((ids, ctx) => {
        const [odooId, rcpId, ...extra] = ids;
        const n = Number(odooId);
        if (!rcpId || extra.length > 0 || !Number.isInteger(n) || n <= 0) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            message: '--link takes ODOO_PARTNER_ID RCP_ID, e.g. --link 42 3f6c…-uuid',
          });
          return z.NEVER;
        }
        return { odooPartnerId: n, rcpId };
      })
      .optional(),
    /** An RCP partner or client to unlink from its Odoo company (it then waits in RCP → Counterparties). */
    unlink: z.string().optional(),
  })
  .refine((i) => !(i.link && i.unlink), 'give --link or --unlink, not both');
export type MatchInput = z.infer<typeof MatchInput>;

type MatchDone =
  | { linked: { odooPartnerId: number; rcpId: string; kind: string }; how: string }
  | { unlinked: { rcpId: string; kind: string; previous: number | undefined } }
  | { unmatched: MatchReport };

export const match: CliCommand<MatchInput, MatchDone> = {
  name: 'match',
  input: MatchInput,
  command: {
    words: ['match'],
    description:
      'RCP partners and clients not linked to an Odoo company yet, with the probable ones; --link ties one',
    flags: {
      '--link': {
        key: 'link',
        value: 'ids...',
        help: 'ODOO_PARTNER_ID RCP_ID: link an existing Odoo company to an RCP partner or client',
      },
      '--unlink': {
        key: 'unlink',
        value: 'rcpId',
        help: 'RCP_ID: unlink an RCP partner or client from its Odoo company (it waits in RCP → Counterparties)',
      },
    },
    example: 'match --link 42 3f6c…-uuid',
  },
  run: async (ctx, input) => {
    const { findUnmatched, linkCounterparty } = await import('../processes/match.ts');
    const { hasCounterparties, setLinkNow } = await import('../workspace/counterparties.ts');
    if (input.link) {
      const { odooPartnerId, rcpId } = input.link;
      // The workspace's record when there is one (the same link the accountant sets in Odoo, re-links
      // included); before setup or the first sync, the external ID alone.
      return withDeps(ctx, async (deps) => {
        const viaWorkspace = (await hasCounterparties(deps.odoo))
          ? await setLinkNow(deps.odoo, rcpId, odooPartnerId)
          : undefined;
        if (viaWorkspace) {
          const moved =
            viaWorkspace.previous !== undefined && viaWorkspace.previous !== odooPartnerId
              ? ` (moved from Odoo contact ${viaWorkspace.previous})`
              : '';
          return {
            linked: { odooPartnerId, rcpId, kind: viaWorkspace.kind },
            how: `in RCP → Counterparties${moved}`,
          };
        }
        const done = await linkCounterparty(deps, odooPartnerId, rcpId);
        return { linked: { odooPartnerId, rcpId, kind: done.kind }, how: `by external ID ${done.xmlid}` };
      });
    }
    if (input.unlink) {
      const rcpId = input.unlink;
      return withDeps(ctx, async (deps) => {
        if (!(await hasCounterparties(deps.odoo)))
          throw new ConfigError([
            '`match --unlink` needs the RCP workspace: run `rcp-odoo setup` as an Odoo administrator, then `rcp-odoo sync`',
          ]);
        const done = await setLinkNow(deps.odoo, rcpId, undefined);
        if (!done)
          throw new ConfigError([
            `RCP → Counterparties has no record of ${rcpId}: check the id, or run \`rcp-odoo sync\` first`,
          ]);
        return { unlinked: { rcpId, kind: done.kind, previous: done.previous } };
      });
    }
    return { unmatched: await withDeps(ctx, (deps) => findUnmatched(deps)) };
  },
  summary: (done) => {
    if ('linked' in done) {
      const { odooPartnerId, rcpId, kind } = done.linked;
      return `Linked Odoo contact ${odooPartnerId} to RCP ${kind} ${rcpId} ${done.how}; the next sync updates only what the connector owns on it (tag, reference, price list, payment term).`;
    }
    if ('unlinked' in done) {
      const { rcpId, kind, previous } = done.unlinked;
      return `Unlinked RCP ${kind} ${rcpId}${previous ? ` from Odoo contact ${previous}` : ''}; it waits in RCP → Counterparties until a company is chosen there (or with --link).`;
    }
    const report = done.unmatched;
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
    return lines.join('\n');
  },
  json: (done) => ('linked' in done ? { linked: done.linked } : 'unlinked' in done ? done : done.unmatched),
  exit: (done) => ('unmatched' in done && done.unmatched.failed.length > 0 ? EXIT.someFailed : EXIT.done),
};
