/**
 * Odoo's own in-process time for the work of a benchmark phase: the Odoo calls the connector made
 * are recorded (one JSON line each), the database is copied (PostgreSQL `createdb -T`) just before
 * the phase, and afterwards the calls are replayed inside `odoo-bin shell` on that copy by
 * test/bench/replay.py: Odoo's ORM as the external API runs it, without network, JSON or connector.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ObservedCall } from '../../connector/odoo/client.ts';
import { toExecuteKw } from '../../connector/odoo/transport.ts';

const PG_ENV = {
  PGHOST: process.env.PGHOST ?? '127.0.0.1',
  PGUSER: process.env.PGUSER ?? 'odoo',
  PGPASSWORD: process.env.PGPASSWORD ?? 'odoo',
};

/** Writes each observed call as a JSON line, as `execute_kw` would receive it. */
export class CallRecorder {
  #fd: number | undefined;
  calls = 0;
  /** Milliseconds the connector waited for Odoo's answers, summed over calls (in flight together or not). */
  waitedMs = 0;

  start(path: string): void {
    this.stop();
    this.#fd = openSync(path, 'w');
    this.calls = 0;
    this.waitedMs = 0;
  }

  record = (observed: ObservedCall): void => {
    if (this.#fd === undefined) return;
    const { call, ok, result } = observed;
    const created =
      call.method === 'create' && Array.isArray(result)
        ? result
        : call.method === 'load' && result && typeof result === 'object' && 'ids' in result
          ? (result as { ids: unknown }).ids || undefined
          : undefined;
    const line = { model: call.model, method: call.method, ...toExecuteKw(call), ok, ids: created };
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    this.calls++;
    this.waitedMs += observed.ms;
  };

  stop(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {},
) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done, fail) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...PG_ENV, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

async function psql(sql: string): Promise<string> {
  const out = await run('psql', ['-d', 'postgres', '-Atc', sql]);
  if (out.code !== 0) throw new Error(`psql: ${out.stderr.trim()}`);
  return out.stdout.trim();
}

/**
 * A copy of `source` named `copy`. PostgreSQL copies only a database nobody is connected to: the
 * Odoo server's idle connections to this (the benchmark's own) database are closed first; Odoo
 * notices a closed connection when it next borrows it and opens a new one.
 */
export async function copyDatabase(source: string, copy: string): Promise<void> {
  await dropDatabase(copy);
  for (let attempt = 1; ; attempt++) {
    await psql(
      `select pg_terminate_backend(pid) from pg_stat_activity where datname = '${source}' and pid <> pg_backend_pid()`,
    );
    const out = await run('createdb', ['-T', source, copy]);
    if (out.code === 0) return;
    if (attempt >= 5) throw new Error(`createdb -T ${source} ${copy}: ${out.stderr.trim()}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function dropDatabase(name: string): Promise<void> {
  await psql(`select pg_terminate_backend(pid) from pg_stat_activity where datname = '${name}'`);
  await run('dropdb', ['--if-exists', name]);
}

export interface ReplayResult {
  seconds: number;
  calls: number;
  /** Calls that failed in the replay but not for the connector, or the other way round. */
  outcomeDiffers: number;
  idsCompared: number;
  /** Creates whose ids differ from the connector's: the replay did not follow the same path. */
  idsDiffer: number;
  byCall: Record<string, { calls: number; seconds: number }>;
}

/** Replays recorded calls inside `odoo-bin shell` on database `db`, as user `uid`. */
export async function replayCalls(options: {
  odooSource: string;
  db: string;
  uid: number;
  callsPath: string;
  profilePath?: string | undefined;
}): Promise<ReplayResult> {
  const source = resolve(options.odooSource);
  const script = readFileSync(join(import.meta.dirname, 'replay.py'), 'utf8');
  const out = await run(
    '/usr/bin/python3',
    [
      'odoo-bin',
      'shell',
      '-r',
      'odoo',
      '-w',
      'odoo',
      '--db_host',
      PG_ENV.PGHOST,
      `--addons-path=${source}/addons,${source}/odoo/addons`,
      '-d',
      options.db,
      '--no-http',
      '--log-level=warn',
    ],
    {
      cwd: source,
      input: script,
      env: {
        REPLAY_CALLS: resolve(options.callsPath),
        REPLAY_UID: String(options.uid),
        ...(options.profilePath ? { REPLAY_PROFILE: resolve(options.profilePath) } : {}),
      },
    },
  );
  const line = out.stdout.split('\n').find((l) => l.startsWith('REPLAY '));
  if (!line)
    throw new Error(`the replay in odoo-bin shell failed (exit ${out.code}): ${out.stderr.slice(-2000)}`);
  return JSON.parse(line.slice('REPLAY '.length)) as ReplayResult;
}
