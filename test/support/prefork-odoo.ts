/**
 * A real Odoo in production mode: prefork (`--workers 2`, a gevent port of its own) with Odoo's own
 * per-request limits (`limit_time_cpu` 60 s, `limit_time_real` 120 s), where `odoo.sh` serves the
 * threaded server (`--workers 0`). Same sources, same PostgreSQL and databases (`odooNN*`), so the
 * suites run against it by pointing ODOO_URL at its port:
 *
 *   node bin/run-ts.mjs test/support/prefork-odoo.ts start 18 8218
 *   env ODOO_URL=http://127.0.0.1:8218 ODOO_DB=odoo18_x … npx vitest run --project e2e
 *   node bin/run-ts.mjs test/support/prefork-odoo.ts stop 8218
 *
 * The sources and Python are odoo.sh's (ODOO_SH, default ../shared/odoo/odoo.sh): run `odoo.sh start`
 * for that version once first, so that its packages and template are there.
 */
import { spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

const runDir = process.env.ODOO_RUN_DIR ?? '/tmp/odoo-run';
const pidFile = (port: string) => `${runDir}/odoo${port}.pid`;

async function answers(port: string): Promise<boolean> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/web/webclient/version_info`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(2000),
    });
    return r.ok;
  } catch {
    return false;
  }
}

export async function startPrefork(version: string, port: string): Promise<void> {
  if (await answers(port)) return;
  const sources = resolve(dirname(process.env.ODOO_SH ?? '../shared/odoo/odoo.sh'), version);
  const log = openSync(`${runDir}/odoo${port}.log`, 'a');
  const child = spawn(
    '/usr/bin/python3',
    [
      'odoo-bin',
      '-r',
      'odoo',
      '-w',
      'odoo',
      '--db_host',
      '127.0.0.1',
      `--addons-path=${sources}/addons,${sources}/odoo/addons`,
      '--http-interface',
      '127.0.0.1',
      '--http-port',
      port,
      '--gevent-port',
      String(Number(port) + 100),
      '--workers',
      '2',
      '--max-cron-threads',
      '0',
      '--limit-time-cpu',
      '60',
      '--limit-time-real',
      '120',
      '--db-filter',
      `^odoo${version}.*$`,
    ],
    { cwd: sources, detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  writeFileSync(pidFile(port), String(child.pid));
  for (let i = 0; i < 90; i++) {
    if (await answers(port)) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(
    `the prefork Odoo ${version} on ${port} did not answer in 90 s (${runDir}/odoo${port}.log)`,
  );
}

export function stopPrefork(port: string): void {
  try {
    // The whole process group: the prefork master and its workers.
    process.kill(-Number(readFileSync(pidFile(port), 'utf8')), 'SIGTERM');
  } catch {
    // not running
  }
  rmSync(pidFile(port), { force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve('test/support/prefork-odoo.ts')) {
  const [what, a, b] = process.argv.slice(2);
  if (what === 'start' && a && b) {
    await startPrefork(a, b);
    console.log(`prefork Odoo ${a} (--workers 2) on http://127.0.0.1:${b}`);
  } else if (what === 'stop' && a) {
    stopPrefork(a);
  } else {
    console.error('usage: prefork-odoo.ts start VERSION PORT | stop PORT');
    process.exit(2);
  }
}
