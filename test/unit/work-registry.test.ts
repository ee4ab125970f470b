import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../connector/cli/commands.ts';
import { buildProgram } from '../../connector/cli/program.ts';
import { WORK, workOfRun } from '../../connector/work/registry.ts';
import type { AnyWork } from '../../connector/work/work.ts';
import type { RunRequest } from '../../connector/workspace/runs.ts';
import { requestedWork } from '../../jobs/poller.ts';
import { jobIdOf, lockOf } from '../../jobs/queues.ts';

const run = (over: Partial<RunRequest>): RunRequest => ({
  id: 1,
  kind: 'sync',
  period: undefined,
  dryRun: false,
  partner: undefined,
  client: undefined,
  ...over,
});

describe('the registry of kinds of work', () => {
  it('names each kind by its key, as queued jobs carry it', () => {
    for (const [key, work] of Object.entries(WORK)) expect(work.name).toBe(key);
  });

  it('one lock table: the queue and RCP → Runs take the same keys as the versions before', () => {
    expect(lockOf({ kind: 'sync', what: 'all' })).toBe('sync');
    expect(lockOf({ kind: 'sync', what: 'clients', partner: 'p-1' })).toBe('sync');
    expect(lockOf({ kind: 'payments-push' })).toBe('payments-push');
    expect(lockOf({ kind: 'reconcile', period: '2023-06' })).toBeUndefined();
    expect(lockOf({ kind: 'invoice', period: '2023-06' })).toBeUndefined();
    const unit = {
      kind: 'invoice-unit' as const,
      period: '2023-06',
      unit: { kind: 'client' as const, uuid: 'u-1' },
    };
    expect(lockOf(unit as never)).toBe(jobIdOf(unit as never));
    const lockOfRun = (r: RunRequest) => {
      const { work, input } = requestedWork(r);
      return work.lock?.(input);
    };
    expect(lockOfRun(run({ kind: 'sync' }))).toBe('sync');
    expect(lockOfRun(run({ kind: 'sync', dryRun: true }))).toBe('sync');
    expect(lockOfRun(run({ kind: 'payments' }))).toBe('payments-push');
    expect(lockOfRun(run({ kind: 'payments', dryRun: true }))).toBeUndefined();
    expect(lockOfRun(run({ kind: 'invoice', period: '2023-06' }))).toBeUndefined();
  });

  it('a run requested in RCP → Runs without a valid month is refused before any work, naming the month', () => {
    expect(() => requestedWork(run({ kind: 'reconcile', period: '2023-13' }))).toThrow(
      'a month is needed as YYYY-MM (got "2023-13")',
    );
    expect(() => requestedWork(run({ kind: 'invoice' }))).toThrow('a month is needed as YYYY-MM (got "")');
    expect(workOfRun('payments')?.name).toBe('payments-push');
  });

  it('each kind is a command of the CLI with the flags and arguments it declares, and no others', () => {
    const program = buildProgram(async () => {});
    const commandOf = (words: readonly string[]): Command | undefined =>
      words.reduce<Command | undefined>((c, word) => c?.commands.find((s) => s.name() === word), program);
    const kinds = Object.values(WORK) as AnyWork[];
    for (const work of kinds) {
      const spec = work.command;
      if (!spec) continue;
      const command = commandOf(spec.words);
      const flags = command?.options.map((o) => o.long).filter((f) => f !== '--json');
      if (spec.switch) {
        // A switch on another kind's command (`invoice --corrections`): the switch and its own flags are there.
        expect(flags, work.name).toEqual(
          expect.arrayContaining([spec.switch, ...Object.keys(spec.flags ?? {})]),
        );
        expect(command?.options.find((o) => o.long === spec.switch)?.description).toBe(
          `instead: ${spec.description}`,
        );
        continue;
      }
      expect(command?.description(), work.name).toBe(spec.description);
      // Its own flags, then the switches of the kinds that ride on it.
      const switches = kinds.flatMap((k) =>
        k.command?.switch && k.command.words.join(' ') === spec.words.join(' ') ? [k.command.switch] : [],
      );
      expect(flags, work.name).toEqual([...Object.keys(spec.flags ?? {}), ...switches]);
      expect(command?.registeredArguments.map((a) => a.name())).toEqual((spec.args ?? []).map((a) => a.name));
    }
    expect(commandOf(['check'])).toBeDefined();
  });
});

