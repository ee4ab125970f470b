/**
 * `npm run bench [-- --clients N] [--json] [--odoo-source DIR [--profile]]`: sync, invoice and
 * payments push at scale against the RCP simulator and either the Odoo double (no ODOO_URL: fast,
 * the double's figures, not Odoo's) or the real Odoo of ODOO_URL. Per phase: wall time, records per
 * second, Odoo round trips per 1,000 records, RCP requests, the connector's peak memory and CPU.
 * With a real Odoo and `--odoo-source` (its source tree, e.g. ../shared/odoo/18), every Odoo call
 * of a phase is recorded and replayed inside `odoo-bin shell` on a copy of the database as it was
 * before the phase: Odoo's own in-process time for the same work, and the ratio connector ÷ it.
 * `--profile` adds a cProfile of each replay (on a second copy), its top functions in a file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { PerformanceObserver, constants as perfConstants } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { progressDisplay } from '../../connector/cli/progress.ts';
import { type Config, loadConfig } from '../../connector/config.ts';
import type { ProcessDeps } from '../../connector/deps.ts';
import { silentLogger } from '../../connector/log.ts';
import { OdooClient } from '../../connector/odoo/client.ts';
import { invoicePeriod } from '../../connector/processes/invoice-period.ts';
import { pushPayments } from '../../connector/processes/push-payments.ts';
import { reconcilePeriod } from '../../connector/processes/reconcile.ts';
import { syncMasterData } from '../../connector/processes/sync.ts';
import { RcpClient } from '../../connector/rcp/client.ts';
import { setupWorkspace } from '../../connector/workspace/setup.ts';
import { table } from '../../mappings/text-table.ts';
import { CallRecorder, type ReplayResult, copyDatabase, dropDatabase, replayCalls } from './odoo-replay.ts';

const args = process.argv.slice(2);
const option = (name: string): string | undefined =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const clients = Number(option('--clients') ?? 0) || 10_000;
const asJson = args.includes('--json');
const odooSource = option('--odoo-source');
const profile = args.includes('--profile');
/**
 * `--workspace`: `rcp-odoo setup` before the sync on a real Odoo (counterparty records, usage
 * records and claims written as a provider's runs write them; on the double: the counterparty
 * records), and three more phases: the sync and the invoice run again over what they wrote (what
 * the nightly runs do) and `reconcile`. The memory scale test runs this way.
 */
const withWorkspace = args.includes('--workspace');
/**
 * `--phases sync,invoice`: only these of sync, sync-again, invoice, invoice-again, reconcile, push
 * (e.g. the sync of 100,000 clients on a real Odoo alone, or its invoices over a database synced before).
 */
const onlyPhases = option('--phases')?.split(',');
const wanted = (phase: string) => !onlyPhases || onlyPhases.includes(phase);
const realOdoo = Boolean(process.env.ODOO_URL);
const PERIOD = '2024-05';
if (odooSource && !realOdoo) {
  console.error(
    '--odoo-source replays calls made to a real Odoo: set ODOO_URL, ODOO_DB, ODOO_USER and a secret',
  );
  process.exit(2);
}

