import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeRedis } from '../../connector/redis.ts';
import { freePort } from '../support/redis.ts';

const bin = resolve('bin/rcp-odoo.mjs');
const cwd = mkdtempSync(join(tmpdir(), 'rcp-odoo-redis-away-'));
const baseEnv = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'info' };

function cli(args: string[], env: Record<string, string>) {
  const started = Date.now();
  return new Promise<{ code: number; stdout: string; stderr: string; ms: number }>((done) => {
    execFile(
      process.execPath,
      [bin, ...args],
      { cwd, env: { ...baseEnv, ...env }, timeout: 30_000 },
      (error, stdout, stderr) =>
        done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr, ms: Date.now() - started }),
    );
  });
}

const workerEnv = (redisUrl: string, port: number) => ({
  REDIS_URL: redisUrl,
  // Never reached in these tests: the worker only needs them configured.
  RCP_URL: 'http://127.0.0.1:9',
  RCP_TOKEN: 'unused',
  ODOO_URL: 'http://127.0.0.1:9',
  ODOO_DB: 'unused',
  ODOO_USER: 'unused',
  ODOO_PASSWORD: 'unused',
  WORKER_PORT: String(port),
  SCHEDULE_SYNC: 'off',
  SCHEDULE_PAYMENTS: 'off',
  SCHEDULE_INVOICES: 'off',
});

async function until(what: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!what() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

describe('Redis away: enqueue and the worker say so', () => {
  it('enqueue --help prints the commands that run as jobs', async () => {
    const help = await cli(['enqueue', '--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('invoice --period YYYY-MM');
    expect(help.stdout).toContain('REDIS_URL');
  }, 120_000);

  it('enqueue with Redis down exits 2 within seconds, naming the address without its password', async () => {
    const port = await freePort();
    const result = await cli(['enqueue', 'sync', 'all'], {
      REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}`,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `cannot reach Redis at redis://127.0.0.1:${port} (REDIS_URL): ECONNREFUSED`,
    );
    expect(result.stderr + result.stdout).not.toContain('s3cret-pw');
    expect(result.ms).toBeLessThan(15_000);
  }, 120_000);

  it('a Redis that refuses the password of REDIS_URL: enqueue and the worker exit 2 and say so', async () => {
    const port = await freePort();
    const redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--requirepass', 'the-right-one'],
      { stdio: 'ignore' },
    );
    try {
      const url = `redis://:not-the-right-one@127.0.0.1:${port}`;
      const deadline = Date.now() + 10_000;
      while ((await probeRedis(url, 500)).state === 'away' && Date.now() < deadline)
        await until(() => false, 100);
      for (const args of [['enqueue', 'sync', 'all'], ['worker']]) {
        const run = await cli(args, workerEnv(url, 0));
        expect(run.code).toBe(2);
        expect(run.stderr).toContain(`Redis at redis://127.0.0.1:${port} refused the password of REDIS_URL`);
        expect(run.stderr).not.toContain('not-the-right-one');
      }
    } finally {
      redis.kill('SIGTERM');
      await once(redis, 'exit');
    }
  }, 120_000);

  it('the worker says once per retry that Redis is away, starts when it comes, and stops on SIGTERM while it is away again', async () => {
    const port = await freePort();
    const httpPort = await freePort();
    const worker = spawn(process.execPath, [bin, 'worker'], {
      cwd,
      env: { ...baseEnv, ...workerEnv(`redis://:s3cret-pw@127.0.0.1:${port}`, httpPort) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    worker.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    worker.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    let redis: ChildProcess | undefined;
    try {
      // Retries at 1, 2, 4 s: within 4.5 s, at most three lines, however many connections the worker has.
      await until(() => stderr.includes('trying again in 2 s'), 15_000);
      await new Promise((r) => setTimeout(r, 1_500));
      const lines = stderr.split('\n').filter(Boolean);
      expect(lines.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeLessThanOrEqual(4);
      for (const line of lines) {
        expect(line).toContain(`cannot reach Redis at redis://127.0.0.1:${port} (REDIS_URL): ECONNREFUSED`);
      }
      expect(stderr).not.toContain('Unhandled error event');
      expect(stderr).not.toContain('s3cret-pw');
      expect(stdout).toBe('');

      redis = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--requirepass', 's3cret-pw'],
        { stdio: 'ignore' },
      );
      await until(() => stdout.includes('Worker started'), 20_000);
      expect(stdout).toContain('Worker started');
      expect(stderr).toContain('answers again');

      // Redis goes away while the worker runs: said once per retry, and SIGTERM still stops it.
      redis.kill('SIGTERM');
      await once(redis, 'exit');
      await until(() => stderr.includes('connection lost; trying again in 1 s'), 10_000);
      expect(stderr).toContain('connection lost; trying again in 1 s');
      const stopping = Date.now();
      worker.kill('SIGTERM');
      const [code] = (await once(worker, 'exit')) as [number];
      expect(code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(stderr).not.toContain('Unhandled error event');
    } finally {
      if (worker.exitCode === null) {
        worker.kill('SIGKILL');
        await once(worker, 'exit');
      }
      if (redis && redis.exitCode === null) {
        redis.kill('SIGTERM');
        await once(redis, 'exit');
      }
    }
  }, 60_000);
});
