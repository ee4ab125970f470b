import { table } from '../../mappings/text-table.ts';
import { OdooClient } from '../odoo/client.ts';
import { type CheckItem, checkOdoo, checkRcp, checkRedis, checkSettings } from '../processes/check.ts';
import { RcpClient } from '../rcp/client.ts';
import { type CommandContext, EXIT } from './context.ts';

const MARK = { ok: 'ok', warning: 'WARN', failure: 'FAIL' } as const;

/**
 * Whether this Odoo (and RCP, Redis, the configuration) is ready: exit 0 ready (maybe with warnings),
 * 1 with failures, 2 when a setting is wrong (ODOO_URL, ODOO_DB, a secret).
 */
export async function runCheck(ctx: CommandContext): Promise<number> {
  const config = ctx.config(['rcp', 'odoo']);
  const rcp = new RcpClient(config.rcp as NonNullable<typeof config.rcp>, {
    log: ctx.log,
    backoff: { attempts: 2 },
  });
  const items: CheckItem[] = [];
  try {
    const { items: rcpItems, facts } = await checkRcp(rcp);
    items.push(...rcpItems);
    items.push(
      ...(await checkOdoo(
        () => OdooClient.connect(config.odoo as NonNullable<typeof config.odoo>, { log: ctx.log }),
        config,
        facts,
      )),
    );
    items.push(...checkSettings(config, facts));
  } finally {
    await rcp.close();
  }
  items.push(...(await checkRedis(config)));
  const failures = items.filter((i) => i.status === 'failure').length;
  const warnings = items.filter((i) => i.status === 'warning').length;
  const summary =
    failures > 0
      ? `${failures} check(s) failed: see FAIL above${warnings ? `, and ${warnings} warning(s)` : ''}.`
      : warnings > 0
        ? `Ready, with ${warnings} warning(s): see WARN above.`
        : 'All good: this Odoo is ready.';
  ctx.out.result(
    { ok: failures === 0, failures, warnings, checks: items },
    `${table([['', 'check', 'result'], ...items.map((i) => [MARK[i.status], i.what, i.detail])])}\n\n${summary}`,
  );
  if (items.some((i) => i.setting)) return EXIT.usage;
  return failures > 0 ? EXIT.someFailed : EXIT.done;
}
