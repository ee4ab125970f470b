import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../connector/simulator/server.ts';
import { envOf, startOdooDouble } from '../support/odoo-double/index.ts';

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-cmd-'));

function cli(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('help an admin reads', () => {
  it('payments push --help names PAYMENTS_SINCE and what it is for', async () => {
    const help = await cli(['payments', 'push', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('PAYMENTS_SINCE=YYYY-MM-DD (required)');
    expect(help.stdout).toContain('PAYMENTS_MODE');
  });
});

describe('invoice --corrections', () => {
  it('is its own run beside invoice: refuses the flags only invoicing takes, and runs the corrections of the month (not an invoice run)', async () => {
    const help = await cli(['invoice', '--help'], {});
    expect(help.stdout).toMatch(/--corrections\s+instead: for each posted invoice/);
    const refused = await cli(['invoice', '--period', '2024-05', '--corrections', '--force'], {});
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--force does not go with --corrections');
    const sim = await startSimulator({ today: '2024-06-01', clients: 4, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    try {
      const env = {
        ...envOf(sim, double),
      };
      const run = await cli(['invoice', '--period', '2024-05', '--corrections', '--dry-run', '--json'], env);
      // The corrections run, not an invoice run: without the workspace it has nothing to compare with.
      expect(run.code).toBe(2);
      expect((JSON.parse(run.stdout) as { errors: string[] }).errors[0]).toMatch(
        /^corrections need the RCP workspace/,
      );
    } finally {
      await sim.close();
      await double.close();
    }
  });
});

describe('commands end to end (the simulator and the Odoo 18 double)', () => {
  it('check, then sync all twice: the second run changes nothing; a bad client makes exit code 1 and is named', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 8, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    try {
      const env = {
        ...envOf(sim, double),
      };
      // A fresh Odoo: ready, with warnings (price precision, no own partner, no workspace yet), so exit code 0.
      const check = await cli(['check', '--json'], env);
      const checked = JSON.parse(check.stdout) as {
        ok: boolean;
        warnings: number;
        checks: Array<{ what: string; status: string; detail: string }>;
      };
      const status = (what: string) => checked.checks.find((c) => c.what === what);
      expect(status('Odoo')?.detail).toContain('Odoo 18.0 over json-rpc');
      expect(status('price precision')).toMatchObject({ status: 'warning' });
      expect(status('price precision')?.detail).toContain('rcp-odoo setup');
      expect(status('RCP_OWN_PARTNER_IDS')).toMatchObject({ status: 'warning' });
      expect(status('RCP_OWN_PARTNER_IDS')?.detail).toContain('invoiced as a reseller');
      expect(status('company currency')).toMatchObject({ status: 'ok', detail: 'RUB' });
      expect(status('RCP workspace')).toMatchObject({ status: 'warning' });
      expect(status('RCP workspace')?.detail).toContain('rcp-odoo setup');
      expect(checked).toMatchObject({ ok: true, warnings: 3 });
      expect(check.code).toBe(0);
      expect(check.stdout + check.stderr).not.toContain(double.admin.apiKey);

      // A tax id that does not exist, and a company in another currency than the one configured: failures, exit 1.
      const bad = await cli(['check'], { ...env, INVOICE_TAX_IDS: '1,999', COMPANY_CURRENCY: 'EUR' });
      expect(bad.code).toBe(1);
      expect(bad.stdout).toMatch(/FAIL\s+INVOICE_TAX_IDS\s+999: no such active tax/);
      expect(bad.stdout).toMatch(/FAIL\s+company currency\s+.*RUB, but RCP bills in EUR/);
      expect(bad.stdout).toContain('2 check(s) failed');

      const first = await cli(['sync', 'all', '--json'], env);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).counts.client).toEqual({
        created: 8,
        updated: 0,
        unchanged: 0,
        failed: 0,
      });
      // Products carry no sales price of their own (Odoo's default is 1.00): prices are in the price lists.
      const products = double.records('product.product');
      expect(products.length).toBeGreaterThan(0);
      expect(products.every((p) => p.list_price === 0)).toBe(true);
      const second = await cli(['sync', 'all'], env);
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/client\s+0\s+0\s+8\s+0/);

      await fetch(`${sim.url}/_sim/faults`, {
        method: 'PUT',
        body: JSON.stringify({ script: [{ path: '/client', malformed: 1 }] }),
      });
      const third = await cli(['sync', 'clients'], env);
      expect(third.code).toBe(1);
      expect(third.stdout).toMatch(/1 record\(s\) failed[\s\S]*client [0-9a-f-]{36}.*contract\.billing_plan/);
    } finally {
      await sim.close();
      await double.close();
    }
  });

  it('a wrong API key, a wrong database or an ODOO_URL copied from the browser: exit 2 with what to do, or it works', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 2, partners: 1 });
    const double = await startOdooDouble({ version: '19' });
    try {
      const env = {
        ...envOf(sim, double),
      };
      const key = await cli(['sync', 'tariffs'], { ...env, ODOO_API_KEY: 'not-the-key-77' });
      expect(key.code).toBe(2);
      expect(key.stderr).toContain('check ODOO_API_KEY');
      expect(key.stderr).toContain('New API Key');
      expect(key.stderr).not.toContain('not-the-key-77');

      const db = await cli(['sync', 'tariffs'], { ...env, ODOO_DB: 'no_such_db' });
      expect(db.code).toBe(2);
      // The double, like an Odoo with list_db = False, does not list its databases: say where to look.
      expect(db.stderr).toContain('database "no_such_db" does not exist');
      expect(db.stderr).toContain('/web/login');

      const check = await cli(['check', '--json'], { ...env, ODOO_DB: 'no_such_db' });
      expect(check.code).toBe(2);
      expect(JSON.parse(check.stdout).checks).toContainEqual(
        expect.objectContaining({ what: 'Odoo', status: 'failure', setting: true }),
      );

      const rcpRefused = await cli(['check', '--json'], { ...env, RCP_TOKEN: 'not-the-rcp-token' });
      expect(rcpRefused.code).toBe(2);
      expect(JSON.parse(rcpRefused.stdout).checks[0]).toMatchObject({
        what: 'RCP',
        status: 'failure',
        setting: true,
      });
      expect(rcpRefused.stdout).toContain('check RCP_TOKEN');
      const syncRefused = await cli(['sync', 'tariffs'], { ...env, RCP_TOKEN: 'not-the-rcp-token' });
      expect(syncRefused.code).toBe(2);

      const browser = await cli(['sync', 'tariffs', '--json'], {
        ...env,
        ODOO_URL: `${double.url}/odoo/invoicing`,
      });
      expect(browser.code).toBe(0);
      expect(browser.stderr).toContain(`set ODOO_URL=${double.url}`);
    } finally {
      await sim.close();
      await double.close();
    }
  });

  it('demo --prepare makes the company keep its books in COMPANY_CURRENCY, and says so', async () => {
    const double = await startOdooDouble({ version: '18' });
    try {
      const env = {
        ODOO_URL: double.url,
        ODOO_DB: double.db,
        ODOO_USER: double.admin.login,
        ODOO_PASSWORD: double.admin.password,
      };
      const same = await cli(['demo', '--prepare'], env);
      expect(same.code).toBe(0);
      expect(same.stdout).toContain('already keeps its books in RUB');
      const unknown = await cli(['demo', '--prepare'], { ...env, COMPANY_CURRENCY: 'XAU' });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('Odoo has no currency XAU');
      expect(double.records('account.move')).toHaveLength(0);
    } finally {
      await double.close();
    }
  });

  it('demo runs the simulator in-process and syncs and invoices it into Odoo (19, JSON-2)', async () => {
    const double = await startOdooDouble({ version: '19' });
    try {
      const env = {
        ODOO_URL: double.url,
        ODOO_DB: double.db,
        ODOO_USER: double.admin.login,
        ODOO_API_KEY: double.admin.apiKey,
      };
      // At the default log level, as a person runs it: stderr carries no JSON log line.
      const demo = await cli(['demo', '--json'], { ...env, LOG_LEVEL: 'info' });
      expect(demo.code).toBe(0);
      expect(demo.stderr).not.toContain('{"level"');
      const report = JSON.parse(demo.stdout) as {
        sync: { counts: Record<string, { created: number }> };
        invoices: { invoices: Array<{ outcome: string }> };
      };
      expect(report.sync.counts.client?.created).toBe(40);
      expect(report.invoices.invoices.filter((i) => i.outcome === 'created').length).toBeGreaterThan(5);
      expect(double.records('account.move').every((m) => m.state === 'draft' && m.amount_tax === 0)).toBe(
        true,
      );
    } finally {
      await double.close();
    }
  });
});