interface Phase {
  phase: string;
  records: number;
  seconds: number;
  perSecond: number;
  odooRoundTrips: number;
  roundTripsPer1000: number;
  rcpRequests: number;
  peakRssMb: number;
  /** Peak V8 heap in use, garbage included (bounded by --max-old-space-size whatever the live data). */
  peakHeapMb: number;
  /**
   * Peak heap still in use right after a full (mark-compact) collection: the live data, what grows
   * with the number of clients when a phase keeps them all.
   */
  peakLiveHeapMb: number;
  /** CPU time of the connector itself (this process), apart from the servers it talks to. */
  connectorCpuSeconds: number;
  /** The machine's one-minute load average, lowest and highest seen during the phase. */
  load: [number, number];
  /** When the phase ended (UTC, ISO). */
  endedAt: string;
  /** The Odoo calls the phase made most, by `model.method` (where its round trips went). */
  topCalls: Record<string, number>;
  /** Seconds the connector waited for Odoo's answers, summed over calls. */
  odooWaitSeconds?: number;
  /** Odoo's own time for the same calls, replayed in-process; and connector seconds ÷ it. */
  inProcessSeconds?: number;
  ratio?: number;
  replay?: ReplayResult & { callsFile: string; profileFile?: string };
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
      ...(withWorkspace ? ['--workspace'] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [line] = (await once(lines, 'line')) as [string];
  return { child, info: JSON.parse(line) };
}

const workDir = mkdtempSync(join(tmpdir(), 'rcp-odoo-bench-'));
const recorder = new CallRecorder();
/** Odoo calls made so far, by `model.method`. */
const callCounts = new Map<string, number>();
/** Per phase: the copy of the database before it and the file of its calls, replayed at the end. */
const toReplay: Array<{ phase: Phase; snapshot: string; callsFile: string }> = [];

async function measure(
  phase: string,
  deps: ProcessDeps,
  work: (deps: ProcessDeps) => Promise<number>,
): Promise<Phase> {
  const index = toReplay.length + 1;
  const snapshot = `${deps.config.odoo?.db}_pre${index}`;
  const callsFile = join(workDir, `phase${index}-calls.jsonl`);
  if (odooSource) {
    await copyDatabase(deps.config.odoo?.db ?? '', snapshot);
    recorder.start(callsFile);
  }
  const display = progressDisplay({ json: asJson });
  const tracked: ProcessDeps = { ...deps, progress: display.update };
  let peak = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  let peakLive = 0;
  const load: [number, number] = [loadavg()[0] ?? 0, loadavg()[0] ?? 0];
  let ticks = 0;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peak = Math.max(peak, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
    if (++ticks % 100 === 0) {
      const one = loadavg()[0] ?? 0;
      load[0] = Math.min(load[0], one);
      load[1] = Math.max(load[1], one);
    }
  }, 50);
  // With --expose-gc (the scale test): a full collection every two seconds (BENCH_GC_MS), and what it leaves is
  // the live heap at that moment, exact. Without: after each mark-compact Odoo's answers and the
  // phase's own allocation since then are counted too (tens of MB in the invoice phases).
  const forceGc = (globalThis as { gc?: () => void }).gc;
  const collector = forceGc
    ? setInterval(() => {
        forceGc();
        peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
      }, Number(process.env.BENCH_GC_MS) || 2_000)
    : undefined;
  // After each mark-compact, what the heap still holds is live: its peak is the phase's working set.
  const gcs = forceGc
    ? undefined
    : new PerformanceObserver((list) => {
        for (const entry of list.getEntries())
          if (
            (entry as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR
          )
            peakLive = Math.max(peakLive, process.memoryUsage().heapUsed);
      });
  gcs?.observe({ entryTypes: ['gc'] });
  const trips = deps.odoo.stats.roundTrips;
  const callsBefore = new Map(callCounts);
  const requests = deps.rcp.stats.requests;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const records = await work(tracked);
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  clearInterval(collector);
  gcs?.disconnect();
  display.stop();
  recorder.stop();
  peak = Math.max(peak, process.memoryUsage().rss);
  const odooRoundTrips = deps.odoo.stats.roundTrips - trips;
  const result: Phase = {
    phase,
    records,
    seconds: Math.round(seconds * 10) / 10,
    perSecond: Math.round(records / seconds),
    odooRoundTrips,
    roundTripsPer1000: Math.round((odooRoundTrips / Math.max(1, records)) * 1000 * 10) / 10,
    rcpRequests: deps.rcp.stats.requests - requests,
    peakRssMb: Math.round(peak / 1024 / 1024),
    peakHeapMb: Math.round(peakHeap / 1024 / 1024),
    peakLiveHeapMb: Math.round(peakLive / 1024 / 1024),
    connectorCpuSeconds: Math.round((used.user + used.system) / 1e5) / 10,
    load: [Math.round(load[0] * 10) / 10, Math.round(load[1] * 10) / 10],
    endedAt: new Date().toISOString(),
    topCalls: Object.fromEntries(
      [...callCounts]
        .map(([key, n]) => [key, n - (callsBefore.get(key) ?? 0)] as const)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 8),
    ),
    ...(odooSource ? { odooWaitSeconds: Math.round(recorder.waitedMs / 100) / 10 } : {}),
  };
  if (odooSource) toReplay.push({ phase: result, snapshot, callsFile });
  // Each phase's figures as soon as it ends: a long run that dies later keeps what it measured.
  console.error(`phase done: ${JSON.stringify(result)}`);
  return result;
}