describe('the other commands of the CLI (commands.ts)', () => {
  const program = buildProgram(async () => {});
  const commandOf = (words: readonly string[]): Command | undefined =>
    words.reduce<Command | undefined>((c, word) => c?.commands.find((s) => s.name() === word), program);

  it('every command in --help is declared once: a kind of work or an entry of COMMANDS, none made by hand', () => {
    const declared = [
      ...(Object.values(WORK) as AnyWork[]).map((w) => w.command),
      ...COMMANDS.map((c) => c.command),
    ].flatMap((spec) => (spec && !spec.switch ? [spec.words[0]] : []));
    expect(program.commands.map((c) => c.name()).sort()).toEqual([...new Set(declared)].sort());
    expect(COMMANDS.map((c) => c.name).sort()).toEqual(
      ['demo', 'documents', 'enqueue', 'match', 'setup', 'simulator', 'worker'].sort(),
    );
  });

  it.each(COMMANDS.map((c) => [c.name, c] as const))(
    '%s has the description, flags (their values, choices and defaults) and arguments it declares, and no others',
    (_name, declared) => {
      const spec = declared.command;
      const command = commandOf(spec.words);
      expect(command?.description()).toBe(spec.description);
      const options = (command?.options ?? []).filter((o) => o.long !== '--json');
      expect(options.map((o) => o.long)).toEqual(Object.keys(spec.flags ?? {}));
      for (const option of options) {
        const flag = spec.flags?.[option.long ?? ''];
        expect(option.flags).toBe(flag?.value ? `${option.long} <${flag.value}>` : option.long);
        expect(option.description).toBe(flag?.help);
        expect(option.mandatory).toBe(Boolean(flag?.required));
        expect(option.argChoices).toEqual(flag?.choices);
        expect(option.defaultValue).toEqual(flag?.default);
      }
      expect(command?.registeredArguments.map((a) => a.name())).toEqual((spec.args ?? []).map((a) => a.name));
      const written: string[] = [];
      command
        ?.configureOutput({
          writeOut: (text) => {
            written.push(text);
          },
        })
        .outputHelp();
      const help = written.join('');
      expect(help).toContain(spec.description.slice(0, 40));
      for (const line of spec.helpAfter ?? []) expect(help).toContain(line);
    },
  );

  it('each reads its input from the command line through its schema: what the command line gives is what it runs with', async () => {
    const seen: Array<[string, unknown]> = [];
    const capture = buildProgram(async (_json, action) => {
      // The action runs the command; a context whose config throws stops it before any I/O.
      await action({
        out: { json: false, result: () => {}, progress: () => ({ tick() {}, setTotal() {}, stop() {} }) },
        log: undefined as never,
        config: () => {
          throw new Error('stop');
        },
      }).catch((error: unknown) => seen.push(['error', (error as Error).message]));
    });
    await capture.parseAsync(['setup', '--remove', '--confirm', '--forget', 'A/1, B/2'], { from: 'user' });
    await capture.parseAsync(['setup', '--confirm'], { from: 'user' });
    await capture.parseAsync(['match', '--link', '42', 'abc', '--unlink', 'x'], { from: 'user' });
    expect(seen).toEqual([
      ['error', 'stop'],
      ['error', expect.stringContaining('--confirm goes with --remove')],
      ['error', expect.stringContaining('give --link or --unlink, not both')],
    ]);
  });
});
