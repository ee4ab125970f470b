import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../../connector/config.ts';
import { silentLogger } from '../../connector/log.ts';
import { Secret } from '../../connector/secret.ts';
import { sameSecret, startWorkerHttp } from '../../jobs/http.ts';
import type { Processes } from '../../jobs/processes.ts';
import { type Runner, createRunner } from '../../jobs/worker.ts';

const redisUrl = inject('redisUrl');
const TOKEN = 'dashboard-token-0123456789';

/** Only what the HTTP side asks of the processes. */
const processes = {
  health: async () => ({ rcp: true, odoo: true }),
  close: async () => {},
} as unknown as Processes;

const opened: Array<{ server: Server; runner: Runner; redis: Redis }> = [];
afterEach(async () => {
  for (const { server, runner, redis } of opened.splice(0)) {
    server.close();
    await runner.queue.obliterate({ force: true }).catch(() => undefined);
    await runner.close();
    redis.disconnect();
  }
});

async function start(host?: string): Promise<{ base: string; server: Server }> {
  const runner = createRunner({ redisUrl, processes, log: silentLogger, queueName: `http-${randomUUID()}` });
  const redis = new Redis(redisUrl);
  const server = await startWorkerHttp({
    port: 0,
    ...(host ? { host } : {}),
    runner,
    redis,
    processes,
    dashboardToken: new Secret(TOKEN),
  });
  opened.push({ server, runner, redis });
  const { port } = server.address() as { port: number };
  return { base: `http://127.0.0.1:${port}`, server };
}

describe('the worker’s HTTP side, guarded', () => {
  it('listens on loopback unless WORKER_HOST says otherwise', async () => {
    const { server } = await start();
    expect((server.address() as { address: string }).address).toBe('127.0.0.1');
    expect(loadConfig([], {}).worker.host).toBe('127.0.0.1');
    expect(loadConfig([], { WORKER_HOST: '0.0.0.0' }).worker.host).toBe('0.0.0.0');
    expect(() => loadConfig([], { WORKER_HOST: 'http://x' })).toThrow(/WORKER_HOST is not valid/);
  });

  it('compares the token whatever its length, and a near miss is refused', () => {
    expect(sameSecret(TOKEN, TOKEN)).toBe(true);
    expect(sameSecret(`${TOKEN.slice(0, -1)}X`, TOKEN)).toBe(false);
    expect(sameSecret('short', TOKEN)).toBe(false);
    expect(sameSecret('', TOKEN)).toBe(false);
  });

  it('the dashboard: refused without the token; the cookie it sets is a session value, not the token', async () => {
    const { base } = await start();
    expect((await fetch(`${base}/dashboard`)).status).toBe(401);
    expect((await fetch(`${base}/dashboard?token=${TOKEN.slice(0, -1)}X`)).status).toBe(401);
    expect((await fetch(`${base}/dashboard`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(
      200,
    );

    const opening = await fetch(`${base}/dashboard?token=${TOKEN}`);
    expect(opening.status).toBe(200);
    const setCookie = opening.headers.get('set-cookie') ?? '';
    const session = /rcp_dashboard=([^;]+)/.exec(setCookie)?.[1] ?? '';
    expect(session.length).toBeGreaterThanOrEqual(40);
    expect(setCookie).not.toContain(TOKEN);
    expect(setCookie).toMatch(/HttpOnly/i);

    const withSession = await fetch(`${base}/dashboard`, { headers: { cookie: `rcp_dashboard=${session}` } });
    expect(withSession.status).toBe(200);
    // The token itself in the cookie (what the old cookie held), or a made-up session, opens nothing.
    expect((await fetch(`${base}/dashboard`, { headers: { cookie: `rcp_dashboard=${TOKEN}` } })).status).toBe(
      401,
    );
    expect(
      (await fetch(`${base}/dashboard`, { headers: { cookie: `rcp_dashboard=${session.slice(0, -2)}xx` } }))
        .status,
    ).toBe(401);
  });

  it('a session of one worker opens nothing on another (sessions are not derived from the token)', async () => {
    const one = await start();
    const two = await start();
    const opening = await fetch(`${one.base}/dashboard?token=${TOKEN}`);
    const session = /rcp_dashboard=([^;]+)/.exec(opening.headers.get('set-cookie') ?? '')?.[1] ?? '';
    expect(
      (await fetch(`${two.base}/dashboard`, { headers: { cookie: `rcp_dashboard=${session}` } })).status,
    ).toBe(401);
  });
});
