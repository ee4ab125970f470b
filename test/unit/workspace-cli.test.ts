import { describe, expect, it } from 'vitest';
import { cliIn } from '../support/cli-sync.ts';

const cli = cliIn('setup-cli');

describe('rcp-odoo setup on the command line', () => {
  it('is listed with its options', () => {
    expect(cli(['--help']).stdout).toMatch(/^ {2}setup\b/m);
    const help = cli(['setup', '--help']).stdout;
    for (const option of ['--dry-run', '--remove', '--confirm', '--connector-user <login>']) {
      expect(help).toContain(option);
    }
  });

  it('needs only Odoo access, and refuses --confirm without --remove', () => {
    const missing = cli(['setup']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('ODOO_URL is missing');
    expect(missing.stderr).not.toContain('RCP_URL');
    const confirm = cli(['setup', '--confirm']);
    expect(confirm.code).toBe(2);
    expect(confirm.stderr).toContain('--confirm goes with --remove');
  });

  it('refuses a COMPANY_CURRENCY that is not an ISO code', () => {
    const r = cli(['setup'], {
      ODOO_URL: 'http://127.0.0.1:9',
      ODOO_DB: 'x',
      ODOO_USER: 'admin',
      ODOO_PASSWORD: 'x',
      COMPANY_CURRENCY: 'rubles',
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('COMPANY_CURRENCY is not valid');
  });
});
