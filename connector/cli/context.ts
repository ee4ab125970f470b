import { hostname } from 'node:os';
/** What every command gets: where to print, a logger, and the configuration loader for the parts it needs. */
import { type ConfigFor, type Need, currentConfig, readEnv } from '../config.ts';
import { type Logger, createLogger } from '../log.ts';
import { type Output, createOutput } from './output.ts';

export interface CommandContext {
  out: Output;
  log: Logger;
  /**
   * The configuration as it is now (environment and `.env`), the parts named typed as present (a
   * ConfigError, exit 2, otherwise): the worker calls it again for each run.
   */
  config<N extends Need>(needs: readonly N[]): ConfigFor<N>;
}

export function createContext(json: boolean): CommandContext {
  const env = readEnv();
  const level =
    env.LOG_LEVEL && /^(fatal|error|warn|info|debug|trace|silent)$/.test(env.LOG_LEVEL)
      ? env.LOG_LEVEL
      : 'info';
  return {
    out: createOutput(json),
    log: createLogger({ level }),
    config: (needs) => currentConfig(needs),
  };
}

export { EXIT } from '../work/work.ts';

/** How a command line run is named on its record in RCP → Runs. */
export function cliRunner(): string {
  return `cli@${hostname()}:${process.pid}`;
}
