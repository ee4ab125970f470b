import { describe, expect, it } from 'vitest';
import { cliIn } from '../support/cli-sync.ts';

const cli = cliIn('cli');

describe('the rcp-odoo command line', () => {
  it('lists every command of the product contract in --help', () => {
    const r = cli(['--help']);
    expect(r.code).toBe(0);
    for (const command of [
      'check',
      'sync',
      'match',
      'invoice',
      'payments',
      'reconcile',
      'worker',
      'enqueue',
      'simulator',
      'demo',
    ]) {
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });

  it('exits 2 with a message naming ODOO_URL when it is missing', () => {
    const r = cli(['check'], { RCP_URL: 'https://p.example.com', RCP_TOKEN: 'x' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ODOO_URL is missing: set it, e.g. ODOO_URL=http://localhost:8069');
  });

  it('gives configuration problems as JSON with --json', () => {
    const r = cli(['check', '--json']);
    expect(r.code).toBe(2);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: string[] };
    expect(out.ok).toBe(false);
    expect(out.errors.some((e) => e.startsWith('ODOO_URL is missing'))).toBe(true);
  });

  it('exits 2 on an unknown command or a bad period', () => {
    expect(cli(['bogus']).code).toBe(2);
    const bad = cli(['invoice', '--period', '2026-13']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('a month YYYY-MM is expected');
    expect(cli(['sync', 'everything']).code).toBe(2);
    expect(cli(['payments', 'resolve', '12']).code).toBe(2);
  });
});
