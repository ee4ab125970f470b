/** `rcp-odoo simulator`: serves the bundled RCP simulator (demo data, fault injection) until interrupted. */
import { z } from 'zod';
import type { CliCommand } from './command.ts';

const wholeNumber = (min: number, max: number) =>
  z
    .string()
    .refine((text) => {
      const value = Number(text);
      return Number.isInteger(value) && value >= min && value <= max;
    }, `a whole number from ${min} to ${max} is expected`)
    .transform(Number);

const SimulatorInput = z.object({
  port: wholeNumber(0, 65_535),
  host: z.string().min(1),
  clients: wholeNumber(1, 100_000),
  seed: wholeNumber(0, 2 ** 31),
  token: z.string().min(1).optional(),
});

interface Serving {
  url: string;
  token: string;
  partners: number;
  clients: number;
  seed: number;
  ownPartnerId: string | undefined;
}

export const simulator: CliCommand<z.infer<typeof SimulatorInput>, Serving> = {
  name: 'simulator',
  input: SimulatorInput,
  command: {
    words: ['simulator'],
    description: 'serve the bundled RCP simulator (demo data, fault injection)',
    flags: {
      '--port': { key: 'port', value: 'n', help: 'port to listen on', default: '8090' },
      '--host': { key: 'host', value: 'addr', help: 'address to listen on', default: '127.0.0.1' },
      '--clients': { key: 'clients', value: 'n', help: 'number of generated clients', default: '40' },
      '--seed': { key: 'seed', value: 'n', help: 'seed of the data generator', default: '1' },
      '--token': {
        key: 'token',
        value: 'token',
        help: 'the bearer token it accepts (default: printed at start)',
      },
    },
    example: 'simulator --port 8090',
  },
  run: async (_ctx, input, started) => {
    const { startSimulator } = await import('../simulator/server.ts');
    const sim = await startSimulator({
      port: input.port,
      host: input.host,
      clients: input.clients,
      seed: input.seed,
      ...(input.token ? { token: input.token } : {}),
    });
    const serving: Serving = {
      url: `${sim.url}/v1`,
      token: sim.token,
      partners: sim.world.partners.length,
      clients: input.clients,
      seed: input.seed,
      ownPartnerId: sim.world.partners[0]?.id,
    };
    started(serving);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await sim.close();
    return serving;
  },
  summary: (s) =>
    [
      `RCP simulator on ${s.url} (${s.partners} partners, ${s.clients} clients, seed ${s.seed})`,
      `token: ${s.token}  (login: accountant / accountant)`,
      `own channel partner: ${s.ownPartnerId}  (RCP_OWN_PARTNER_IDS)`,
      `try: curl -H 'Authorization: Bearer ${s.token}' '${s.url}/client?page=2'`,
      'faults: GET/PUT /_sim/faults, received payments: GET /_sim/payments. Ctrl-C stops.',
    ].join('\n'),
  json: (s) => ({
    url: s.url,
    token: s.token,
    partners: s.partners,
    clients: s.clients,
    ownPartnerId: s.ownPartnerId,
  }),
};
