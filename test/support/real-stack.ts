import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../connector/config.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import type { ProcessDeps } from '../../connector/processes/deps.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { Secret } from '../../connector/secret.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../connector/simulator/server.ts';
import { type RealOdoo, freshRealOdoo } from './real-odoo.ts';

/**
 * The whole chain against a real Odoo for one test file: a fresh database (see real-odoo.ts), the
 * RCP simulator with a seed of its own, the connector's deps (its user), and an admin client for
 * what setup or an accountant does in Odoo.
 */
export interface RealStack {
  sim: Simulator;
  odoo: RealOdoo;
  deps: ProcessDeps;
  admin: OdooClient;
  /** Fresh deps (new connections), as a second run of a command would have. */
  reconnect(): Promise<ProcessDeps>;
}

export function useRealStack(
  tag: string,
  simOptions: SimulatorOptions = {},
  configure: (config: Config, sim: Simulator) => Config = (c) => c,
): () => RealStack {
  let stack: RealStack | undefined;
  const closers: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    const odoo = await freshRealOdoo(tag);
    const sim = await startSimulator({
      seed: 1 + (Date.now() % 1_000_000),
      clients: 12,
      partners: 3,
      ...simOptions,
    });
    closers.push(sim);
    const config = configure(
      {
        ...odoo.config,
        ownPartnerIds: [sim.world.partners[0]?.id ?? ''],
        payments: { since: '2020-01-01', mode: 'posted' },
      },
      sim,
    );
    const connect = async (): Promise<ProcessDeps> => {
      const rcp = new RcpClient({
        baseUrl: `${sim.url}/v1`,
        auth: { kind: 'token', token: new Secret(sim.token) },
        concurrency: 4,
        timeoutMs: 30_000,
      });
      const client = await OdooClient.connect(config.odoo as NonNullable<Config['odoo']>);
      closers.push(rcp, client);
      return { rcp, odoo: client, config, log: silentLogger };
    };
    const admin = await OdooClient.connect(odoo.admin);
    closers.push(admin);
    stack = { sim, odoo, deps: await connect(), admin, reconnect: connect };
  });
  afterAll(async () => {
    await Promise.all(closers.splice(0).map((c) => c.close()));
  });
  return () => {
    if (!stack) throw new Error('the real-Odoo stack is not started');
    return stack;
  };
}
