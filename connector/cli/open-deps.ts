/**
 * What a command opens, and closes whatever happens: Odoo alone, or RCP and Odoo. The clients are
 * loaded when a command opens them (--help does not pay for them).
 */
import type { ConfigFor } from '../config.ts';
import type { ProcessDeps } from '../deps.ts';
import type { OdooClient } from '../odoo/client.ts';
import type { CommandContext } from './context.ts';

/** Opens Odoo for a command (ODOO_* checked first), runs it, and closes the connection whatever happens. */
export async function withOdoo<T>(
  ctx: CommandContext,
  run: (odoo: OdooClient, config: ConfigFor<'odoo'>) => Promise<T>,
): Promise<T> {
  const config = ctx.config(['odoo']);
  const { OdooClient } = await import('../odoo/client.ts');
  const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
  try {
    return await run(odoo, config);
  } finally {
    await odoo.close();
  }
}

/** Opens both edges for a command, runs it (with a progress bar on a terminal), and closes them whatever happens. */
export async function withDeps<T>(ctx: CommandContext, run: (deps: ProcessDeps) => Promise<T>): Promise<T> {
  const config = ctx.config(['rcp', 'odoo']);
  const { RcpClient } = await import('../rcp/client.ts');
  const { progressDisplay } = await import('./progress.ts');
  const rcp = new RcpClient(config.rcp, { log: ctx.log });
  try {
    return await withOdoo(ctx, async (odoo) => {
      ctx.log.debug({ version: odoo.version, protocol: odoo.protocol }, 'connected to Odoo');
      const progress = progressDisplay({ json: ctx.out.json });
      try {
        return await run({ rcp, odoo, config, log: ctx.log, progress: progress.update });
      } finally {
        progress.stop();
      }
    });
  } finally {
    await rcp.close();
  }
}
