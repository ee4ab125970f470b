import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Config, loadConfig } from '../../connector/config.ts';
import { ConfigError } from '../../connector/errors.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { asAdmin, realOdooFromEnv, realTitle } from '../support/real-odoo.ts';
import { adminSetup } from '../support/real-stack.ts';

/**
 * What an admin sees on a first try with a wrong setting, through the real CLI against the real
 * Odoo of ODOO_URL…: a wrong password, a wrong database, an address copied from the browser.
 */
const config = realOdooFromEnv().odoo?.config;
const odoo = config?.odoo;
const title = realTitle("an admin's wrong settings");

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-admin-'));

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
        timeout: 90_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!odoo)(title, () => {
  let sim: Simulator;
  let env: Record<string, string>;
  const secretVar = odoo?.secret.kind === 'apiKey' ? 'ODOO_API_KEY' : 'ODOO_PASSWORD';
  const secret = odoo?.secret.value.reveal() ?? '';
  beforeAll(async () => {
    sim = await startSimulator({ today: '2024-06-01', clients: 3, partners: 1 });
    env = {
      RCP_URL: sim.url,
      RCP_TOKEN: sim.token,
      ODOO_URL: odoo?.url ?? '',
      ODOO_DB: odoo?.db ?? '',
      ODOO_USER: odoo?.user ?? '',
      [secretVar]: secret,
    };
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('a wrong secret exits 2 (bad configuration), says which variable to fix and never shows it', async () => {
    const run = await cli(['sync', 'tariffs'], { ...env, [secretVar]: 'wrong-secret-4242' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(secretVar);
    expect(run.stderr).toContain('API Key');
    expect(run.stdout + run.stderr).not.toContain('wrong-secret-4242');
  });

  it('a wrong database exits 2 and names the databases that exist, closest first, not PostgreSQL’s words', async () => {
    // A typo: the last letter missing.
    const typo = (odoo?.db ?? '').slice(0, -1);
    const run = await cli(['sync', 'tariffs'], { ...env, ODOO_DB: typo });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`database "${typo}" does not exist`);
    expect(run.stderr).toContain(`set ODOO_DB to one of: ${odoo?.db}`);
    expect(run.stderr).toContain('set ODOO_DB to one of:');
    expect(run.stderr).toContain(odoo?.db);
    expect(run.stderr).not.toMatch(/port 5432|FATAL|psycopg2/);

    const check = await cli(['check', '--json'], { ...env, ODOO_DB: 'no_such_db_h7' });
    expect(check.code).toBe(2);
    const odooLine = (
      JSON.parse(check.stdout) as { checks: Array<{ what: string; detail: string }> }
    ).checks.find((c) => c.what === 'Odoo');
    expect(odooLine).toMatchObject({ status: 'failure', setting: true });
    expect(odooLine?.detail).toContain('set ODOO_DB to one of:');
  });

  it.each(['/odoo/invoicing', '/web#action=123&model=account.move', '/odoo', '/web/login'])(
    'an ODOO_URL copied from the browser (…%s) works: its origin is used',
    async (path) => {
      const run = await cli(['check', '--json'], { ...env, ODOO_URL: `${odoo?.url}${path}` });
      expect(run.code).not.toBe(2);
      const report = JSON.parse(run.stdout) as {
        checks: Array<{ what: string; status: string; detail: string }>;
      };
      const line = report.checks.find((c) => c.what === 'Odoo');
      expect(line?.status).toBe('ok');
      expect(line?.detail).toContain(`${odoo?.url} database ${odoo?.db}`);
      expect(run.stderr).toContain(`set ODOO_URL=${odoo?.url}`);
    },
  );

  it('an ODOO_URL with another path exits 2 with a hint, not "HTTP 303"', async () => {
    const run = await cli(['sync', 'tariffs'], { ...env, ODOO_URL: `${odoo?.url}/some/page` });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('does not answer as Odoo');
    expect(run.stderr).toContain('without a path');
    expect(run.stderr).not.toMatch(/^rcp-odoo: [^\n]*: HTTP \d+ from/m);
  });

  it('check on a fresh database: ready with warnings; a purchase tax in INVOICE_TAX_IDS is a failure', async () => {
    const client = await OdooClient.connect(odoo as NonNullable<typeof odoo>);
    let sale: number | undefined;
    let purchase: number | undefined;
    try {
      const taxes = await client.searchRead<{ id: number; type_tax_use: string }>(
        'account.tax',
        [['type_tax_use', 'in', ['sale', 'purchase']]],
        ['type_tax_use'],
      );
      sale = taxes.find((t) => t.type_tax_use === 'sale')?.id;
      purchase = taxes.find((t) => t.type_tax_use === 'purchase')?.id;
    } finally {
      await client.close();
    }
    const fresh = await cli(['check', '--json'], env);
    const report = JSON.parse(fresh.stdout) as {
      checks: Array<{ what: string; status: string; detail: string }>;
    };
    const line = (what: string) => report.checks.find((c) => c.what === what);
    expect(line('company currency')).toMatchObject({ status: 'ok', detail: 'RUB' });
    expect(line('RCP_OWN_PARTNER_IDS')?.status).toBe('warning');
    expect(line('INVOICE_TAX_IDS')?.status).toBe('ok');
    expect(report.checks.filter((c) => c.status === 'failure')).toEqual([]);
    expect(fresh.code).toBe(0);

    const taxed = await cli(['check'], { ...env, INVOICE_TAX_IDS: `${sale},${purchase}` });
    expect(taxed.code).toBe(1);
    expect(taxed.stdout).toMatch(
      new RegExp(`FAIL\\s+INVOICE_TAX_IDS\\s+${purchase} \\(.*\\) is a purchase tax, not a sale tax`),
    );
    const taxLine = taxed.stdout.split('\n').find((l) => l.includes('INVOICE_TAX_IDS')) ?? '';
    expect(taxLine).not.toMatch(new RegExp(`\\b${sale} \\(`));
  });

  it("products get a sales price of 0, not Odoo's 1.00; a second sync writes nothing", async () => {
    // A least-privileged connector needs its units of measure made by an admin first.
    await asAdmin(adminSetup);
    const first = await cli(['sync', 'tariffs', '--json'], env);
    expect(first.code).toBe(0);
    // The external IDs are read as the admin: the connector's user may not read ir.model.data.
    const client = await OdooClient.connect(
      realOdooFromEnv().odoo?.admin ?? (odoo as NonNullable<typeof odoo>),
    );
    try {
      const links = await client.searchRead<{ id: number; res_id: number }>(
        'ir.model.data',
        [
          ['module', '=', 'rcp_connector'],
          ['model', '=', 'product.product'],
        ],
        ['res_id'],
      );
      expect(links.length).toBeGreaterThan(0);
      const products = await client.read<{ id: number; list_price: number }>(
        'product.product',
        links.map((l) => l.res_id),
        ['list_price'],
      );
      expect(products.map((p) => p.list_price)).toEqual(products.map(() => 0));
    } finally {
      await client.close();
    }
    const second = await cli(['sync', 'tariffs', '--json'], env);
    expect(JSON.parse(second.stdout).counts.product).toMatchObject({ created: 0, updated: 0 });
  });
});
