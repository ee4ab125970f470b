import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildProgram } from '../../connector/cli/program.ts';
import { CONFIG_VARIABLES, loadConfig } from '../../connector/config.ts';

interface Service {
  image?: string;
  build?: unknown;
  profiles?: string[];
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
};
const services = compose.services;

function service(name: string): Service {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
}

/** Parses a container's command with the real CLI definition, without running it. */
async function parsesAsCommand(words: string[]): Promise<string> {
  let ran = '';
  const program = buildProgram(async () => {
    ran = words[0] ?? '';
  });
  await program.parseAsync(words, { from: 'user' });
  return ran;
}

describe('docker-compose.yml', () => {
  it('has Odoo 17 or 18, PostgreSQL and Redis, and the demo profile with simulator, worker and demo run', () => {
    expect(service('odoo').image).toMatch(/^odoo:1[78](\.0)?$/);
    expect(service('db').image).toMatch(/^postgres:/);
    expect(service('redis').image).toMatch(/^redis:/);
    for (const name of ['simulator', 'prepare', 'setup', 'worker', 'demo']) {
      expect(service(name).profiles).toEqual(['demo']);
      expect(service(name).build).toBe('.');
    }
    expect(service('odoo').ports).toContain('8069:8069');
  });

  it('wires the worker to the simulator, Odoo and Redis by service name', () => {
    const env = service('worker').environment ?? {};
    expect(env.RCP_URL).toContain('http://simulator:8090');
    expect(env.ODOO_URL).toBe('http://odoo:8069');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    expect(service('simulator').command).toEqual(
      expect.arrayContaining(['--port', '8090', '--token', 'demo-token']),
    );
    expect(env.RCP_TOKEN).toContain('demo-token');
    expect(Object.keys(service('worker').depends_on ?? {})).toEqual(
      expect.arrayContaining(['redis', 'odoo', 'simulator']),
    );
    expect(service('worker').depends_on?.odoo?.condition).toBe('service_healthy');
  });

  it('passes only variables the connector knows', () => {
    for (const name of ['prepare', 'setup', 'worker', 'demo', 'connector']) {
      for (const key of Object.keys(service(name).environment ?? {})) expect(CONFIG_VARIABLES).toContain(key);
    }
  });

  it('runs real CLI commands in its containers', async () => {
    expect(await parsesAsCommand(service('worker').command ?? [])).toBe('worker');
    expect(await parsesAsCommand(service('simulator').command ?? [])).toBe('simulator');
    expect(await parsesAsCommand(service('demo').command ?? [])).toBe('demo');
    expect(await parsesAsCommand(service('prepare').command ?? [])).toBe('demo');
    expect(service('prepare').command).toEqual(['demo', '--prepare']);
    // `setup` is registered by the setup command's own change; here: the step runs it.
    expect(service('setup').command).toEqual(['setup']);
  });

  it('runs, in order: Odoo healthy, the company in roubles, setup, then the worker and the demo', () => {
    expect(service('prepare').depends_on?.odoo?.condition).toBe('service_healthy');
    expect(service('setup').depends_on?.prepare?.condition).toBe('service_completed_successfully');
    for (const name of ['worker', 'demo']) {
      expect(service(name).depends_on?.setup?.condition).toBe('service_completed_successfully');
    }
    const env = service('prepare').environment ?? {};
    expect(String(env.COMPANY_CURRENCY).replace(/\$\{[A-Z_]+:-([^}]*)\}/, '$1')).toBe('RUB');
  });

  it('publishes Odoo and the worker, never Redis; the worker listens beyond loopback only inside its container', () => {
    expect(service('redis').ports ?? []).toEqual([]);
    expect(service('worker').ports).toEqual(['127.0.0.1:9464:9464']);
    expect(service('worker').environment?.WORKER_HOST).toBe('0.0.0.0');
  });

  it('has a `connector` service for commands by hand, and the README says how to use it', async () => {
    expect(await parsesAsCommand(service('connector').command ?? [])).toBe('check');
    const env = service('connector').environment ?? {};
    expect(env.ODOO_URL).toBe('http://odoo:8069');
    expect(env.REDIS_URL).toBe('redis://redis:6379');
    const readme = readFileSync('README.md', 'utf8');
    expect(readme).toContain('docker compose run --rm connector check');
    expect(readme).toMatch(/http:\/\/localhost:8069/);
    expect(readme).toMatch(/admin \/ admin/);
  });

  it('has a .env.example with only known variables', () => {
    const keys = readFileSync('.env.example', 'utf8')
      .split('\n')
      .map((l) => l.replace(/^#\s*/, ''))
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect(keys.length).toBeGreaterThan(10);
    for (const key of keys) expect(CONFIG_VARIABLES).toContain(key);
  });

  it('gives the worker a configuration it starts with: RCP, Odoo, Redis, payments, and its schedules on', () => {
    // `${VAR:-default}` as Compose resolves it when VAR is unset.
    const env = Object.fromEntries(
      Object.entries(service('worker').environment ?? {}).map(([k, v]) => [
        k,
        String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1'),
      ]),
    );
    const config = loadConfig(['rcp', 'odoo', 'redis', 'payments'], env);
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.ownPartnerIds).toHaveLength(1);
    expect([config.schedules.sync, config.schedules.payments, config.schedules.invoices].every(Boolean)).toBe(
      true,
    );
  });
});
