import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../connector/simulator/server.ts';
import { envOf, startOdooDouble } from '../support/odoo-double/index.ts';

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-progress-'));

function run(file: string, args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      file,
      args,
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => (error ? fail(error) : done(`${stdout}\n--stderr--\n${stderr}`)),
    );
  });
}

/** `script` gives the command a pseudo-terminal, as a user's shell would. */
const hasScript = await new Promise<boolean>((done) => execFile('script', ['--version'], (e) => done(!e)));

describe('progress bars in the CLI (simulator and the Odoo 18 double)', () => {
  it.skipIf(!hasScript)(
    'sync shows a bar on a terminal, and nothing when stdout is a pipe or with --json',
    async () => {
      const sim = await startSimulator({ today: '2024-06-01', clients: 8, partners: 2 });
      const double = await startOdooDouble({ version: '18' });
      try {
        const env = {
          ...envOf(sim, double),
        };
        const bar = /clients\s+\[[█░]+\] 8\/8 100%/;
        const piped = await run(process.execPath, [bin, 'sync', 'all'], env);
        expect(piped).toMatch(/client\s+8\s+0\s+0\s+0/);
        expect(piped).not.toMatch(/[█░]/);

        const terminal = await run(
          'script',
          ['-qec', `${process.execPath} ${bin} sync all`, '/dev/null'],
          env,
        );
        expect(terminal).toMatch(bar);
        expect(terminal).toMatch(/client\s+0\s+0\s+8\s+0/);

        const json = await run(
          'script',
          ['-qec', `${process.execPath} ${bin} sync all --json`, '/dev/null'],
          env,
        );
        expect(json).not.toMatch(/[█░]/);
        expect(json).toContain('"unchanged": 8');
      } finally {
        await sim.close();
        await double.close();
      }
    },
  );
});
