import { z } from 'zod';
import { table } from '../../mappings/text-table.ts';
import type { Readiness } from '../processes/check.ts';
import { EXIT, type Work } from './work.ts';

const MARK = { ok: 'ok', warning: 'WARN', failure: 'FAIL' } as const;

/**
 * Whether this Odoo (and RCP, Redis, the configuration) is ready: exit 0 ready (maybe with warnings),
 * 1 with failures, 2 when a setting is wrong (ODOO_URL, ODOO_DB, a secret). It opens RCP and Odoo
 * itself: a connection that fails is one of its answers.
 */
export const check: Work<Record<string, never>, Readiness> = {
  name: 'check',
  input: z.object({}).strict(),
  command: {
    words: ['check'],
    description:
      'whether this Odoo is ready: RCP, Odoo (version, company, currency, rights, taxes, price precision), the settings and Redis; exit 0 ready (warnings are listed), 1 something failed, 2 a setting is wrong',
    example: 'check',
  },
  opens: 'nothing',
  run: async (deps) => (await import('../processes/check.ts')).checkReadiness(deps),
  summary: (report) => {
    const rows = report.checks.map((i) => [MARK[i.status], i.what, i.detail]);
    const { failures, warnings } = report;
    const verdict =
      failures > 0
        ? `${failures} check(s) failed: see FAIL above${warnings ? `, and ${warnings} warning(s)` : ''}.`
        : warnings > 0
          ? `Ready, with ${warnings} warning(s): see WARN above.`
          : 'All good: this Odoo is ready.';
    return `${table([['', 'check', 'result'], ...rows])}\n\n${verdict}`;
  },
  failed: () => [],
  exit: (report) =>
    report.checks.some((i) => i.setting) ? EXIT.usage : report.failures > 0 ? EXIT.someFailed : EXIT.done,
};
