/**
 * A command of the CLI that is not a kind of work (match, documents, setup, worker, enqueue,
 * simulator, demo), declared in the kinds' shape (connector/work/work.ts): its input (a zod schema,
 * checked as the command line is read), its command (words, arguments, flags, help: made by
 * work-command.ts, as every kind's), what it runs, and how its report is told to people and to
 * `--json`. The list is commands.ts.
 */
import type { z } from 'zod';
import { type CommandSpec, EXIT, inputOf } from '../work/work.ts';
import type { CommandContext } from './context.ts';

export interface CliCommand<Input, Report> {
  name: string;
  input: z.ZodType<Input, z.ZodTypeDef, unknown>;
  command: CommandSpec<Extract<keyof Input, string>>;
  /**
   * Runs it, its heavy parts imported here (--help does not pay for them). One that serves until
   * stopped (worker, simulator) calls `started` with its report once it serves: it is told then.
   */
  run(ctx: CommandContext, input: Input, started: (report: Report) => void): Promise<Report>;
  /** The summary for people. */
  summary(report: Report, input: Input): string;
  /** What `--json` prints (default: the report). */
  json?(report: Report, input: Input): unknown;
  /** The exit code (default 0). */
  exit?(report: Report): number;
}

// biome-ignore lint/suspicious/noExplicitAny: each command's own types are checked in its file; a list of them forgets them
export type AnyCliCommand = CliCommand<any, any>;

/** Runs a command with the input its command line gave: its report told once (when it started, or when it ended). */
export async function runCliCommand<I, R>(
  ctx: CommandContext,
  command: CliCommand<I, R>,
  given: unknown,
): Promise<number> {
  const input = inputOf(command, given);
  let told = false;
  const tell = (report: R) => {
    told = true;
    ctx.out.result(command.json ? command.json(report, input) : report, command.summary(report, input));
  };
  const report = await command.run(ctx, input, tell);
  if (!told) tell(report);
  return command.exit ? command.exit(report) : EXIT.done;
}
