import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { isPeriod } from '../../mappings/period.ts';
/**
 * The `rcp-odoo` command line: flags are parsed here, each command lives in its own file and calls a
 * process. Exit codes: 0 done, 1 done with some records failed (each named), 2 bad configuration or usage.
 */
import { visibleControls } from '../../mappings/safe-text.ts';
import { ConfigError, PermanentError, messageOf } from '../errors.ts';
import type { WorkName } from '../work/registry.ts';
import type { AnyWork } from '../work/work.ts';
import { type CommandContext, EXIT, createContext } from './context.ts';
import { addDocumentsCommand } from './documents.ts';

type Action = (ctx: CommandContext) => Promise<number>;

/** A kind of work from the registry, loaded when its command runs (--help does not pay for it). */
async function runWork(ctx: CommandContext, name: WorkName, input: unknown): Promise<number> {
  const [{ WORK }, { runWork: run }] = await Promise.all([
    import('../work/registry.ts'),
    import('./run-work.ts'),
  ]);
  return run(ctx, WORK[name] as AnyWork, input);
}

function period(value: string): string {
  if (!isPeriod(value)) throw new InvalidArgumentError('a month YYYY-MM is expected, e.g. --period 2026-10');
  return value;
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
  const add = (cmd: Command) => cmd.addOption(jsonOption());

  add(program.command('check'))
    .description(
      'whether this Odoo is ready: RCP, Odoo (version, company, currency, rights, taxes, price precision), the settings and Redis; exit 0 ready (warnings are listed), 1 something failed, 2 a setting is wrong',
    )
    .action(async (_o, cmd: Command) =>
      run(json(cmd), async (ctx) => (await import('./check.ts')).runCheck(ctx)),
    );

  add(program.command('sync'))
    .description(
      'RCP partners and clients → Odoo companies, billing classes → service products, billing plans → price lists',
    )
    .argument('<what>', 'partners | clients | tariffs | all')
    .option('--partner <id>', 'only this RCP partner (and its clients)')
    .option('--dry-run', 'print the plan (create / update / unchanged), write nothing')
    .action(async (what: string, o: { partner?: string; dryRun?: boolean }, cmd: Command) =>
      run(json(cmd), async (ctx) => {
        if (!['partners', 'clients', 'tariffs', 'all'].includes(what)) {
          throw new ConfigError([`sync takes one of partners, clients, tariffs, all (got "${what}")`]);
        }
        return runWork(ctx, 'sync', {
          what: what as 'partners' | 'clients' | 'tariffs' | 'all',
          partner: o.partner,
          dryRun: Boolean(o.dryRun),
        });
      }),
    );

  add(program.command('match'))
    .description(
      'RCP partners and clients not linked to an Odoo company yet, with the probable ones; --link ties one',
    )
    .option(
      '--link <ids...>',
      'ODOO_PARTNER_ID RCP_ID: link an existing Odoo company to an RCP partner or client',
    )
    .option(
      '--unlink <rcpId>',
      'RCP_ID: unlink an RCP partner or client from its Odoo company (it waits in RCP → Counterparties)',
    )
    .action(async (o: { link?: string[]; unlink?: string }, cmd: Command) =>
      run(json(cmd), async (ctx) => {
        if (o.link && o.unlink) throw new ConfigError(['give --link or --unlink, not both']);
        let link: { odooPartnerId: number; rcpId: string } | undefined;
        if (o.link) {
          const [odooId, rcpId, ...extra] = o.link;
          const n = Number(odooId);
          if (!rcpId || extra.length > 0 || !Number.isInteger(n) || n <= 0) {
            throw new ConfigError(['--link takes ODOO_PARTNER_ID RCP_ID, e.g. --link 42 3f6c…-uuid']);
          }
          link = { odooPartnerId: n, rcpId };
        }
        return (await import('./match.ts')).runMatch(ctx, { link, unlink: o.unlink });
      }),
    );

  add(program.command('invoice'))
    .description('a month of RCP usage → one draft customer invoice per invoiced counterparty')
    .requiredOption('--period <YYYY-MM>', 'the month to invoice', period)
    .option('--partner <id>', 'only this RCP partner')
    .option('--client <id>', 'only this RCP client')
    .option('--dry-run', 'print every invoice that would be made, write nothing')
    .option('--force', 'also rewrite drafts an accountant changed in Odoo since the connector wrote them')
    .option(
      '--allow-open-period',
      'invoice the current (still open) or a future month anyway: a provisional, short draft',
    )
    .option(
      '--corrections',
      'instead: for each posted invoice of the month whose RCP usage changed, one draft credit note or additional invoice for exactly the difference',
    )
    .action(
      async (
        o: {
          period: string;
          partner?: string;
          client?: string;
          dryRun?: boolean;
          force?: boolean;
          allowOpenPeriod?: boolean;
          corrections?: boolean;
        },
        cmd: Command,
      ) =>
        run(json(cmd), async (ctx) =>
          o.corrections
            ? runWork(ctx, 'invoice-corrections', {
                period: o.period,
                partner: o.partner,
                client: o.client,
                dryRun: Boolean(o.dryRun),
              })
            : runWork(ctx, 'invoice', {
                period: o.period,
                partner: o.partner,
                client: o.client,
                dryRun: Boolean(o.dryRun),
                force: Boolean(o.force),
                allowOpenPeriod: Boolean(o.allowOpenPeriod),
              }),
        ),
    );

  const payments = program
    .command('payments')
    .description('customer payments recorded in Odoo → RCP balances');
  add(payments.command('push'))
    .description(
      'push posted customer payments of mapped counterparties to RCP, each exactly once; needs PAYMENTS_SINCE',
    )
    .option('--dry-run', 'list what would be sent, send nothing')
    .addHelpText(
      'after',
      [
        '',
        'PAYMENTS_SINCE=YYYY-MM-DD (required): payments dated before it are never pushed, so that payments',
        'recorded before the connector, which RCP already has, are not sent twice.',
        'PAYMENTS_MODE=posted (default) pushes every posted payment; =reconciled only those matched with an invoice.',
      ].join('\n'),
    )
    .action(async (o: { dryRun?: boolean }, cmd: Command) =>
      run(json(cmd), async (ctx) => runWork(ctx, 'payments-push', { dryRun: Boolean(o.dryRun) })),
    );
  add(payments.command('resolve'))
    .description('settle a payment marked "needs review" after checking RCP by hand')
    .argument('<payment>', 'the Odoo payment (id or name)')
    .option('--pushed', 'RCP did receive it: mark it pushed')
    .option('--not-pushed', 'RCP did not receive it: allow the next push to send it')
    .action(async (payment: string, o: { pushed?: boolean; notPushed?: boolean }, cmd: Command) =>
      run(json(cmd), async (ctx) => {
        if (Boolean(o.pushed) === Boolean(o.notPushed)) {
          throw new ConfigError(['payments resolve takes exactly one of --pushed or --not-pushed']);
        }
        return runWork(ctx, 'payments-resolve', {
          payment,
          pushed: Boolean(o.pushed),
        });
      }),
    );

  add(program.command('reconcile'))
    .description('RCP cost vs Odoo invoices per counterparty, and pushed vs recorded payments')
    .requiredOption('--period <YYYY-MM>', 'the month to reconcile', period)
    .action(async (o: { period: string }, cmd: Command) =>
      run(json(cmd), async (ctx) => runWork(ctx, 'reconcile', { period: o.period })),
    );

  addDocumentsCommand(program, run);

  add(program.command('worker'))
    .description('the BullMQ worker with the schedules (needs REDIS_URL)')
    .action(async (_o, cmd: Command) =>
      run(json(cmd), async (ctx) => (await import('./worker.ts')).runWorker(ctx)),
    );

  add(program.command('enqueue'))
    .description(
      'put the job of a command on the queue, e.g. `enqueue sync all`, `enqueue invoice --period 2023-06`',
    )
    .argument('<command...>', 'the same words as the CLI command')
    .allowUnknownOption()
    // The command's own flags (--period, --partner…) pass through as words, so --help is looked for here.
    .helpOption(false)
    .addHelpText(
      'after',
      [
        '',
        'Commands that run as jobs: sync partners|clients|tariffs|all [--partner ID],',
        'invoice --period YYYY-MM [--partner ID] [--client ID], payments push, reconcile --period YYYY-MM.',
        'Needs REDIS_URL; a worker (`rcp-odoo worker`) on the same Redis runs the job.',
      ].join('\n'),
    )
    .action(async (words: string[], _o, cmd: Command) => {
      if (words.includes('--help') || words.includes('-h')) {
        cmd.outputHelp();
        return;
      }
      return run(json(cmd), async (ctx) =>
        (await import('./enqueue.ts')).runEnqueue(
          ctx,
          words.filter((w) => w !== '--json'),
        ),
      );
    });

  add(program.command('setup'))
    .description(
      'create or update the RCP workspace in Odoo (models, views, menu, groups, rights) and the settings money needs; run as an Odoo administrator',
    )
    .option('--dry-run', 'print the plan (create / update / unchanged per item), write nothing')
    .option('--remove', 'remove the workspace and put back the settings setup changed')
    .option(
      '--confirm',
      'with --remove: also delete the records made in the workspace (runs, ledger…); what reached RCP stays recorded on each payment',
    )
    .option(
      '--forget <names>',
      'with --remove --confirm: comma-separated payment names (e.g. PBNK1/2026/00001) whose record of having reached RCP goes too, so that a new workspace may send them again',
    )
    .option('--connector-user <login>', "the connector's own Odoo user (default: ODOO_USER)")
    .action(
      async (
        o: { dryRun?: boolean; remove?: boolean; confirm?: boolean; forget?: string; connectorUser?: string },
        cmd: Command,
      ) =>
        run(json(cmd), async (ctx) => {
          if (o.confirm && !o.remove) throw new ConfigError(['--confirm goes with --remove']);
          if (o.forget !== undefined && !(o.remove && o.confirm))
            throw new ConfigError(['--forget goes with --remove --confirm']);
          return (await import('./setup.ts')).runSetup(ctx, {
            dryRun: Boolean(o.dryRun),
            remove: Boolean(o.remove),
            confirm: Boolean(o.confirm),
            forget: (o.forget ?? '')
              .split(',')
              .map((n) => n.trim())
              .filter(Boolean),
            connectorUser: o.connectorUser,
          });
        }),
    );

  add(program.command('simulator'))
    .description('serve the bundled RCP simulator (demo data, fault injection)')
    .option('--port <n>', 'port to listen on', '8090')
    .option('--host <addr>', 'address to listen on', '127.0.0.1')
    .option('--clients <n>', 'number of generated clients', '40')
    .option('--seed <n>', 'seed of the data generator', '1')
    .option('--token <token>', 'the bearer token it accepts (default: printed at start)')
    .action(async (o: Record<string, string>, cmd: Command) =>
      run(json(cmd), async (ctx) => (await import('./simulator.ts')).runSimulator(ctx, o)),
    );

  add(program.command('demo'))
    .description('run the simulator in-process and sync and invoice its data into the Odoo of ODOO_URL')
    .option('--period <YYYY-MM>', 'the month to invoice (default: the previous month)', period)
    .option(
      '--prepare',
      'only make a NEW Odoo database keep its books in COMPANY_CURRENCY (RUB), as RCP bills; then stop',
    )
    .action(async (o: { period?: string; prepare?: boolean }, cmd: Command) =>
      run(json(cmd), async (ctx) =>
        (await import('./demo.ts')).runDemo(ctx, { period: o.period, prepare: Boolean(o.prepare) }),
      ),
    );

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
