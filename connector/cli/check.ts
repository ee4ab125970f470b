import { decimalsOf } from '../../mappings/pricelists.ts';
import { messageOf } from '../errors.ts';
import { OdooClient } from '../odoo/client.ts';
import { type CheckItem, checkOdoo, checkRcp, checkRedis, checkWorkspace } from '../processes/check.ts';
import { RcpClient } from '../rcp/client.ts';
import { type CommandContext, EXIT } from './context.ts';
import { table } from './output.ts';

/** Reaches RCP, Odoo and Redis and says what is wrong, each on its own line. */
export async function runCheck(ctx: CommandContext): Promise<number> {
  const config = ctx.config(['rcp', 'odoo']);
  const items: CheckItem[] = [];
  const rcp = new RcpClient(config.rcp as NonNullable<typeof config.rcp>, {
    log: ctx.log,
    backoff: { attempts: 2 },
  });
  let neededDigits = 2;
  try {
    items.push(...(await checkRcp(rcp)));
    if (items[0]?.ok) {
      const partners = await rcp.partners().all();
      const plans = [...new Set(partners.flatMap((p) => (p.contract ? [p.contract.billing_plan.id] : [])))];
      const prices = (await rcp.fanOut(plans, (plan) => rcp.prices(plan))).flatMap((p) => p.items);
      neededDigits = Math.max(2, ...prices.map((p) => decimalsOf(p.cost)));
    }
  } finally {
    await rcp.close();
  }
  try {
    const odoo = await OdooClient.connect(config.odoo as NonNullable<typeof config.odoo>, { log: ctx.log });
    try {
      items.push(...(await checkOdoo(odoo, neededDigits)));
      items.push(...(await checkWorkspace(odoo, config.companyCurrency)));
    } finally {
      await odoo.close();
    }
  } catch (error) {
    items.push({ what: 'Odoo', ok: false, detail: messageOf(error) });
  }
  items.push(...(await checkRedis(config)));
  const ok = items.every((item) => item.ok);
  ctx.out.result(
    { ok, checks: items },
    `${table([['', 'check', 'result'], ...items.map((i) => [i.ok ? 'ok' : 'FAIL', i.what, i.detail])])}\n\n${ok ? 'All good.' : 'Some checks failed: see FAIL above.'}`,
  );
  return ok ? EXIT.done : EXIT.someFailed;
}
