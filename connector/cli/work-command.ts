/**
 * A command made from what it declares (a kind of work in connector/work, or another command in
 * commands.ts: words, arguments, flags, help): the same --help and the same checks for every
 * command (`enqueue` reads the words after it by the same declarations: jobs/enqueue-words.ts). A
 * flag's value is checked by the input schema's field as the command line is read (exit 2 with
 * commander's usage message).
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { z } from 'zod';
import { ConfigError } from '../errors.ts';
import { COMMAND_GROUPS } from '../work/registry.ts';
import type { CommandSpec, Flag } from '../work/work.ts';

/** What a command is made from: a kind of work, or another command of the CLI (command.ts). */
export interface Commanded {
  name: string;
  input: z.ZodTypeAny;
  command?: CommandSpec | undefined;
}

/** The input's fields by key, when the input is an object (to check a flag's value alone). */
function fieldsOf(work: Commanded): Record<string, z.ZodTypeAny> {
  return work.input instanceof z.ZodObject ? (work.input.shape as Record<string, z.ZodTypeAny>) : {};
}

function optionOf(flagName: string, flag: Flag, field: z.ZodTypeAny | undefined, example: string): Option {
  const option = new Option(flag.value ? `${flagName} <${flag.value}>` : flagName, flag.help);
  if (flag.required) option.makeOptionMandatory();
  if (flag.default !== undefined) option.default(flag.default);
  if (flag.choices) option.choices(flag.choices);
  else if (flag.value && !flag.value.endsWith('...') && field) {
    option.argParser((value: string) => {
      const parsed = field.safeParse(value);
      if (!parsed.success)
        throw new InvalidArgumentError(`${parsed.error.issues[0]?.message ?? 'invalid'}, e.g. ${example}`);
      return value;
    });
  }
  return option;
}

/** The parent command of a kind's last word (`payments` for `payments push`), made once. */
function parentOf(program: Command, words: readonly string[]): Command {
  let parent = program;
  for (const word of words.slice(0, -1)) {
    parent =
      parent.commands.find((c) => c.name() === word) ??
      parent.command(word).description(COMMAND_GROUPS[word] ?? '');
  }
  return parent;
}

/**
 * The input the command line gives: its arguments (each one of its choices, when it has them), the
 * flags given (switches not given are false; of flags that set the same key, exactly one).
 */
function inputOfCommand(
  spec: CommandSpec,
  args: ReadonlyArray<string | string[]>,
  cmd: Command,
  options: Map<string, Option>,
) {
  const given: Record<string, unknown> = {};
  const command = spec.words.join(' ');
  (spec.args ?? []).forEach(({ key, choices, variadic }, i) => {
    if (variadic) {
      given[key] = args[i] ?? [];
      return;
    }
    const value = (args[i] as string | undefined) ?? '';
    if (choices && !choices.includes(value))
      throw new ConfigError([`${command} takes one of ${choices.join(', ')} (got "${value}")`]);
    given[key] = value;
  });
  const byKey = new Map<string, [string, Flag][]>();
  for (const entry of Object.entries(spec.flags ?? {}))
    byKey.set(entry[1].key, [...(byKey.get(entry[1].key) ?? []), entry]);
  for (const [key, flags] of byKey) {
    const present = flags.filter(([name]) => {
      const option = options.get(name);
      return option !== undefined && cmd.getOptionValue(option.attributeName()) !== undefined;
    });
    if (flags.length > 1 && present.length !== 1)
      throw new ConfigError([`${command} takes exactly one of ${flags.map(([name]) => name).join(' or ')}`]);
    const [first] = present;
    if (first) {
      const [name, flag] = first;
      const value = cmd.getOptionValue(options.get(name)?.attributeName() ?? '') as unknown;
      given[key] = flag.value ? value : (flag.sets ?? true);
    } else if (flags.every(([, flag]) => !flag.value)) {
      given[key] = false;
    }
  }
  return given;
}

type Start = (cmd: Command, input: () => Record<string, unknown>) => Promise<void>;

/** The kinds a command's switch runs instead of its own (`invoice --corrections`). */
const variants = new WeakMap<Command, Array<{ spec: CommandSpec; start: Start }>>();

/**
 * Adds a command to the program; `start` runs it with the input its command line gave.
 * A kind with a `switch` becomes that switch on the command of its words (made before it): its own
 * flags are added where missing, and a flag it does not take is refused beside the switch.
 */
export function addCommand(program: Command, work: Commanded, jsonOption: () => Option, start: Start): void {
  const spec = work.command;
  if (!spec) return;
  const fields = fieldsOf(work);
  if (spec.switch) {
    const base = parentOf(program, spec.words).commands.find((c) => c.name() === spec.words.at(-1));
    if (!base) throw new Error(`${work.name}: no command "${spec.words.join(' ')}" for its ${spec.switch}`);
    const known = new Set(base.options.map((o) => o.long));
    base.addOption(new Option(spec.switch, `instead: ${spec.description}`));
    for (const [name, flag] of Object.entries(spec.flags ?? {})) {
      if (!known.has(name)) base.addOption(optionOf(name, flag, fields[flag.key], spec.example));
    }
    variants.set(base, [...(variants.get(base) ?? []), { spec, start }]);
    return;
  }
  const cmd = parentOf(program, spec.words)
    .command(spec.words.at(-1) ?? work.name)
    .addOption(jsonOption())
    .description(spec.description);
  for (const arg of spec.args ?? []) cmd.argument(`<${arg.name}${arg.variadic ? '...' : ''}>`, arg.help);
  // Another command's words follow: their flags pass through as words, so --help is looked for among them.
  if (spec.passThrough) cmd.allowUnknownOption().helpOption(false);
  cmd.action(async (...received: unknown[]) => {
    // commander passes the arguments, then the options, then the command itself.
    const args = received.slice(0, spec.args?.length ?? 0) as Array<string | string[]>;
    if (spec.passThrough && args.flat().some((w) => w === '--help' || w === '-h')) {
      cmd.outputHelp();
      return;
    }
    const options = new Map(cmd.options.flatMap((o) => (o.long ? [[o.long, o] as const] : [])));
    const given = (o: Option) => cmd.getOptionValue(o.attributeName()) !== undefined;
    const chosen = (variants.get(cmd) ?? []).find((v) => {
      const option = options.get(v.spec.switch ?? '');
      return option !== undefined && given(option);
    });
    const run = chosen ?? { spec, start };
    await run.start(cmd, () => {
      // Beside a switch only its kind's own flags; without one only the command's own.
      const taken = new Set([
        '--json',
        ...Object.keys(run.spec.flags ?? {}),
        ...(run.spec.switch ? [run.spec.switch] : []),
      ]);
      for (const [name, option] of options) {
        if (!taken.has(name) && given(option)) {
          throw new ConfigError([`${name} does not go with ${run.spec.switch ?? spec.words.join(' ')}`]);
        }
      }
      return inputOfCommand(run.spec, args, cmd, options);
    });
  });
  for (const [name, flag] of Object.entries(spec.flags ?? {})) {
    cmd.addOption(optionOf(name, flag, fields[flag.key], spec.example));
  }
  if (spec.helpAfter) cmd.addHelpText('after', ['', ...spec.helpAfter].join('\n'));
}
