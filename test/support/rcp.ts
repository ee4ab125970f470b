import { afterEach } from 'vitest';
import type { RcpConfig } from '../../connector/config.ts';
import { RcpClient, type RcpClientOptions } from '../../connector/rcp/client.ts';
import { Secret } from '../../connector/secret.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../connector/simulator/server.ts';

/** Backoff short enough for tests, long enough to be real. */
export const TEST_BACKOFF = { attempts: 4, baseDelayMs: 5, maxDelayMs: 40 };

export interface RcpFixture {
  sim: Simulator;
  client: RcpClient;
}

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** A simulator on a free port and a client configured for it; both closed after the test. */
export async function startRcp(
  simOptions: SimulatorOptions = {},
  clientOptions: { auth?: RcpConfig['auth']; concurrency?: number } & RcpClientOptions = {},
): Promise<RcpFixture> {
  const sim = await startSimulator({ today: '2024-06-01', ...simOptions });
  const { auth, concurrency, ...options } = clientOptions;
  const client = new RcpClient(
    {
      baseUrl: `${sim.url}/v1`,
      auth: auth ?? { kind: 'token', token: new Secret(sim.token) },
      concurrency: concurrency ?? 4,
      timeoutMs: 5_000,
    },
    { backoff: TEST_BACKOFF, ...options },
  );
  open.push(async () => {
    await client.close();
    await sim.close();
  });
  return { sim, client };
}