async function replayPhases(uid: number, db: string): Promise<void> {
  for (const [index, { phase, snapshot, callsFile }] of toReplay.entries()) {
    if (!asJson) console.error(`replaying ${phase.phase} in odoo-bin shell on ${snapshot}...`);
    let profileFile: string | undefined;
    if (profile) {
      // cProfile slows Odoo down: the profile comes from a second copy, the timing from a run without it.
      profileFile = join(workDir, `phase${index + 1}-profile.txt`);
      await copyDatabase(snapshot, `${db}_prof${index + 1}`);
    }
    try {
      const timed = await replayCalls({
        odooSource: odooSource ?? '',
        db: snapshot,
        uid,
        callsPath: callsFile,
      });
      phase.inProcessSeconds = Math.round(timed.seconds * 10) / 10;
      phase.ratio = Math.round((phase.seconds / Math.max(0.001, timed.seconds)) * 100) / 100;
      phase.replay = { ...timed, callsFile, ...(profileFile ? { profileFile } : {}) };
      if (profileFile)
        await replayCalls({
          odooSource: odooSource ?? '',
          db: `${db}_prof${index + 1}`,
          uid,
          callsPath: callsFile,
          profilePath: profileFile,
        });
    } finally {
      await dropDatabase(snapshot);
      if (profile) await dropDatabase(`${db}_prof${index + 1}`);
    }
  }
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
  const odoo = await OdooClient.connect(config.odoo as NonNullable<Config['odoo']>, {
    observe: (observed) => {
      const key = `${observed.call.model}.${observed.call.method}`;
      callCounts.set(key, (callCounts.get(key) ?? 0) + 1);
      recorder.record(observed);
    },
  });
  const deps: ProcessDeps = { rcp, odoo, config, log: silentLogger };
  const phases: Phase[] = [];
  const setup = () =>
    setupWorkspace(odoo, { dryRun: false, connectorLogin: config.odoo?.user ?? 'admin', currency: 'RUB' });
  // On a real Odoo; the double knows the workspace's models without it (and cannot run setup).
  if (withWorkspace && !info.odoo) await setup();

  if (wanted('sync'))
    phases.push(
      await measure('sync all', deps, async (deps) => {
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
  if (withWorkspace && wanted('sync-again'))
    phases.push(
      await measure('sync all again', deps, async (deps) => {
        const report = await syncMasterData(deps, { what: 'all' });
        if (report.failed.length)
          console.error(`sync again: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
        return (report.counts.client?.unchanged ?? 0) + (report.counts.partner?.unchanged ?? 0);
      }),
    );
  let invoiceIds: number[] = [];
  if (wanted('invoice'))
    phases.push(
      await measure(`invoice --period ${PERIOD}`, deps, async (deps) => {
        const report = await invoicePeriod(deps, { period: PERIOD });
        if (report.failed.length)
          console.error(`invoice: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
        invoiceIds = report.moveIds;
        return report.outcomes.created ?? 0;
      }),
    );
  if (withWorkspace) {
    if (wanted('invoice-again'))
      phases.push(
        await measure(`invoice --period ${PERIOD} again`, deps, async (deps) => {
          const report = await invoicePeriod(deps, { period: PERIOD });
          if (report.failed.length)
            console.error(`invoice again: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
          // Over a database invoiced before (`--phases invoice-again,push`): the push pays its drafts.
          if (!invoiceIds.length) invoiceIds = report.moveIds;
          return report.outcomes.unchanged ?? 0;
        }),
      );
    if (wanted('reconcile'))
      phases.push(
        await measure(`reconcile --period ${PERIOD}`, deps, async (deps) => {
          const report = await reconcilePeriod(deps, PERIOD);
          if (report.failed.length)
            console.error(`reconcile: ${report.failed.length} failed, e.g. ${report.failed[0]?.error}`);
          return report.compared;
        }),
      );
  }
  if (wanted('push')) {
    // Set-up, not measured: the accountant pays one invoice in ten.
    let toPay = invoiceIds.filter((_, i) => i % 10 === 0).slice(0, Math.ceil(clients / 10));
    // Only drafts: a run over a database invoiced before also names the invoices posted since.
    if (!info.odoo)
      toPay = await odoo.search('account.move', [
        ['id', 'in', toPay],
        ['state', '=', 'draft'],
      ]);
    if (info.odoo) {
      await fetch(`${info.odoo.url}/_double/pay`, {
        method: 'POST',
        body: JSON.stringify({ moveIds: toPay }),
      });
    } else {
      // The payments ledger lives in the RCP workspace: `rcp-odoo setup` first (ODOO_USER is an admin here).
      if (!withWorkspace) await setup();
      // As an accountant would: post the invoices and register their payments, a hundred at a time
      // (one payment per invoice: each has its own customer).
      for (let start = 0; start < toPay.length; start += 100) {
        const ids = toPay.slice(start, start + 100);
        await odoo.callOn('account.move', 'action_post', ids);
        const context = { active_model: 'account.move', active_ids: ids };
        const [wizard] = await odoo.create('account.payment.register', [{ group_payment: false }], context);
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
      await measure('payments push', deps, async (deps) => {
        const report = await pushPayments(deps);
        return report.outcomes.pushed ?? 0;
      }),
    );
  }
  await odoo.close();
  await rcp.close();
  if (odooSource) await replayPhases(odoo.uid, config.odoo?.db ?? '');

  const result = {
    clients,
    partners: info.partners,
    odoo: info.odoo
      ? "the Odoo double (18): its figures are the double's, not Odoo's"
      : `${odoo.version} at ${config.odoo?.url}`,
    batchSize: config.odoo?.batchSize,
    concurrency: config.odoo?.concurrency,
    workspace: withWorkspace,
    ...(odooSource ? { odooSource, callsDir: workDir } : {}),
    phases,
  };
  if (asJson) console.log(JSON.stringify(result, null, 2));
  else {
    console.log(`rcp-odoo benchmark: ${clients} clients, ${info.partners} partners, Odoo ${result.odoo}`);
    const header = [
      'phase',
      'records',
      'wall s',
      'records/s',
      'Odoo round trips',
      'per 1,000',
      'RCP requests',
      'peak RSS MB',
      'peak heap MB',
      'peak live heap MB',
      'connector CPU s',
      'load (1 min)',
      ...(odooSource ? ['Odoo wait s', 'in-process s', 'connector ÷ in-process'] : []),
    ];
    console.log(
      table([
        header,
        ...phases.map((p) => [
          p.phase,
          p.records,
          p.seconds,
          p.perSecond,
          p.odooRoundTrips,
          p.roundTripsPer1000,
          p.rcpRequests,
          p.peakRssMb,
          p.peakHeapMb,
          p.peakLiveHeapMb,
          p.connectorCpuSeconds,
          `${p.load[0]}–${p.load[1]}`,
          ...(odooSource ? [p.odooWaitSeconds ?? '', p.inProcessSeconds ?? '', p.ratio ?? ''] : []),
        ]),
      ]),
    );
    for (const p of phases) {
      const calls = Object.entries(p.topCalls)
        .map(([call, n]) => `${call} ${n}`)
        .join(', ');
      console.log(`\n${p.phase}: Odoo calls ${calls}`);
      if (!p.replay) continue;
      const top = Object.entries(p.replay.byCall)
        .slice(0, 4)
        .map(([call, c]) => `${call} ${c.calls}× ${c.seconds} s`)
        .join(', ');
      console.log(`\n${p.phase}: in-process ${top}`);
      if (p.replay.idsDiffer > 0 || p.replay.outcomeDiffers > 0)
        console.log(
          `  warning: the replay differs (${p.replay.idsDiffer} of ${p.replay.idsCompared} creates gave other ids, ${p.replay.outcomeDiffers} calls ended otherwise)`,
        );
      if (p.replay.profileFile) console.log(`  profile: ${p.replay.profileFile}`);
    }
    if (odooSource) console.log(`\ncalls recorded in ${workDir}`);
  }
} finally {
  child.kill('SIGTERM');
}
