import { startSimulator } from '../simulator/server.ts';
import { type CommandContext, EXIT, usageError } from './context.ts';

interface SimulatorFlags {
  port?: string;
  host?: string;
  clients?: string;
  seed?: string;
  token?: string;
}

/** Serves the bundled RCP simulator until interrupted. */
export async function runSimulator(ctx: CommandContext, flags: SimulatorFlags = {}): Promise<number> {
  const port = wholeNumber(flags.port ?? '8090', '--port', 0, 65_535);
  const clients = wholeNumber(flags.clients ?? '40', '--clients', 1, 100_000);
  const seed = wholeNumber(flags.seed ?? '1', '--seed', 0, 2 ** 31);
  const simulator = await startSimulator({
    port,
    host: flags.host ?? '127.0.0.1',
    clients,
    seed,
    ...(flags.token ? { token: flags.token } : {}),
  });
  const summary = {
    url: `${simulator.url}/v1`,
    token: simulator.token,
    partners: simulator.world.partners.length,
    clients,
    ownPartnerId: simulator.world.partners[0]?.id,
  };
  ctx.out.result(
    summary,
    [
      `RCP simulator on ${summary.url} (${summary.partners} partners, ${clients} clients, seed ${seed})`,
      `token: ${summary.token}  (login: accountant / accountant)`,
      `own channel partner: ${summary.ownPartnerId}  (RCP_OWN_PARTNER_IDS)`,
      `try: curl -H 'Authorization: Bearer ${summary.token}' '${summary.url}/client?page=2'`,
      'faults: GET/PUT /_sim/faults, received payments: GET /_sim/payments. Ctrl-C stops.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.close();
  return EXIT.done;
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw usageError(
      `${flag} must be a whole number from ${min} to ${max}, e.g. ${flag} ${Math.min(max, 8090)}`,
    );
  }
  return value;
}
