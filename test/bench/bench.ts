/**
 * `npm run bench [-- --clients N] [--json]`: sync, invoice and payments push at scale against the
 * simulator and the Odoo double (or the Odoo of ODOO_URL), with wall time, records per second, Odoo
 * round trips per 1,000 records, RCP requests and the connector's peak memory per phase.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { table } from '../../connector/cli/output.ts';
import { type Config, loadConfig } from '../../connector/config.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import type { ProcessDeps } from '../../connector/processes/deps.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { RcpClient } from '../../connector/rcp/client.ts';

const args = process.argv.slice(2);
const clients = Number(args[args.indexOf('--clients') + 1] ?? 0) || 10_000;
const asJson = args.includes('--json');
const PERIOD = '2024-05';

interface Phase {
  phase: string;
  records: number;
  seconds: number;
  perSecond: number;
  odooRoundTrips: number;
  roundTripsPer1000: number;
  rcpRequests: number;
  peakRssMb: number;
  /** CPU time of the connector itself (this process), apart from the servers it talks to. */
  connectorCpuSeconds: number;
}

async function startServers(): Promise<{
  child: ChildProcess;
  info: {
    rcpUrl: string;
    rcpToken: string;
    ownPartnerId: string;
    partners: number;
    odoo?: { url: string; db: string; user: string; apiKey: string };
  };
}> {
  const child = spawn(
    process.execPath,
    [
      // BENCH_PROFILE=dir: a CPU profile of the servers, to see whether the double or the simulator limits a run.
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []),
      resolve('bin/run-ts.mjs'),
      'test/bench/servers.ts',
      '--clients',
      String(clients),
      ...(process.env.ODOO_URL ? ['--no-double'] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, info: JSON.parse(line) };
}

async function measure(phase: string, deps: ProcessDeps, work: () => Promise<number>): Promise<Phase> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const trips = deps.odoo.stats.roundTrips;
  const requests = deps.rcp.stats.requests;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const records = await work();
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  const odooRoundTrips = deps.odoo.stats.roundTrips - trips;
  return {
    phase,
    records,
    seconds: Math.round(seconds * 10) / 10,
    perSecond: Math.round(records / seconds),
    odooRoundTrips,
    roundTripsPer1000: Math.round((odooRoundTrips / Math.max(1, records)) * 1000 * 10) / 10,
    rcpRequests: deps.rcp.stats.requests - requests,
    peakRssMb: Math.round(peak / 1024 / 1024),
    connectorCpuSeconds: Math.round((used.user + used.system) / 1e5) / 10,
  };
}

const { child, info } = await startServers();
try {
  const env: Record<string, string> = {
    RCP_URL: info.rcpUrl,
    RCP_TOKEN: info.rcpToken,
    RCP_OWN_PARTNER_IDS: info.ownPartnerId,
    PAYMENTS_SINCE: '2020-01-01',
    ...(info.odoo
      ? {
          ODOO_URL: info.odoo.url,
          ODOO_DB: info.odoo.db,
          ODOO_USER: info.odoo.user,
          ODOO_API_KEY: info.odoo.apiKey,
        }
      : Object.fromEntries(
          Object.entries(process.env).filter(([k]) => k.startsWith('ODOO_')) as Array<[string, string]>,
        )),
  };
  for (const key of ['ODOO_BATCH_SIZE', 'ODOO_CONCURRENCY', 'RCP_CONCURRENCY'])
    if (process.env[key]) env[key] = process.env[key] as string;
  const config: Config = loadConfig(['rcp', 'odoo', 'payments'], env);
  const rcp = new RcpClient(config.rcp as NonNullable<Config['rcp']>);
  const odoo = await OdooClient.connect(config.odoo as NonNullable<Config['odoo']>);
  const deps: ProcessDeps = { rcp, odoo, config, log: silentLogger };
  const phases: Phase[] = [];

  phases.push(
    await measure('sync all', deps, async () => {
      const report = await syncMasterData(deps, { what: 'all' });
      if (report.failed.length)
        console.error(`sync: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
      return (
        (report.counts.client?.created ?? 0) +
        (report.counts.client?.unchanged ?? 0) +
        (report.counts.partner?.created ?? 0) +
        (report.counts.partner?.unchanged ?? 0)
      );
    }),
  );
  let invoiceIds: number[] = [];
  phases.push(
    await measure(`invoice --period ${PERIOD}`, deps, async () => {
      const report = await invoicePeriod(deps, { period: PERIOD });
      if (report.failed.length)
        console.error(`invoice: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
      invoiceIds = report.invoices.flatMap((i) => (i.odooId && i.outcome === 'created' ? [i.odooId] : []));
      return invoiceIds.length;
    }),
  );
  // Set-up, not measured: the accountant pays one invoice in ten.
  const toPay = invoiceIds.filter((_, i) => i % 10 === 0).slice(0, Math.ceil(clients / 10));
  if (info.odoo) {
    await fetch(`${info.odoo.url}/_double/pay`, { method: 'POST', body: JSON.stringify({ moveIds: toPay }) });
  } else {
    for (const id of toPay) {
      await odoo.callOn('account.move', 'action_post', [id]);
      const context = { active_model: 'account.move', active_ids: [id] };
      const [wizard] = await odoo.create('account.payment.register', [{}], context);
      await odoo.callOn(
        'account.payment.register',
        'action_create_payments',
        [wizard ?? 0],
        undefined,
        context,
      );
    }
  }
  phases.push(
    await measure('payments push', deps, async () => {
      const report = await pushPayments(deps);
      return report.results.filter((r) => r.outcome === 'pushed').length;
    }),
  );
  await odoo.close();
  await rcp.close();

  const result = {
    clients,
    partners: info.partners,
    odoo: info.odoo ? 'double 18' : config.odoo?.url,
    phases,
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`rcp-odoo benchmark: ${clients} clients, ${info.partners} partners, Odoo ${result.odoo}`);
    console.log(
      table([
        [
          'phase',
          'records',
          'seconds',
          'records/s',
          'Odoo round trips',
          'per 1,000',
          'RCP requests',
          'peak RSS MB',
          'connector CPU s',
        ],
        ...phases.map((p) => [
          p.phase,
          p.records,
          p.seconds,
          p.perSecond,
          p.odooRoundTrips,
          p.roundTripsPer1000,
          p.rcpRequests,
          p.peakRssMb,
          p.connectorCpuSeconds,
        ]),
      ]),
    );
  }
} finally {
  child.kill('SIGTERM');
}
