/**
 * A real Redis for the tests: a testcontainers container when a Docker engine answers, else a
 * `redis-server` from PATH on a free port. Either way it is torn down by the returned stop().
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aptInstall, runs } from './debian.ts';

export interface RunningRedis {
  url: string;
  how: 'testcontainers' | 'redis-server';
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function dockerAnswers(): boolean {
  const r = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], {
    timeout: 5000,
    stdio: 'ignore',
  });
  return r.status === 0;
}

async function viaTestcontainers(): Promise<RunningRedis> {
  const { GenericContainer } = await import('testcontainers');
  const container = await new GenericContainer('redis:7-alpine').withExposedPorts(6379).start();
  return {
    url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
    how: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const { Redis } = await import('ioredis');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new Redis({
      port,
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    try {
      await client.connect();
      await client.ping();
      client.disconnect();
      return;
    } catch (error) {
      client.disconnect();
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function viaRedisServer(): Promise<RunningRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rcp-odoo-redis-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new Error(`redis-server could not start: ${e.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  await Promise.race([waitForPing(port, 10_000), failed]);
  return {
    url: `redis://127.0.0.1:${port}`,
    how: 'redis-server',
    stop: async () => {
      child.removeAllListeners('exit');
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const hasRedisServer = () => runs('redis-server', ['--version']);

export async function startRedis(): Promise<RunningRedis> {
  if (dockerAnswers()) return viaTestcontainers();
  if (!hasRedisServer()) {
    // A fresh Debian machine has neither Docker nor redis-server.
    aptInstall(
      'redis-server',
      'tests need Redis: no Docker engine answers and no redis-server on PATH',
      hasRedisServer,
    );
  }
  return viaRedisServer();
}
