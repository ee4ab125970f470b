/**
 * Memory does not grow with the number of clients. The benchmark (test/bench/bench.ts, against the
 * RCP simulator and the Odoo double, in a child process with the Docker image's 256 MB V8 heap)
 * runs sync all (companies and the workspace's counterparty records), the sync and the month's
 * invoices again over what they wrote, reconcile and payments push at two sizes; each phase's live
 * heap (what a full collection leaves) must stay under the bound at both, and grow little per 1,000
 * more clients. A phase that keeps every client's records again runs out of heap at
 * the larger size or crosses the bounds. Time is the benchmark's business, not this test's.
 *
 * Runs only with SCALE_CLIENTS=small,large set (e.g. 20000,100000; about twenty minutes on a quiet
 * machine, so not in CI). The sync, which held RCP's client list and maps per client (1.6-1.9 MB
 * more per 1,000 clients), keeps the list on disk and goes slice by slice; so do the invoice run
 * and reconcile, whose reports list the first 1,000 routine rows and count the rest (holding the
 * slimmed list and a row per invoice they grew 0.55-0.65 MB per 1,000; now 0.0-0.3, within the
 * noise of a peak sampled every two seconds, about 10 MB). The payments push reads the payments and
 * their ledger records 5,000 at a time (it read them all, 0.14 MB per 1,000). At small sizes the
 * invoice run's chunk of 5,000 clients is still filling, so the sizes to run it at are 20,000 and
 * 100,000 (the push's slice is still filling there: the bench pays one invoice in ten, 5,707 at 100,000).
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const [SMALL, LARGE] = (process.env.SCALE_CLIENTS || '20000,100000').split(',').map(Number) as [
  number,
  number,
];
/** Live heap of any phase, MB: well under the 256 MB cap (the slim RCP lists and the run's report stay). */
const LIVE_BOUND_MB = 160;
/**
 * Growth of a phase's live heap per 1,000 more clients, MB: one compact id per client, each
 * invoice's Odoo id, and the noise of the sampled peak (±0.12 between these sizes). The invoice run
 * and reconcile holding RCP's slimmed client list and a report row per invoice again cross it
 * (0.55-0.65); a phase that holds every client's usage, Odoo rows or records again costs several
 * MB per 1,000 (reconcile before it was sliced: 5).
 */
const GROWTH_PER_1000_MB = 0.45;

interface Phase {
  phase: string;
  records: number;
  peakLiveHeapMb: number;
  peakHeapMb: number;
  peakRssMb: number;
}

