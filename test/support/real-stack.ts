import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Config } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { externalIds } from '../../connector/odoo/external-ids.ts';
import { type OdooRefs, ensureUnits } from '../../connector/processes/odoo-refs.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { Secret } from '../../connector/secret.ts';
import { CATALOG } from '../../connector/simulator/data.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../connector/simulator/server.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { type PriceOverride, type RcpUsageRow, startUsageOverride } from './rcp-usage-override.ts';
import { type RealOdoo, freshRealOdoo } from './real-odoo.ts';

/**
 * The whole chain against a real Odoo for one test file: a fresh database (see real-odoo.ts), the
 * RCP simulator with a seed of its own, the connector's deps (its user), and an admin client for
 * what setup or an accountant does in Odoo.
 */
export interface RealStack {
  sim: Simulator;
  seed: number;
  odoo: RealOdoo;
  deps: ProcessDeps;
  admin: OdooClient;
  /** Fresh deps (new connections), as a second run of a command would have. */
  reconnect(): Promise<ProcessDeps>;
}

/** The simulator's seed: RCP_TEST_SEED to replay a run, else a new one per run. */
export const testSeed = (): number => Number(process.env.RCP_TEST_SEED) || 1 + (Date.now() % 1_000_000);

/** What a failed test prints, so that its data can be made again. */
export const seedLine = (seed: number): string =>
  `the simulator's seed was ${seed}: RCP_TEST_SEED=${seed} replays this file's data`;

export interface RealStackOptions {
  /** Usage RCP answers for chosen clients instead of the simulator's (see rcp-usage-override.ts). */
  usageOf?: (clientId: string) => Array<Omit<RcpUsageRow, 'date'>> | undefined;
  /** Prices RCP answers for chosen billing plans (the rows of `usageOf` must cost price × quantity). */
  pricesOf?: (planId: string) => PriceOverride[] | undefined;
  configure?: (config: Config, sim: Simulator) => Config;
  /**
   * The RCP workspace set up (`rcp-odoo setup` as the admin, the connector's user named) before the
   * file's own steps. The copy comes from the version's workspace template, so this setup finds
   * everything made: half a minute sooner per file, and a proof on every file that a second setup
   * changes nothing it needs.
   */
  workspace?: boolean;
}

export function useRealStack(
  tag: string,
  simOptions: SimulatorOptions = {},
  options: RealStackOptions = {},
): () => RealStack {
  const configure = options.configure ?? ((c: Config) => c);
  let stack: RealStack | undefined;
  const closers: Array<{ close(): Promise<void> }> = [];
  beforeAll(async () => {
    const odoo = await freshRealOdoo(tag, process.env, { workspace: options.workspace === true });
    const seed = testSeed();
    const sim = await startSimulator({ seed, clients: 12, partners: 3, ...simOptions });
    closers.push(sim);
    const admin = await OdooClient.connect(odoo.admin);
    closers.push(admin);
    if (odoo.admin.user !== odoo.config.odoo?.user) await adminSetup(admin);
    if (options.workspace) {
      await setupWorkspace(admin, {
        dryRun: false,
        connectorLogin: odoo.config.odoo?.user ?? 'admin',
        currency: odoo.config.companyCurrency,
      });
    }
    const config = configure(
      {
        ...odoo.config,
        ownPartnerIds: [sim.world.partners[0]?.id ?? ''],
        payments: { since: '2020-01-01', mode: 'posted' },
      },
      sim,
    );
    let rcpUrl = sim.url;
    if (options.usageOf) {
      const front = await startUsageOverride(sim.url, options.usageOf, options.pricesOf);
      closers.push(front);
      rcpUrl = front.url;
    }
    const connect = async (): Promise<ProcessDeps> => {
      const rcp = new RcpClient({
        baseUrl: `${rcpUrl}/v1`,
        auth: { kind: 'token', token: new Secret(sim.token) },
        concurrency: 4,
        timeoutMs: 30_000,
      });
      const client = await OdooClient.connect(config.odoo as NonNullable<Config['odoo']>);
      closers.push(rcp, client);
      return { rcp, odoo: client, config, log: silentLogger };
    };
    stack = { sim, seed, odoo, deps: await connect(), admin, reconnect: connect };
  });
  afterEach(({ task }) => {
    if (task.result?.state === 'fail' && stack) console.error(seedLine(stack.seed));
  });
  afterAll(async () => {
    await Promise.all(closers.splice(0).map((c) => c.close()));
    await stack?.odoo.drop?.();
  });
  return () => {
    if (!stack) throw new Error('the real-Odoo stack is not started');
    return stack;
  };
}

/**
 * What an administrator prepares for a least-privileged connector user: the units of measure of
 * RCP's billing classes (creating `uom.uom` needs more than Product Creation).
 */
export async function adminSetup(admin: OdooClient): Promise<void> {
  const measures = [...new Set(CATALOG.map((c) => c.measure))];
  const units = await ensureUnits(admin, measures, { unitUomId: 0 } as unknown as OdooRefs, false);
  if (units.failed.length > 0) throw new Error(`admin could not make units: ${JSON.stringify(units.failed)}`);
}

/** A user with Billing and RCP / User only (an accountant), made by the admin; its id. */
export async function makeAccountant(
  s: RealStack,
  user: { name: string; login: string; password: string; email?: string },
): Promise<number> {
  const groups = await externalIds(s.admin).resolve([
    'rcp_connector.group_user',
    'account.group_account_invoice',
    'base.group_user',
  ]);
  const [id] = (await s.admin.create('res.users', [
    {
      ...user,
      [s.admin.capabilities.userGroupsField]: [[6, 0, [...groups.values()].map((g) => g.id)]],
    },
  ])) as [number];
  return id;
}

/** An accountant made by `makeAccountant`, and an Odoo client logged in as it (password). */
export async function connectAccountant(
  s: RealStack,
  user: { name: string; login: string; password: string; email?: string },
): Promise<{ id: number; client: OdooClient }> {
  const id = await makeAccountant(s, user);
  const client = await OdooClient.connect({
    ...s.odoo.admin,
    user: user.login,
    secret: { kind: 'password', value: new Secret(user.password) },
  });
  return { id, client };
}
