import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { OdooConfig } from '../../connector/config.ts';
import type { RealStack } from './real-stack.ts';

const bin = resolve('bin/rcp-odoo.mjs');

export interface CliProcess {
  child: ChildProcess;
  /** Its exit, with stdout and stderr together. */
  exited: Promise<{ code: number | null; signal: string | null; out: string }>;
}

/**
 * `rcp-odoo ARGS` as a process of its own (to be killed, or raced), from an empty working directory
 * so that a developer's .env cannot leak in, with only `env` set.
 */
export function spawnCli(name: string): (args: string[], env: Record<string, string>) => CliProcess {
  const cwd = mkdtempSync(join(tmpdir(), `rcp-odoo-${name}-`));
  return (args, env) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const add = (d: Buffer) => {
      out += String(d);
    };
    child.stdout?.on('data', add);
    child.stderr?.on('data', add);
    const exited = new Promise<{ code: number | null; signal: string | null; out: string }>((r) =>
      child.on('exit', (code, signal) => r({ code, signal, out })),
    );
    return { child, exited };
  };
}

/** The environment of the connector's own run on a real stack: RCP, Odoo as its user, the own partner. */
export function stackEnv(s: RealStack): Record<string, string> {
  const connector = s.odoo.config.odoo as OdooConfig;
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NO_COLOR: '1',
    LOG_LEVEL: 'warn',
    RCP_URL: s.sim.url,
    RCP_TOKEN: s.sim.token,
    ODOO_URL: connector.url,
    ODOO_DB: connector.db,
    ODOO_USER: connector.user,
    [connector.secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD']: connector.secret.value.reveal(),
    RCP_OWN_PARTNER_IDS: s.sim.world.partners[0]?.id ?? '',
  };
}
