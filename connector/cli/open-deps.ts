import type { ProcessDeps } from '../deps.ts';
import { OdooClient } from '../odoo/client.ts';
import { RcpClient } from '../rcp/client.ts';
import type { CommandContext } from './context.ts';
import { progressDisplay } from './progress.ts';

/** Opens both edges for a command, runs it (with a progress bar on a terminal), and closes them whatever happens. */
export async function withDeps<T>(ctx: CommandContext, run: (deps: ProcessDeps) => Promise<T>): Promise<T> {
  const config = ctx.config(['rcp', 'odoo']);
  const rcp = new RcpClient(config.rcp, { log: ctx.log });
  try {
    const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
    try {
      ctx.log.debug({ version: odoo.version, protocol: odoo.protocol }, 'connected to Odoo');
      const progress = progressDisplay({ json: ctx.out.json });
      try {
        return await run({ rcp, odoo, config, log: ctx.log, progress: progress.update });
      } finally {
        progress.stop();
      }
    } finally {
      await odoo.close();
    }
  } finally {
    await rcp.close();
  }
}
