/**
 * A kind of work (sync, invoice, payments push…) described once: what it takes (a zod schema), its
 * command (words, flags, help), how the queue names it and which lock it holds, the process it runs,
 * and how it is told (to people, to `--json`, to RCP → Runs, to the queue). The CLI, `enqueue`, the worker and the RCP → Runs poller
 * are loops over `WORK` (registry.ts); none of them knows a kind by name, except the worker's
 * invoice flow (one job per counterparty).
 */
import { z } from 'zod';
import { isPeriod } from '../../mappings/period.ts';
import type { Config, Need } from '../config.ts';
import type { KindCounts, ProcessDeps } from '../deps.ts';
import { ConfigError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { FailedRecord } from '../odoo/upsert.ts';
import { say } from '../workspace/run-rules.ts';
import type { RunCounts, RunKind, RunOutcome, RunRequest } from '../workspace/runs.ts';

/** Exit codes of the CLI contract. */
export const EXIT = { done: 0, someFailed: 1, usage: 2 } as const;

/** A month `YYYY-MM` (mappings/period.ts says what one looks like). */
export const Period = z.string().refine(isPeriod, 'a month YYYY-MM is expected');

/** A run requested in RCP → Runs names its month in a text field: checked here, before any work. */
export function periodOfRun(run: RunRequest): string {
  if (!run.period || !isPeriod(run.period)) throw new Error(say('monthNeeded', { got: run.period ?? '' }));
  return run.period;
}

/** What a run records about its input in RCP → Runs (its filters, month and dry run). */
export interface RunFilters {
  period?: string | undefined;
  dryRun?: boolean | undefined;
  partner?: string | undefined;
  client?: string | undefined;
}

/**
 * A flag of a kind's command: `--period <YYYY-MM>` sets the input's `period`, `--dry-run` sets
 * `dryRun` to true. Its value is checked by the input schema's field when the command line is read.
 */
export interface Flag<Key extends string = string> {
  /** The key of the input it sets. */
  key: Key;
  /** The form of its value in --help and usage messages (`YYYY-MM`, `id`); none: a switch. */
  value?: string;
  /** What a switch sets its key to (default true): `--not-pushed` sets `pushed` to false. */
  sets?: boolean;
  help: string;
  /** The command line refuses to run without it. */
  required?: boolean;
  /** Read by `enqueue` too (default); false for what a queued job never takes (a dry run). */
  queued?: boolean;
  /** The values it takes, listed in --help and checked as the command line is read. */
  choices?: readonly string[];
  /** Its value when not given, shown in --help. */
  default?: string;
}

/**
 * How a kind of work, or any other command of the CLI (connector/cli/commands.ts), is a command: its
 * words, arguments, flags and help, declared once. The CLI (connector/cli/program.ts) makes its
 * command from this, `enqueue` (jobs/enqueue-words.ts) reads its words by it.
 */
export interface CommandSpec<Key extends string = string> {
  /** The command's words, e.g. `payments push`. */
  words: readonly string[];
  /** One line of --help: what it does. */
  description: string;
  /**
   * Arguments after the words, in order (`<what>`), each one of its choices when it has them; a
   * `variadic` last one takes all the words left (`<command...>`).
   */
  args?: ReadonlyArray<{
    key: Key;
    name: string;
    help: string;
    choices?: readonly string[];
    variadic?: boolean;
  }>;
  /**
   * Its words after the arguments are another command's (`enqueue invoice --period 2026-10`): their
   * flags pass as words, and `--help` among them asks for this command's help.
   */
  passThrough?: boolean;
  /** `--flag` → what it sets; flags that set the same key are alternatives: exactly one is given. */
  flags?: Readonly<Record<string, Flag<Key>>>;
  /** Lines said after the flags in --help (the settings it reads). */
  helpAfter?: readonly string[];
  /** A whole command, for usage messages: `invoice --period 2026-10`. */
  example: string;
  /**
   * The switch that makes another kind's command with the same words run this one instead
   * (`invoice --corrections`): its help is `description`; its own flags are those it declares.
   */
  switch?: string;
}

/** `--dry-run`: the command line's, never a queued job's. */
export function dryRunFlag(help: string): Flag<'dryRun'> {
  return { key: 'dryRun', help, queued: false };
}

/** What a kind that opens neither RCP nor Odoo itself (check) runs with. */
export interface BareDeps {
  config: Config;
  log: Logger;
}

interface WorkDescription<Input, Report> {
  /** The job's kind on the queue (`payments-push`): kept as it is, queued jobs carry it. */
  name: string;
  /** The input, checked at every entrance (CLI flags, `enqueue` words, a job's data, a requested run). */
  input: z.ZodType<Input, z.ZodTypeDef, unknown>;
  /** Its command: words, arguments, flags and help (the CLI's, and `enqueue`'s with jobId). */
  command?: CommandSpec<Extract<keyof Input, string>>;
  /** The parts of the configuration it needs beyond RCP and Odoo (`payments`). */
  needs?: readonly Need[];
  /** Its kind in RCP → Runs, when its runs are recorded there (and may be requested there). */
  runKind?: RunKind;
  /** Its input from a run requested in RCP → Runs (with runKind). */
  fromRun?(run: RunRequest): Input;
  /** What its record in RCP → Runs shows of the input. */
  filters?(input: Input): RunFilters;
  /** Its job id on the queue, with `enqueue`: the same work never waits or runs twice at once. */
  jobId?(input: Input): string;
  /**
   * The lock it holds in Redis whoever started it (a queued job or a run requested in RCP → Runs):
   * the work that must never overlap. The keys are shared with workers of earlier versions.
   */
  lock?(input: Input): string | undefined;
  /** The summary for people: what the CLI prints and what RCP → Runs shows, whoever started it. */
  summary(report: Report, input: Input): string;
  /** What `--json` prints (default: the report). */
  json?(report: Report, input: Input): unknown;
  /** Its counts as RCP → Runs shows them (created, updated, unchanged), when its kind has them. */
  counts?(report: Report): RunCounts;
  /** The records that failed, and the Odoo documents it made (for RCP → Runs). */
  failed(report: Report): FailedRecord[];
  moveIds?(report: Report): number[];
  /** The CLI's exit code: default 1 when a record failed, else 0. */
  exit?(report: Report): number;
  /** What a queued job keeps as its result (default: the report). */
  jobResult?(report: Report): unknown;
  /** What the worker's metrics count of it. */
  counted?(report: Report): { synced?: Record<string, KindCounts>; odooRoundTrips?: number };
}

/**
 * A kind of work with its process (imported when it runs: a command loads only its own), run with
 * RCP and Odoo opened (the default), or with nothing opened (`check`, which opens them itself to judge them).
 */
export type Work<Input, Report> = WorkDescription<Input, Report> &
  (
    | { opens?: 'edges'; run(deps: ProcessDeps, input: Input): Promise<Report> }
    | { opens: 'nothing'; run(deps: BareDeps, input: Input): Promise<Report> }
  );

// biome-ignore lint/suspicious/noExplicitAny: each kind's own types are checked in its file; a list of them forgets them
export type AnyWork = Work<any, any>;

/** The input a kind of work takes. */
export type InputOf<W> = W extends Work<infer I, unknown> ? I : never;

/** A report as RCP → Runs records it: the same summary whoever started the run. */
export function outcomeOf<I, R>(work: Work<I, R>, report: R, input: I): RunOutcome {
  const moveIds = work.moveIds?.(report);
  const counts = work.counts?.(report);
  return {
    text: work.summary(report, input),
    failed: work.failed(report),
    ...(counts ? { counts } : {}),
    ...(moveIds ? { moveIds } : {}),
  };
}

/** The CLI's exit code for a finished report. */
export function exitOf<I, R>(work: Work<I, R>, report: R): number {
  if (work.exit) return work.exit(report);
  return work.failed(report).length > 0 ? EXIT.someFailed : EXIT.done;
}

/** A kind of work's (or a command's) input from an entrance (flags, words, a job's data), checked by its schema. */
export function inputOf<I>(
  work: { name: string; input: z.ZodType<I, z.ZodTypeDef, unknown> },
  given: unknown,
): I {
  const parsed = work.input.safeParse(given);
  if (parsed.success) return parsed.data;
  throw new ConfigError(
    parsed.error.issues.map((i) =>
      i.path.length > 0 ? `${work.name}: ${i.path.join('.')}: ${i.message}` : `${work.name}: ${i.message}`,
    ),
  );
}
