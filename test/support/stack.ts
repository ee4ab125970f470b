import { afterEach } from 'vitest';
import { loadConfig } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../connector/simulator/server.ts';
import { type OdooDouble, type OdooVersion, envOf, startOdooDouble } from './odoo-double/index.ts';
import { TEST_BACKOFF } from './rcp.ts';

/** The whole chain for process tests: the RCP simulator, an Odoo double, and the processes' deps. */
export interface Stack {
  sim: Simulator;
  double: OdooDouble;
  deps: ProcessDeps;
  /** Fresh deps (new connections), as a second run of a command would have. */
  reconnect(): Promise<ProcessDeps>;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

export async function startStack(
  version: OdooVersion,
  simOptions: SimulatorOptions = {},
  env: Record<string, string> = {},
): Promise<Stack> {
  const sim = await startSimulator({ today: '2024-06-01', clients: 12, partners: 3, ...simOptions });
  const double = await startOdooDouble({ version });
  const config = loadConfig(['rcp', 'odoo'], {
    ...envOf(sim, double),
    RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
    ...env,
  });
  const clients: Array<{ close(): Promise<void> }> = [];
  const connect = async (): Promise<ProcessDeps> => {
    const rcp = new RcpClient(config.rcp as NonNullable<typeof config.rcp>, { backoff: TEST_BACKOFF });
    const odoo = await OdooClient.connect(config.odoo as NonNullable<typeof config.odoo>);
    clients.push(rcp, odoo);
    return { rcp, odoo, config, log: silentLogger };
  };
  const deps = await connect();
  open.push(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
    await double.close();
  });
  return { sim, double, deps, reconnect: connect };
}

/** Posted customer payments on the double, as the accountant enters them (dated 2024-06-01). */
export function postedPayments(
  deps: ProcessDeps,
  payments: ReadonlyArray<{ partnerId: number; amount: number }>,
): Promise<number[]> {
  return deps.odoo.create(
    'account.payment',
    payments.map(({ partnerId, amount }) => ({
      partner_id: partnerId,
      amount,
      payment_type: 'inbound',
      partner_type: 'customer',
      state: deps.odoo.capabilities.paymentDoneStates[0],
      date: '2024-06-01',
      journal_id: 2,
      company_id: 1,
    })),
  );
}
