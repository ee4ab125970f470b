import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const bin = resolve('bin/rcp-odoo.mjs');

/**
 * `rcp-odoo ARGS` run to its end, from an empty working directory of its own (so that a
 * developer's own .env cannot leak into the run) and with only PATH, HOME and `env` set.
 */
export function cliIn(
  name: string,
): (args: string[], env?: Record<string, string>) => { code: number | null; stdout: string; stderr: string } {
  const cwd = mkdtempSync(join(tmpdir(), `rcp-odoo-${name}-`));
  return (args, env = {}) => {
    const r = spawnSync(process.execPath, [bin, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
}
