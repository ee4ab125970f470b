import { ConfigError } from '../connector/errors.ts';
import { WORK } from '../connector/work/registry.ts';
import type { AnyWork, CommandSpec } from '../connector/work/work.ts';
import type { JobData } from './queues.ts';

/** The kinds of work that run as jobs, with their command's words. */
const QUEUED = Object.values(WORK as Record<string, AnyWork>).flatMap((work) =>
  work.jobId && work.command && !work.command.switch ? [{ work, command: work.command }] : [],
);

/** A command's flags `enqueue` reads: all but the terminal's own (a dry run). */
const queuedFlags = (command: CommandSpec) =>
  Object.entries(command.flags ?? {}).filter(([, flag]) => flag.queued !== false);

/** How each command that runs as a job is written after `enqueue`: `invoice --period YYYY-MM [--partner id]`. */
export function queuedUsages(): string[] {
  return QUEUED.map(({ command }) =>
    [
      ...command.words,
      ...(command.args ?? []).map((arg) => arg.choices?.join('|') ?? `<${arg.name}>`),
      ...queuedFlags(command).map(([name, flag]) => {
        const written = flag.value ? `${name} ${flag.value}` : name;
        return flag.required ? written : `[${written}]`;
      }),
    ].join(' '),
  );
}

const either = (choices: readonly string[]) =>
  choices.length > 1 ? `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}` : (choices[0] ?? '');

/**
 * The words of a CLI command (`sync all`, `invoice --period 2023-06`, `payments push`) as the job that
 * runs it: read by each kind of work's own words and flags (connector/work), checked by its schema.
 */
export function jobOfWords(words: readonly string[]): JobData {
  const found = QUEUED.find(({ command }) => command.words.every((word, i) => words[i] === word));
  if (!found) {
    const near = QUEUED.filter(({ command }) => command.words[0] === words[0]);
    const [first] = near;
    if (first)
      throw new ConfigError([
        `enqueue ${words[0]} takes ${either(near.map(({ command }) => command.words.slice(1).join(' ')))}: enqueue ${first.command.example}`,
      ]);
    throw new ConfigError([
      `enqueue takes a command that runs as a job: ${QUEUED.map(({ command }) => command.words.join(' ')).join(', ')} (got "${words.join(' ')}")`,
    ]);
  }
  const { work, command } = found;
  const rest = words.slice(command.words.length);
  const given = inputOfWords(command, rest);
  const parsed = work.input.safeParse(given);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path[0];
        const flag = queuedFlags(command).find(([, f]) => f.key === key);
        return flag
          ? `${flag[0]} ${flag[1].value ?? ''} is required, e.g. enqueue ${command.example}`
          : `enqueue ${command.words.join(' ')}: ${String(key ?? 'input')}: ${issue.message}`;
      }),
    );
  }
  return { kind: work.name, ...parsed.data } as JobData;
}

/** The input the words after a command give: its arguments, `--flag value` or `--flag=value`, switches. */
function inputOfWords(command: CommandSpec, rest: readonly string[]): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  (command.args ?? []).forEach(({ key, name, choices }, i) => {
    const value = rest[i];
    if (value === undefined || (choices && !choices.includes(value)))
      throw new ConfigError([
        `enqueue ${command.words.join(' ')} takes ${choices ? either(choices) : name}, e.g. enqueue ${command.example}`,
      ]);
    given[key] = value;
  });
  for (const [name, flag] of queuedFlags(command)) {
    if (!flag.value) {
      if (rest.includes(name)) given[flag.key] = flag.sets ?? true;
      continue;
    }
    const index = rest.indexOf(name);
    const value =
      index >= 0 ? rest[index + 1] : rest.find((w) => w.startsWith(`${name}=`))?.slice(name.length + 1);
    if (value !== undefined) given[flag.key] = value;
  }
  return given;
}