async function bench(
  clients: number,
  options: { phases?: string[]; gcEveryMs?: number; batchSize?: number } = {},
): Promise<{ code: number | null; phases: Phase[]; stderr: string }> {
  const child = spawn(
    process.execPath,
    [
      '--max-old-space-size=256',
      // The live heap measured exactly: a full collection every two seconds (see measure in bench.ts).
      '--expose-gc',
      resolve('bin/run-ts.mjs'),
      'test/bench/bench.ts',
      '--clients',
      String(clients),
      '--workspace',
      '--json',
      ...(options.phases ? ['--phases', options.phases.join(',')] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The double, not an Odoo of the environment.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ODOO_'))),
        ...(options.gcEveryMs ? { BENCH_GC_MS: String(options.gcEveryMs) } : {}),
        ...(options.batchSize ? { ODOO_BATCH_SIZE: String(options.batchSize) } : {}),
      },
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  const phases = code === 0 ? (JSON.parse(stdout) as { phases: Phase[] }).phases : [];
  return { code, phases, stderr };
}

describe.skipIf(!process.env.SCALE_CLIENTS)(
  `memory at ${SMALL.toLocaleString('en')} and ${LARGE.toLocaleString('en')} clients (Odoo double, 256 MB heap)`,
  () => {
    it('every phase finishes within the heap, its live heap bounded and not growing with the clients', async () => {
      const small = await bench(SMALL);
      expect(small.code, small.stderr).toBe(0);
      const large = await bench(LARGE);
      expect(large.code, large.stderr).toBe(0);
      expect(large.phases.map((p) => p.phase)).toEqual(small.phases.map((p) => p.phase));
      const table = large.phases.map((p, i) => ({
        phase: p.phase,
        records: [small.phases[i]?.records, p.records],
        live: [small.phases[i]?.peakLiveHeapMb, p.peakLiveHeapMb],
      }));
      console.log(JSON.stringify(table));
      // The phases did their work at both sizes (a phase that did nothing would prove nothing).
      for (const p of [...small.phases, ...large.phases]) expect(p.records, p.phase).toBeGreaterThan(0);
      for (const [i, p] of large.phases.entries()) {
        const before = small.phases[i] as Phase;
        expect(p.peakLiveHeapMb, `${p.phase} at ${LARGE}`).toBeLessThan(LIVE_BOUND_MB);
        expect(before.peakLiveHeapMb, `${p.phase} at ${SMALL}`).toBeLessThan(LIVE_BOUND_MB);
        const perThousand = (p.peakLiveHeapMb - before.peakLiveHeapMb) / ((LARGE - SMALL) / 1000);
        expect(perThousand, `${p.phase}: MB more per 1,000 clients`).toBeLessThan(GROWTH_PER_1000_MB);
      }
    });
  },
);

/**
 * The payments push with its slices full at both sizes (ODOO_BATCH_SIZE=50: slices of 500 payments;
 * 1,149 and 5,707 payments) grows by less than this per 1,000 more clients, MB: measured 0.01; the
 * push that read every payment and the whole ledger grew 0.14.
 */
const PUSH_GROWTH_PER_1000_MB = 0.08;

describe.skipIf(!process.env.SCALE_CLIENTS)(
  `the payments push at ${SMALL.toLocaleString('en')} and ${LARGE.toLocaleString('en')} clients, slices of 500 (Odoo double, 256 MB heap)`,
  () => {
    it('its live heap does not grow with the payments once its slices are full', async () => {
      const phases = ['sync', 'invoice', 'push'];
      const small = await bench(SMALL, { phases, gcEveryMs: 250, batchSize: 50 });
      expect(small.code, small.stderr).toBe(0);
      const large = await bench(LARGE, { phases, gcEveryMs: 250, batchSize: 50 });
      expect(large.code, large.stderr).toBe(0);
      const [before, after] = [small, large].map((run) =>
        run.phases.find((p) => p.phase === 'payments push'),
      );
      console.log(
        JSON.stringify({
          records: [before?.records, after?.records],
          live: [before?.peakLiveHeapMb, after?.peakLiveHeapMb],
        }),
      );
      // Several slices at both sizes, each payment sent.
      expect(before?.records ?? 0).toBeGreaterThan(1_000);
      expect(after?.records ?? 0).toBeGreaterThan(4 * (before?.records ?? 0));
      const perThousand =
        ((after?.peakLiveHeapMb ?? 0) - (before?.peakLiveHeapMb ?? 0)) / ((LARGE - SMALL) / 1000);
      expect(perThousand, 'payments push: MB more per 1,000 clients').toBeLessThan(PUSH_GROWTH_PER_1000_MB);
    });
  },
);

/** The sync alone grows by less than this per 1,000 more clients, MB (it held 2.75 before its slices). */
const SYNC_GROWTH_PER_1000_MB = 0.4;

describe('the sync’s memory at 5,000 and 25,000 clients (Odoo double, 256 MB heap)', () => {
  it('the sync and the sync again stay within the heap, their live heap not growing with the clients', async () => {
    // Short phases at these sizes: a full collection every quarter second to see their peak.
    const phases = ['sync', 'sync-again'];
    const small = await bench(5_000, { phases, gcEveryMs: 250 });
    expect(small.code, small.stderr).toBe(0);
    const large = await bench(25_000, { phases, gcEveryMs: 250 });
    expect(large.code, large.stderr).toBe(0);
    expect(large.phases.map((p) => p.phase)).toEqual(['sync all', 'sync all again']);
    expect(small.phases.map((p) => p.phase)).toEqual(['sync all', 'sync all again']);
    console.log(
      JSON.stringify(
        large.phases.map((p, i) => ({
          phase: p.phase,
          live: [small.phases[i]?.peakLiveHeapMb, p.peakLiveHeapMb],
        })),
      ),
    );
    for (const [i, p] of large.phases.entries()) {
      const before = small.phases[i] as Phase;
      expect(before.records, p.phase).toBe(5_050);
      expect(p.records, p.phase).toBe(25_050);
      // A phase that saw no collection would prove nothing.
      expect(before.peakLiveHeapMb, p.phase).toBeGreaterThan(0);
      expect(p.peakLiveHeapMb, `${p.phase} at 25,000`).toBeLessThan(LIVE_BOUND_MB);
      const perThousand = (p.peakLiveHeapMb - before.peakLiveHeapMb) / 20;
      expect(perThousand, `${p.phase}: MB more per 1,000 clients`).toBeLessThan(SYNC_GROWTH_PER_1000_MB);
    }
  });
});
