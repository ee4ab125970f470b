import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, SECRET_VARIABLES, VARIABLES, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';

const odooEnv = {
  ODOO_URL: 'http://localhost:8069',
  ODOO_DB: 'odoo',
  ODOO_USER: 'rcp_integration',
  ODOO_API_KEY: 'k-very-secret-1',
};
const rcpEnv = { RCP_URL: 'https://panel.example.com', RCP_TOKEN: 't-very-secret-2' };

function problemsOf(needs: Parameters<typeof loadConfig>[0], env: Record<string, string>): string[] {
  try {
    loadConfig(needs, env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}

describe('configuration', () => {
  it('reads a complete environment into typed values with defaults', () => {
    const config = loadConfig(['rcp', 'odoo'], { ...odooEnv, ...rcpEnv, RCP_OWN_PARTNER_IDS: '' });
    expect(config.rcp?.baseUrl).toBe('https://panel.example.com/v1');
    expect(config.rcp?.auth.kind).toBe('token');
    expect(config.odoo?.secret.kind).toBe('apiKey');
    expect(config.odoo?.batchSize).toBe(500);
    expect(config.payments.mode).toBe('posted');
    expect(config.invoicing).toMatchObject({ taxIds: [], invoiceDate: 'period-end', postpayTermDays: 30 });
    expect(config.schedules).toMatchObject({ timezone: 'UTC', sync: '0 2 * * *', invoices: '0 6 1 * *' });
  });

  it('does not add /v1 twice when the address already ends with it', () => {
    const config = loadConfig(['rcp'], { RCP_URL: 'https://panel.example.com/v1/', RCP_TOKEN: 'x' });
    expect(config.rcp?.baseUrl).toBe('https://panel.example.com/v1');
  });

  it('names every missing Odoo variable with an example value', () => {
    const problems = problemsOf(['odoo'], {});
    expect(problems).toEqual([
      'ODOO_URL is missing: set it, e.g. ODOO_URL=http://localhost:8069',
      'ODOO_DB is missing: set it, e.g. ODOO_DB=odoo',
      'ODOO_USER is missing: set it, e.g. ODOO_USER=rcp_integration',
      expect.stringMatching(
        /^ODOO_API_KEY is missing \(or set ODOO_PASSWORD\): set it, e\.g\. ODOO_API_KEY=/,
      ),
    ]);
  });

  it('accepts RCP login and password instead of a token, with the default domain', () => {
    const config = loadConfig(['rcp'], {
      RCP_URL: 'https://p.example.com',
      RCP_LOGIN: 'acc',
      RCP_PASSWORD: 'pw',
    });
    expect(config.rcp?.auth).toMatchObject({ kind: 'login', login: 'acc', domain: 'default' });
  });

  it('asks for the password when only the RCP login is given', () => {
    expect(problemsOf(['rcp'], { RCP_URL: 'https://p.example.com', RCP_LOGIN: 'acc' })).toEqual([
      expect.stringMatching(/^RCP_PASSWORD is missing \(RCP_LOGIN is set\)/),
    ]);
  });

  it('reports bad values with the value shown, except for secrets', () => {
    const problems = problemsOf(['rcp', 'odoo'], {
      ...odooEnv,
      ...rcpEnv,
      ODOO_URL: 'localhost:8069',
      ODOO_BATCH_SIZE: 'lots',
      RCP_OWN_PARTNER_IDS: 'not-a-uuid',
      PAYMENTS_SINCE: '2026-02-30',
      PAYMENTS_MODE: 'sometimes',
      SCHEDULE_TIMEZONE: 'Mars/Olympus',
      SCHEDULE_SYNC: 'nightly',
    });
    expect(problems).toHaveLength(7);
    expect(problems[0]).toMatch(/^ODOO_URL is not valid \(got "localhost:8069"\)/);
    expect(problems.join('\n')).toContain('ODOO_BATCH_SIZE is not valid (got "lots")');
    expect(problems.join('\n')).toContain('"not-a-uuid" is not a uuid');
    expect(problems.join('\n')).toContain('PAYMENTS_SINCE is not valid (got "2026-02-30")');
    expect(problems.join('\n')).toContain('PAYMENTS_MODE is not valid (got "sometimes")');
    expect(problems.join('\n')).toContain('SCHEDULE_TIMEZONE is not valid (got "Mars/Olympus")');
    expect(problems.join('\n')).toContain('SCHEDULE_SYNC is not valid (got "nightly")');
  });

  it('never echoes a secret, in problems or in the loaded config', () => {
    const problems = problemsOf(['rcp', 'odoo', 'redis'], { ...odooEnv, ...rcpEnv, RCP_URL: 'nope' });
    expect(problems.join('\n')).not.toContain('very-secret');
    const config = loadConfig(['rcp', 'odoo'], { ...odooEnv, ...rcpEnv });
    const shown = `${JSON.stringify(config)} ${String(config.odoo?.secret.value)}`;
    expect(shown).not.toContain('very-secret');
    expect(config.odoo?.secret.value.reveal()).toBe('k-very-secret-1');
  });

  it('requires PAYMENTS_SINCE for payments and REDIS_URL for the worker', () => {
    expect(problemsOf(['payments', 'redis'], {})).toEqual([
      'REDIS_URL is missing: set it, e.g. REDIS_URL=redis://localhost:6379',
      expect.stringMatching(/^PAYMENTS_SINCE is missing: payments are never pushed without a start date/),
    ]);
  });

  it('refuses at load a cron expression the scheduler would refuse, saying why', () => {
    const problems = problemsOf([], { SCHEDULE_SYNC: '0 25 * * *', SCHEDULE_PAYMENTS: '0 7 * * *' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SCHEDULE_SYNC is not valid \(got "0 25 \* \* \*"\): .*25.*0-23/);
  });

  it('switches a schedule off with "off"', () => {
    const config = loadConfig([], { SCHEDULE_INVOICES: 'off', SCHEDULE_PAYMENTS: '*/15 * * * *' });
    expect(config.schedules.invoices).toBeUndefined();
    expect(config.schedules.payments).toBe('*/15 * * * *');
  });

  it('every variable of the table is in the README table and in .env.example, each with an example', () => {
    const readme = readFileSync('README.md', 'utf8');
    const start = readme.indexOf('| variable | meaning | default |');
    const table = readme.slice(start, readme.indexOf('\n\n', start));
    const example = readFileSync('.env.example', 'utf8');
    for (const name of CONFIG_VARIABLES) {
      expect(table, name).toContain(`\`${name}\``);
      expect(example, name).toMatch(new RegExp(`^(# )?${name}=`, 'm'));
      expect(VARIABLES[name].example, name).not.toBe('');
    }
  });

  it('the secrets are the variables marked secret in the table, and none is shown when bad', () => {
    expect([...SECRET_VARIABLES].sort()).toEqual(
      ['DASHBOARD_TOKEN', 'ODOO_API_KEY', 'ODOO_PASSWORD', 'RCP_PASSWORD', 'RCP_TOKEN'].sort(),
    );
    const config = loadConfig(['rcp', 'odoo'], { ...odooEnv, ...rcpEnv, DASHBOARD_TOKEN: 'd-very-secret-3' });
    expect(JSON.stringify(config)).not.toContain('very-secret');
    expect(config.worker.dashboardToken?.reveal()).toBe('d-very-secret-3');
  });

  it('what a command needs is present in its type: no cast, no question mark', () => {
    const config = loadConfig(['rcp', 'odoo', 'redis', 'payments'], {
      ...odooEnv,
      ...rcpEnv,
      REDIS_URL: 'redis://localhost:6379',
      PAYMENTS_SINCE: '2026-01-01',
    });
    // Compiles only while the loader's type says these are there.
    const seen: [string, string, string, string] = [
      config.rcp.baseUrl,
      config.odoo.url,
      config.redisUrl,
      config.payments.since,
    ];
    expect(seen).toEqual([
      'https://panel.example.com/v1',
      'http://localhost:8069',
      'redis://localhost:6379',
      '2026-01-01',
    ]);
  });
});
