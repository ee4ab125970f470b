import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../connector/simulator/server.ts';
import { jobOfWords } from '../../jobs/enqueue-words.ts';
import { type OdooDouble, envOf, startOdooDouble } from '../support/odoo-double/index.ts';

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-money-'));

function cli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      {
        cwd,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'debug', ...env },
        timeout: 60_000,
      },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, out: stdout + stderr }),
    );
  });
}

describe('the invoice command’s safe defaults and secrets, end to end', () => {
  let sim: Simulator;
  let double: OdooDouble;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator({ today: '2024-06-01', clients: 6, partners: 2 });
    double = await startOdooDouble({ version: '18' });
    env = {
      ...envOf(sim, double),
      RCP_OWN_PARTNER_IDS: sim.world.partners[0]?.id ?? '',
    };
  });
  afterAll(async () => {
    await sim.close();
    await double.close();
  });

  it('an open month is refused with exit code 2 and a way out; the job words carry --allow-open-period', async () => {
    const month = new Date().toISOString().slice(0, 7);
    const refused = await cli(['invoice', '--period', month], env);
    expect(refused.code).toBe(2);
    expect(refused.out).toContain(`${month} is not over yet`);
    expect(refused.out).toContain('--allow-open-period');
    expect(jobOfWords(['invoice', '--period', month, '--allow-open-period'])).toMatchObject({
      kind: 'invoice',
      allowOpenPeriod: true,
    });
    expect(jobOfWords(['invoice', '--period', month])).not.toHaveProperty('allowOpenPeriod');
  });

  it('an empty RCP_OWN_PARTNER_IDS is refused by invoice with exit code 2', async () => {
    const refused = await cli(['invoice', '--period', '2024-05', '--json'], {
      ...env,
      RCP_OWN_PARTNER_IDS: '',
    });
    expect(refused.code).toBe(2);
    expect(refused.out).toContain('RCP_OWN_PARTNER_IDS is empty');
  });

  it('a malformed price makes `sync tariffs` exit 1 and names it', async () => {
    const plan = sim.world.partners[1]?.plan;
    sim.faults.update({ records: [{ id: plan?.id ?? '', fault: 'price-malformed' }] });
    try {
      const sync = await cli(['sync', 'tariffs'], env);
      expect(sync.code).toBe(1);
      expect(sync.out).toContain(`of plan ${plan?.name}`);
      expect(sync.out).toContain('cost: Expected number, received string');
    } finally {
      sim.faults.update({ records: [] });
    }
  });

  it.each([
    ['RCP_URL', (url: string) => url.replace('http://', 'http://rcp-admin:Pa55-in-url@')],
    ['ODOO_URL', (url: string) => url.replace('http://', 'http://admin:Pa55-in-url@')],
  ])('a password inside %s never appears in a message or a log line', async (name, withPassword) => {
    for (const args of [['sync', 'all'], ['invoice', '--period', '2024-05', '--json'], ['check']]) {
      const run = await cli(args, { ...env, [name]: withPassword(env[name] ?? '') });
      expect(run.code).toBe(2);
      expect(run.out).toContain(`${name} carries a user name or password (not shown)`);
      expect(run.out).not.toContain('Pa55-in-url');
    }
  });
});
