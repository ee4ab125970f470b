import { describe, expect, it } from 'vitest';
import { cliIn } from '../support/cli-sync.ts';

const cli = cliIn('documents');

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
