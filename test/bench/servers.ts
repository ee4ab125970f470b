/**
 * The benchmark's servers, in a process of their own so that their memory is not the connector's:
 * the RCP simulator with N clients and an Odoo 18 double. Prints their addresses as one JSON line.
 */
import { startSimulator } from '../../connector/simulator/server.ts';
import { startOdooDouble } from '../support/odoo-double/index.ts';

const clients = Number(process.argv[process.argv.indexOf('--clients') + 1] ?? 10_000);
const sim = await startSimulator({ seed: 7, clients, today: '2024-06-01', ownShare: 0.6 });
const withDouble = !process.argv.includes('--no-double');
const double = withDouble
  ? await startOdooDouble({ version: '18', counterparties: process.argv.includes('--workspace') })
  : undefined;
process.stdout.write(
  `${JSON.stringify({
    rcpUrl: sim.url,
    rcpToken: sim.token,
    ownPartnerId: sim.world.partners[0]?.id,
    partners: sim.world.partners.length,
    odoo: double
      ? { url: double.url, db: double.db, user: double.admin.login, apiKey: double.admin.apiKey }
      : undefined,
  })}\n`,
);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
