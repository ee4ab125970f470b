/**
 * `rcp-odoo demo`: the bundled simulator in-process, synced and invoiced into the Odoo of ODOO_URL;
 * `--prepare` only makes a new database keep its books in COMPANY_CURRENCY.
 */
import { z } from 'zod';
import { monthBefore } from '../../mappings/period.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import type { InvoiceReport } from '../processes/invoice-period.ts';
import type { SyncReport } from '../processes/sync.ts';
import { describeInvoices } from '../work/invoice.ts';
import { describeSync } from '../work/sync.ts';
import { EXIT, Period } from '../work/work.ts';
import type { CliCommand } from './command.ts';
import { withOdoo } from './open-deps.ts';

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
  const { companyOf } = await import('../odoo/company.ts');
  const { OdooError } = await import('../odoo/errors.ts');
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

const DemoInput = z.object({
  period: Period.optional(),
  prepare: z.boolean(),
});

type DemoDone =
  | { prepared: true; currency: string; message: string }
  | {
      simulator: { partners: number; clients: number; ownPartnerId: string };
      odoo: string;
      sync: SyncReport;
      invoices: InvoiceReport;
    };

/**
 * Starts the bundled simulator in-process (seed 1, 40 clients: the same data as the compose
 * file's simulator) and syncs and invoices it into the Odoo named by ODOO_URL.
 */
export const demo: CliCommand<z.infer<typeof DemoInput>, DemoDone> = {
  name: 'demo',
  input: DemoInput,
  command: {
    words: ['demo'],
    description: 'run the simulator in-process and sync and invoice its data into the Odoo of ODOO_URL',
    flags: {
      '--period': {
        key: 'period',
        value: 'YYYY-MM',
        help: 'the month to invoice (default: the previous month)',
      },
      '--prepare': {
        key: 'prepare',
        help: 'only make a NEW Odoo database keep its books in COMPANY_CURRENCY (RUB), as RCP bills; then stop',
      },
    },
    example: 'demo --period 2026-10',
  },
  run: async (ctx, input) => {
    ctx.config(['odoo']); // ODOO_* checked before the simulator starts
    if (input.prepare) {
      return withOdoo(ctx, async (odoo, config) => {
        const said = await prepareDemoCompany(odoo, config.companyCurrency);
        return { prepared: true, currency: config.companyCurrency, message: said };
      });
    }
    const { invoicePeriod } = await import('../processes/invoice-period.ts');
    const { syncMasterData } = await import('../processes/sync.ts');
    const { RcpClient } = await import('../rcp/client.ts');
    const { Secret } = await import('../secret.ts');
    const { startSimulator } = await import('../simulator/server.ts');
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
      return await withOdoo(ctx, async (odoo, config) => {
        const deps = { rcp, odoo, config: { ...config, ownPartnerIds: [own] }, log: ctx.log };
        // Debug, not info: the summary on stdout says it, and a JSON line on stderr is noise to a person.
        ctx.log.debug(
          { simulator: sim.url, odoo: config.odoo.url, period },
          'demo: syncing the simulator into Odoo',
        );
        const sync = await syncMasterData(deps, { what: 'all' });
        const invoices = await invoicePeriod(deps, { period });
        return {
          simulator: { partners: sim.world.partners.length, clients: 40, ownPartnerId: own },
          odoo: config.odoo.url,
          sync,
          invoices,
        };
      });
    } finally {
      await rcp.close();
      await sim.close();
    }
  },
  summary: (done) =>
    'prepared' in done
      ? done.message
      : [
          `Demo: the RCP simulator (${done.simulator.partners} partners, ${done.simulator.clients} clients) into Odoo at ${done.odoo}.`,
          '',
          describeSync(done.sync),
          '',
          describeInvoices(done.invoices),
          '',
          'Open Odoo: Contacts (tag "RCP client"), Invoicing → Customers → Invoices (drafts), Sales → Products.',
        ].join('\n'),
  json: (done) =>
    'prepared' in done ? done : { simulator: done.simulator, sync: done.sync, invoices: done.invoices },
  exit: (done) =>
    'prepared' in done || done.sync.failed.length + done.invoices.failed.length === 0
      ? EXIT.done
      : EXIT.someFailed,
};
