/**
 * The `rcp-odoo` command line. Every command is made from what it declares, by one piece of code
 * (work-command.ts): the kinds of work (check, sync, invoice, payments, reconcile: connector/work),
 * then the others (match, documents, worker, enqueue, setup, simulator, demo: commands.ts). Exit
 * codes: 0 done, 1 done with some records failed (each named), 2 bad configuration or usage.
 */
import { Command, CommanderError, Option } from 'commander';
import { visibleControls } from '../../mappings/safe-text.ts';
import { ConfigError, PermanentError, messageOf } from '../errors.ts';
import { WORK, type WorkName } from '../work/registry.ts';
import type { AnyWork } from '../work/work.ts';
import { runCliCommand } from './command.ts';
import { COMMANDS } from './commands.ts';
import { type CommandContext, EXIT, createContext } from './context.ts';
import { addCommand } from './work-command.ts';

type Action = (ctx: CommandContext) => Promise<number>;

/** A kind of work from the registry, its running loaded when its command runs (--help does not pay for it). */
async function runWork(ctx: CommandContext, name: WorkName, input: unknown): Promise<number> {
  const { runWork: run } = await import('./run-work.ts');
  return run(ctx, WORK[name] as AnyWork, input);
}

function jsonOption(): Option {
  return new Option('--json', 'machine-readable summary on stdout');
}

export function buildProgram(run: (json: boolean, action: Action) => Promise<void>): Command {
  const program = new Command('rcp-odoo')
    .description('Brings RCP billing (partners, clients, tariffs, usage, payments) into Odoo 17/18/19.')
    .addOption(jsonOption())
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();

  const json = (cmd: Command): boolean => Boolean(cmd.optsWithGlobals().json);

  // Each kind of work's command, as it declares it (connector/work): one loop, no kind named here.
  for (const [name, work] of Object.entries(WORK) as [WorkName, AnyWork][]) {
    addCommand(program, work, jsonOption, (cmd, input) =>
      run(json(cmd), async (ctx) => runWork(ctx, name, input())),
    );
  }

  // Every other command, as it declares it (commands.ts), made by the same code.
  for (const command of COMMANDS) {
    addCommand(program, command, jsonOption, (cmd, input) =>
      run(json(cmd), async (ctx) => runCliCommand(ctx, command, input())),
    );
  }

  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  let exitCode: number = EXIT.done;
  const run = async (json: boolean, action: Action) => {
    const ctx = createContext(json);
    try {
      exitCode = await action(ctx);
    } catch (error) {
      // Loaded here, not at start: --help and commands without Odoo do not pay for the Odoo client.
      const { isOdooSettingError } = await import('../odoo/client.ts');
      const refusedByRcp = error instanceof PermanentError && error.status === 401;
      if (error instanceof ConfigError || isOdooSettingError(error) || refusedByRcp) {
        // A wrong password, database or ODOO_URL, or RCP credentials refused, is bad configuration too.
        const problems = error instanceof ConfigError ? error.problems : [messageOf(error)];
        exitCode = EXIT.usage;
        if (json) process.stdout.write(`${JSON.stringify({ ok: false, errors: problems }, null, 2)}\n`);
        for (const p of problems) process.stderr.write(`rcp-odoo: ${visibleControls(p)}\n`);
      } else {
        exitCode = EXIT.someFailed;
        ctx.log.debug({ err: error }, 'command failed');
        if (json)
          process.stdout.write(`${JSON.stringify({ ok: false, error: messageOf(error) }, null, 2)}\n`);
        process.stderr.write(`rcp-odoo: ${visibleControls(messageOf(error))}\n`);
      }
    }
  };
  const program = buildProgram(run);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors get the contract's code 2.
      return error.exitCode === 0 ? EXIT.done : EXIT.usage;
    }
    throw error;
  }
  return exitCode;
}
