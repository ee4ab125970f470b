import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'main',
          include: ['test/unit/**/*.test.ts', 'test/contract/**/*.test.ts', 'test/jobs/**/*.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'odoo-real',
          include: ['test/odoo-real/**/*.test.ts'],
          // Files one after another (each on a database of its own); CI runs the suite as two
          // shards side by side instead.
          poolOptions: { forks: { singleFork: true }, threads: { singleThread: true } },
          // A safety net, not a measure of speed: setup and a month's invoices on a busy two-core
          // machine (CI runs the three versions side by side) took over two minutes.
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          // Memory at 20,000 and 100,000 clients against the double (ten minutes on a quiet machine): test/scale.
          name: 'scale',
          include: ['test/scale/**/*.test.ts'],
          testTimeout: 2_400_000,
        },
      },
      {
        test: {
          // The README's commands through the binary on one way into a real Odoo (the CI matrix's short rows).
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true }, threads: { singleThread: true } },
          testTimeout: 600_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          // Faults a runner meets, on a real Odoo with real Redis and the real binary (CI: one row, Odoo 18).
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true }, threads: { singleThread: true } },
          testTimeout: 1_800_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          // A real browser (Debian's chromium) on a real Odoo: skipped without ODOO_URL or /usr/bin/chromium.
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          poolOptions: { forks: { singleFork: true }, threads: { singleThread: true } },
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
