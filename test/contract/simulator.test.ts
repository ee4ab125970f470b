import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { World } from '../../connector/simulator/data.ts';
import { startRcp } from '../support/rcp.ts';

describe('the RCP simulator', () => {
  it('`rcp-odoo simulator --port` serves pages that plain HTTP can read, with the token it prints', async () => {
    const child = spawn(
      process.execPath,
      [resolve('bin/rcp-odoo.mjs'), 'simulator', '--port', '0', '--clients', '25', '--json'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
      const started = JSON.parse(chunk.toString()) as { url: string; token: string };
      const auth = { authorization: `Bearer ${started.token}` };
      const page3 = (await (await fetch(`${started.url}/client?page=3`, { headers: auth })).json()) as {
        items: unknown[];
        total: number;
        limit: number;
      };
      expect(page3.total).toBe(25);
      expect(page3.limit).toBe(10);
      expect(page3.items).toHaveLength(5);
      expect((await fetch(`${started.url}/client`)).status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).toBe(0);
  });

  it('switches faults over HTTP: with every read failing, the client gives up', async () => {
    const { sim, client } = await startRcp();
    const put = await fetch(`${sim.url}/_sim/faults`, {
      method: 'PUT',
      body: JSON.stringify({ errorRate: 1 }),
    });
    expect(put.status).toBe(200);
    await expect(client.partners().all()).rejects.toThrow(/HTTP 503.*gave up after 4 tries/);
    await fetch(`${sim.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: 0 }) });
    expect(await client.partners().all()).toHaveLength(sim.world.partners.length);
  });

  it('lists the payments it received over HTTP', async () => {
    const { sim, client } = await startRcp();
    await client.bankPayment({ client: sim.world.client(3).id, amountKopecks: 1_000, details: 'P-1' });
    const listed = (await (await fetch(`${sim.url}/_sim/payments`)).json()) as {
      payments: Array<{ details: string }>;
    };
    expect(listed.payments.map((p) => p.details)).toEqual(['P-1']);
  });

  it('is the same world for the same seed, and cost is quantity × price for every usage row', () => {
    const a = new World({ seed: 7, clients: 50, today: '2024-06-01' });
    const b = new World({ seed: 7, clients: 50, today: '2024-06-01' });
    expect(a.client(17)).toEqual(b.client(17));
    for (let index = 0; index < 50; index++) {
      const client = a.client(index);
      for (const row of a.dailyUsage(client, { start: '2024-05-01', end: '2024-05-31' })) {
        const price = Number(client.plan.prices.get(row.billing_class.id)?.cost);
        expect(Math.abs(row.cost - row.quantity * price)).toBeLessThan(1e-9);
      }
    }
  });

  it('holds 100,000 clients and finds any of them by id', () => {
    const world = new World({ seed: 1, clients: 100_000, today: '2024-06-01' });
    const last = world.client(99_999);
    expect(world.clientById(last.id)?.name).toBe(last.name);
    expect(world.client(0).name).toMatch(/["№]/);
  });
});
