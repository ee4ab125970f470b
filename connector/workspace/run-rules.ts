/**
 * What a run requested in RCP → Runs may ask for, in one place: the worker checks a run by these
 * rules before any work (periodOfRun, refuseOpenPeriod), and Odoo refuses to save a request that
 * breaks them (the workspace's `action_run_check`, made from this module by setup: the same rules,
 * the same words, in Russian for a user whose language is Russian).
 *
 * The words are templates with `%(name)s` slots, Python's own formatting, so that Odoo fills them as
 * the worker does (`say`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RUN_KINDS } from './models.ts';
import { ODOO_FILES_DIR } from './odoo-files.ts';

type Kind = (typeof RUN_KINDS)[number];

/** The kinds that work on a month, and those refused for a month that is not over. */
export const MONTH_KINDS: readonly Kind[] = ['invoice', 'corrections', 'reconcile'];
export const CLOSED_MONTH_KINDS: readonly Kind[] = ['invoice', 'corrections'];
/** The kinds that take the "Open month" and "Rewrite edited drafts" options (RCP / Manager only). */
export const OPTION_KINDS: readonly Kind[] = ['invoice'];

const REMEDY =
  'add --allow-open-period (in RCP → Runs: "Open month", RCP / Manager) for a provisional draft.';

export const REQUEST_WORDS = {
  monthNeeded: 'a month is needed as YYYY-MM (got "%(got)s")',
  notOver: `%(period)s is not over yet (today is %(today)s in %(zone)s): its usage is still growing, and an invoice now would be short. Invoice it once the month is over, or ${REMEDY}`,
  notBegun: `%(period)s has not begun (today is %(today)s in %(zone)s): its usage is not there, and an invoice now would be short. Invoice it once the month is over, or ${REMEDY}`,
  managersOnly: '"%(option)s" is for RCP / Manager only',
  invoicesOnly: '"%(option)s" applies to invoice runs only',
} as const;

export type RequestWord = keyof typeof REQUEST_WORDS;

/** A template filled as Python's `%` fills it (`%(name)s`). */
export function say(word: RequestWord, values: Record<string, string>): string {
  return REQUEST_WORDS[word].replace(/%\((\w+)\)s/g, (_m, name: string) => values[name] ?? '');
}

/** Whether a text is a month `YYYY-MM` (01–12): the Python twin Odoo runs is `_period.py`, tested to agree. */
export { isPeriod } from '../../mappings/period.ts';

/** The Python of the same rule, for Odoo (no `re` in Odoo's server actions). */
export function periodCheckPython(): string {
  return readFileSync(join(ODOO_FILES_DIR, 'actions', '_period.py'), 'utf8').replace(/\n$/, '');
}
