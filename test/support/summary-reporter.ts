/**
 * Prints one closing line that any CI reads: `tests: N passed, N failed, N skipped`.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    const reasons = new Set<string>();
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          // A skipped suite says why in its name (e.g. "… (skipped: ODOO_URL is missing …)").
          let suite = test.parent;
          while (suite.type === 'suite' && suite.parent.type === 'suite') suite = suite.parent;
          if (suite.type === 'suite' && suite.name.includes('skipped:')) reasons.add(suite.name);
        }
      }
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
    }
    for (const reason of reasons) process.stdout.write(`\nskipped: ${reason}`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
