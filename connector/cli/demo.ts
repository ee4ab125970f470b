import { monthBefore } from '../../mappings/period.ts';
import { OdooClient } from '../odoo/client.ts';
import { invoicePeriod } from '../processes/invoice-period.ts';
import { syncMasterData } from '../processes/sync.ts';
import { RcpClient } from '../rcp/client.ts';
import { Secret } from '../secret.ts';
import { startSimulator } from '../simulator/server.ts';
import { type CommandContext, EXIT } from './context.ts';
import { describeInvoices } from './invoice.ts';
import { describeSync } from './sync.ts';

/** The month before today's (UTC), `YYYY-MM`. */
export function previousMonth(today = new Date()): string {
  return monthBefore(today);
}

/**
 * Starts the bundled simulator in-process (seed 1, 40 clients: the same data as the compose
 * file's simulator) and syncs and invoices it into the Odoo named by ODOO_URL.
 */
export async function runDemo(
  ctx: CommandContext,
  input: { period?: string | undefined } = {},
): Promise<number> {
  const config = ctx.config(['odoo']);
  const period = input.period ?? previousMonth();
  const sim = await startSimulator({ seed: 1, clients: 40 });
  const own = sim.world.partners[0]?.id ?? '';
  const rcp = new RcpClient(
    {
      baseUrl: `${sim.url}/v1`,
      auth: { kind: 'token', token: new Secret(sim.token) },
      concurrency: 4,
      timeoutMs: 30_000,
    },
    { log: ctx.log },
  );
  try {
    const odoo = await OdooClient.connect(config.odoo as NonNullable<typeof config.odoo>, { log: ctx.log });
    try {
      const deps = { rcp, odoo, config: { ...config, ownPartnerIds: [own] }, log: ctx.log };
      // Debug, not info: the summary on stdout says it, and a JSON line on stderr is noise to a person.
      ctx.log.debug(
        { simulator: sim.url, odoo: config.odoo?.url, period },
        'demo: syncing the simulator into Odoo',
      );
      const sync = await syncMasterData(deps, { what: 'all' });
      const invoices = await invoicePeriod(deps, { period });
      ctx.out.result(
        {
          simulator: { partners: sim.world.partners.length, clients: 40, ownPartnerId: own },
          sync,
          invoices,
        },
        [
          `Demo: the RCP simulator (${sim.world.partners.length} partners, 40 clients) into Odoo at ${config.odoo?.url}.`,
          '',
          describeSync(sync),
          '',
          describeInvoices(invoices),
          '',
          'Open Odoo: Contacts (tag "RCP client"), Invoicing → Customers → Invoices (drafts), Sales → Products.',
        ].join('\n'),
      );
      return sync.failed.length + invoices.failed.length > 0 ? EXIT.someFailed : EXIT.done;
    } finally {
      await odoo.close();
    }
  } finally {
    await rcp.close();
    await sim.close();
  }
}
