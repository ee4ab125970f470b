import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimulator } from '../../connector/simulator/server.ts';
import { startOdooDouble } from '../support/odoo-double/index.ts';

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

describe('commands end to end (the simulator and the Odoo 18 double)', () => {
  it('check, then sync all twice: the second run changes nothing; a bad client makes exit code 1 and is named', async () => {
    const sim = await startSimulator({ today: '2024-06-01', clients: 8, partners: 2 });
    const double = await startOdooDouble({ version: '18' });
    try {
      const env = {
        RCP_URL: sim.url,
        RCP_TOKEN: sim.token,
        ODOO_URL: double.url,
        ODOO_DB: double.db,
        ODOO_USER: double.admin.login,
        ODOO_API_KEY: double.admin.apiKey,
      };
      const check = await cli(['check', '--json'], env);
      const checked = JSON.parse(check.stdout) as {
        ok: boolean;
        checks: Array<{ what: string; ok: boolean; detail: string }>;
      };
      expect(checked.checks.find((c) => c.what === 'Odoo')?.detail).toContain('Odoo 18.0 over json-rpc');
      expect(checked.checks.find((c) => c.what === 'price precision')).toMatchObject({ ok: false });
      expect(check.code).toBe(1);
      expect(check.stdout + check.stderr).not.toContain(double.admin.apiKey);

      const first = await cli(['sync', 'all', '--json'], env);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout).counts.client).toEqual({
        created: 8,
        updated: 0,
        unchanged: 0,
        failed: 0,
      });
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

  it('demo runs the simulator in-process and syncs and invoices it into Odoo (19, JSON-2)', async () => {
    const double = await startOdooDouble({ version: '19' });
    try {
      const env = {
        ODOO_URL: double.url,
        ODOO_DB: double.db,
        ODOO_USER: double.admin.login,
        ODOO_API_KEY: double.admin.apiKey,
      };
      const demo = await cli(['demo', '--json'], env);
      expect(demo.code).toBe(0);
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
