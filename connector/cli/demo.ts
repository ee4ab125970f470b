import { monthBefore } from '../../mappings/period.ts';
import { ConfigError } from '../errors.ts';
import { OdooClient } from '../odoo/client.ts';
import { companyOf } from '../odoo/company.ts';
import { OdooError } from '../odoo/errors.ts';
import { invoicePeriod } from '../processes/invoice-period.ts';
import { syncMasterData } from '../processes/sync.ts';
import { RcpClient } from '../rcp/client.ts';
import { Secret } from '../secret.ts';
import { startSimulator } from '../simulator/server.ts';
import { describeInvoices } from '../work/invoice.ts';
import { describeSync } from '../work/sync.ts';
import { type CommandContext, EXIT } from './context.ts';

/** The month before today's (UTC), `YYYY-MM`. */
export function previousMonth(today = new Date()): string {
  return monthBefore(today);
}

/**
 * Makes a fresh Odoo keep its books in COMPANY_CURRENCY (RUB by default), as RCP bills: Odoo's
 * Docker image creates its company in USD. Odoo allows it only while the company has no journal
 * entries, so this is for a new demo database (the compose file's first step), never a live one.
 */
export async function prepareDemoCompany(odoo: OdooClient, currency: string): Promise<string> {
  const company = await companyOf(odoo);
  const before = company.currency || '(none)';
  if (before === currency) return `${company.name} already keeps its books in ${currency}.`;
  const [found] = await odoo.searchRead<{ id: number }>('res.currency', [['name', '=', currency]], ['id'], {
    context: { active_test: false },
  });
  if (!found) throw new ConfigError([`Odoo has no currency ${currency}: check COMPANY_CURRENCY`]);
  try {
    await odoo.write('res.currency', [found.id], { active: true });
    await odoo.write('res.company', [company.id], { currency_id: found.id });
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'validation') {
      throw new ConfigError([
        `${company.name} keeps its books in ${before} and Odoo refuses to change it (${error.serverMessage}): demo --prepare is for a new database`,
      ]);
    }
    throw error;
  }
  return `${company.name} now keeps its books in ${currency} (was ${before}).`;
}

/**
 * Starts the bundled simulator in-process (seed 1, 40 clients: the same data as the compose
 * file's simulator) and syncs and invoices it into the Odoo named by ODOO_URL.
 */
export async function runDemo(
  ctx: CommandContext,
  input: { period?: string | undefined; prepare?: boolean } = {},
): Promise<number> {
  const config = ctx.config(['odoo']);
  if (input.prepare) {
    const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
    try {
      const said = await prepareDemoCompany(odoo, config.companyCurrency);
      ctx.out.result({ prepared: true, currency: config.companyCurrency, message: said }, said);
      return EXIT.done;
    } finally {
      await odoo.close();
    }
  }
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
    const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
    try {
      const deps = { rcp, odoo, config: { ...config, ownPartnerIds: [own] }, log: ctx.log };
      // Debug, not info: the summary on stdout says it, and a JSON line on stderr is noise to a person.
      ctx.log.debug(
        { simulator: sim.url, odoo: config.odoo.url, period },
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
          `Demo: the RCP simulator (${sim.world.partners.length} partners, 40 clients) into Odoo at ${config.odoo.url}.`,
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
