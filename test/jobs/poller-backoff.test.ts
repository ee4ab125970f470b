import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WorkspaceMissingError } from '../../connector/errors.ts';
import { createLogger } from '../../connector/log.ts';
import { startPoller } from '../../jobs/poller.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The worker's poller while the workspace is missing, then set up (its poll given by the test). */
describe('the worker’s poll of RCP → Runs while the workspace is missing', () => {
  it('says so once, polls less often (doubling to a cap), and goes back to its pace once setup is done', async () => {
    const out = new PassThrough();
    const lines: Array<{ level: number; msg: string }> = [];
    out.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    });
    const log = createLogger({ level: 'info', pretty: false, destination: out });
    let setUp = false;
    const calls: number[] = [];
    const start = Date.now();
    const poller = startPoller({
      deps: () => Promise.reject(new Error('not used')),
      log,
      pollSeconds: 0.02,
      maxBackoffSeconds: 0.16,
      staleSeconds: 900,
      poll: async () => {
        calls.push(Date.now() - start);
        if (!setUp) throw new WorkspaceMissingError(['the RCP workspace is not set up in this Odoo']);
        return undefined;
      },
    });
    await sleep(1_200);
    const whileMissing = calls.length;
    // At the normal pace that would be ~60 polls; backing off 40, 80, 160, 160… ms: about 9.
    expect(whileMissing).toBeGreaterThanOrEqual(5);
    expect(whileMissing).toBeLessThanOrEqual(12);
    const gaps = calls.slice(1).map((t, i) => t - (calls[i] as number));
    expect(Math.max(...gaps)).toBeLessThan(400);
    setUp = true;
    const setAt = Date.now() - start;
    await sleep(600);
    await poller.stop();
    const after = calls.filter((t) => t > setAt);
    // The first poll after setup comes within the cap; then the normal pace again (~20 ms).
    expect((after[0] as number) - setAt).toBeLessThanOrEqual(250);
    expect(after.length).toBeGreaterThan(10);
    const warnings = lines.filter((l) => /workspace is missing/.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(lines.filter((l) => /set up now/.test(l.msg))).toHaveLength(1);
    expect(lines.filter((l) => /polling Odoo for runs failed/.test(l.msg))).toHaveLength(0);
  });
});
