import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const bin = resolve('bin/rcp-odoo.mjs');
// An empty working directory, so that a developer's own .env cannot leak into these runs.
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-documents-'));

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rcp-odoo documents', () => {
  it('is listed, and its help names the format, the folder and the ЭДО settings', () => {
    expect(cli(['--help']).stdout).toMatch(/^ {2}documents\b/m);
    const help = cli(['documents', '--help']);
    expect(help.code).toBe(0);
    for (const text of ['--period', '--format', 'upd-xml', '--out', '--attach', '--zip', 'EDO_SELLER_ID'])
      expect(help.stdout).toContain(text);
  });

  it('exits 2 on a bad period, an unknown format or a missing folder', () => {
    const bad = cli(['documents', '--period', '2026-13', '--format', 'upd-xml', '--out', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a month YYYY-MM is expected');
    const format = cli(['documents', '--period', '2026-05', '--format', 'pdf', '--out', 'x']);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain('upd-xml');
    expect(cli(['documents', '--period', '2026-05', '--format', 'upd-xml']).code).toBe(2);
  });

  it('exits 2 naming a malformed EDO_SELLER_ID before it touches Odoo', () => {
    const r = cli(['documents', '--period', '2026-05', '--format', 'upd-xml', '--out', 'x'], {
      ODOO_URL: 'http://127.0.0.1:9',
      ODOO_DB: 'x',
      ODOO_USER: 'x',
      ODOO_PASSWORD: 'x',
      EDO_SELLER_ID: 'not an id!',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('EDO_SELLER_ID');
  });
});
