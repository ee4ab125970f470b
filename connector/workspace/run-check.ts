import { actionCode } from './odoo-files.ts';
/**
 * The server action that refuses to save a run the worker would refuse (`odoo/actions/action_run_check.py`),
 * made from the worker's own rules and words (connector/workspace/run-rules.ts), in English and Russian.
 */
import {
  CLOSED_MONTH_KINDS,
  MONTH_KINDS,
  OPTION_KINDS,
  REQUEST_WORDS,
  periodCheckPython,
} from './run-rules.ts';
import { RU } from './translations.ts';

/** The labels of the run's options, as the words name them. */
const OPTIONS = { x_open_month: 'Open month', x_force: 'Rewrite edited drafts' } as const;

/** A Python literal of strings (JSON's strings are Python's). */
const py = (value: unknown) => JSON.stringify(value);

function inRussian<T extends Record<string, string>>(texts: T): T {
  return Object.fromEntries(Object.entries(texts).map(([k, v]) => [k, RU[v] ?? v])) as T;
}

export function runCheckCode(): string {
  return actionCode('action_run_check', {
    period_check: periodCheckPython().split('\n'),
    words: py(REQUEST_WORDS),
    words_ru: py(inRussian(REQUEST_WORDS)),
    month_kinds: py(MONTH_KINDS),
    closed_month_kinds: py(CLOSED_MONTH_KINDS),
    option_kinds: py(OPTION_KINDS),
    options: py(OPTIONS),
    options_ru: py(inRussian(OPTIONS)),
  });
}

/** Every text of the check a person may read, for the translation test. */
export const RUN_CHECK_TEXTS: readonly string[] = [
  ...Object.values(REQUEST_WORDS),
  ...Object.values(OPTIONS),
];
