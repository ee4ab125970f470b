/**
 * `rcp-odoo setup`: creates or updates the RCP workspace in Odoo (models, views, menu, groups,
 * rights) and the settings money needs; `--remove` takes it away. Run by an ERP admin with ODOO_USER
 * an administrator.
 */
import { z } from 'zod';
import { table } from '../../mappings/text-table.ts';
import { ConfigError } from '../errors.ts';
import { EXIT } from '../work/work.ts';
import { MARK_NAME } from '../workspace/payment-marks.ts';
import type { RemoveReport } from '../workspace/remove.ts';
import type { SetupReport } from '../workspace/setup.ts';
import type { CliCommand } from './command.ts';
import { withOdoo } from './open-deps.ts';

const SetupInput = z
  .object({
    dryRun: z.boolean(),
    remove: z.boolean(),
    confirm: z.boolean(),
    /** With remove + confirm: payments (by name, comma-separated) whose record of having reached RCP goes too. */
    forget: z.string().optional(),
    connectorUser: z.string().optional(),
  })
  .superRefine((input, ctx) => {
    if (input.confirm && !input.remove)
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: '--confirm goes with --remove' });
    if (input.forget !== undefined && !(input.remove && input.confirm))
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: '--forget goes with --remove --confirm' });
  })
  .transform((input) => ({
    ...input,
    forget: (input.forget ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean),
  }));
export type SetupInput = z.infer<typeof SetupInput>;

/** Where setup ran, for its summary. */
interface Where {
  url: string;
  db: string;
  version: string;
}

type SetupDone = { setup: SetupReport; where: Where } | { remove: RemoveReport; dryRun: boolean };

export const setup: CliCommand<SetupInput, SetupDone> = {
  name: 'setup',
  input: SetupInput,
  command: {
    words: ['setup'],
    description:
      'create or update the RCP workspace in Odoo (models, views, menu, groups, rights) and the settings money needs; run as an Odoo administrator',
    flags: {
      '--dry-run': {
        key: 'dryRun',
        help: 'print the plan (create / update / unchanged per item), write nothing',
      },
      '--remove': { key: 'remove', help: 'remove the workspace and put back the settings setup changed' },
      '--confirm': {
        key: 'confirm',
        help: 'with --remove: also delete the records made in the workspace (runs, ledger…); what reached RCP stays recorded on each payment',
      },
      '--forget': {
        key: 'forget',
        value: 'names',
        help: 'with --remove --confirm: comma-separated payment names (e.g. PBNK1/2026/00001) whose record of having reached RCP goes too, so that a new workspace may send them again',
      },
      '--connector-user': {
        key: 'connectorUser',
        value: 'login',
        help: "the connector's own Odoo user (default: ODOO_USER)",
      },
    },
    example: 'setup --dry-run',
  },
  run: async (ctx, input) => {
    const { OdooError } = await import('../odoo/errors.ts');
    return withOdoo(ctx, async (odoo, config) => {
      try {
        if (input.remove) {
          const { removeWorkspace } = await import('../workspace/remove.ts');
          const report = await removeWorkspace(odoo, {
            confirm: input.confirm,
            dryRun: input.dryRun,
            forget: input.forget,
          });
          return { remove: report, dryRun: input.dryRun };
        }
        const { setupWorkspace } = await import('../workspace/setup.ts');
        const report = await setupWorkspace(odoo, {
          dryRun: input.dryRun,
          connectorLogin: input.connectorUser ?? odoo.config.user,
          currency: config.companyCurrency,
          installRussian: config.installRussian,
        });
        return { setup: report, where: { url: odoo.config.url, db: odoo.config.db, version: odoo.version } };
      } catch (error) {
        if (error instanceof OdooError && error.kind === 'access') {
          throw new ConfigError([
            `setup needs an Odoo administrator (Settings → Users: Administration "Settings"), and ODOO_USER=${odoo.config.user} is refused (${error.serverMessage.replace(/\.\s*$/, '')}). Run it with an administrator's login and name the connector's user with --connector-user ${odoo.config.user}.`,
          ]);
        }
        throw error;
      }
    });
  },
  summary: (done) =>
    'setup' in done ? describe(done.setup, done.where) : describeRemove(done.remove, done.dryRun),
  json: (done) => ('setup' in done ? done.setup : done.remove),
  // Refused: the workspace holds records and --confirm was not given.
  exit: (done) => ('remove' in done && !done.remove.removed && !done.dryRun ? EXIT.usage : EXIT.done),
};

function describe(report: SetupReport, where: Where): string {
  const { counts } = report;
  const changed = report.items.filter((i) => i.action !== 'unchanged');
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): ' : ''}RCP workspace in ${where.url} database ${where.db} (Odoo ${where.version}), definition ${report.version}${report.previousVersion && report.previousVersion !== report.version ? ` (was ${report.previousVersion})` : ''}`,
    `items: ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged`.replace(
      /to (create|update)/g,
      report.dryRun ? 'to $1' : '$1d',
    ),
  ];
  if (changed.length > 0) {
    lines.push(
      table([
        ['action', 'external ID', 'model', 'fields'],
        ...changed.map((i) => [i.action, i.xmlid, i.model, i.fields?.join(', ') ?? '']),
      ]),
    );
  }
  lines.push('', 'Settings money needs:');
  for (const s of report.settings) {
    lines.push(
      `  ${s.action === 'change' ? (report.dryRun ? 'will change' : 'changed') : 'already'}  ${s.what}: ${s.action === 'change' ? `${s.from} → ${s.to}` : s.to}`,
    );
  }
  lines.push('', 'Users:');
  for (const u of report.users) {
    lines.push(
      `  ${u.action === 'add' ? (report.dryRun ? 'will add' : 'added') : 'already'}  ${u.login} in ${u.group}`,
    );
  }
  if (report.obsolete.length > 0) {
    lines.push(
      '',
      `Kept from an older definition (they may hold data; \`setup --remove\` takes them): ${report.obsolete.join(', ')}`,
    );
  }
  if (report.retired.length > 0) {
    lines.push(
      '',
      `${report.dryRun ? 'Will remove' : 'Removed'} server action(s) an older setup made and this one does not: ${report.retired.join(', ')}`,
    );
  }
  if (report.guards.length > 0) lines.push('', `Database guards: ${report.guards.join(', ')}`);
  lines.push('', russianLine(report));
  if (!report.dryRun) {
    lines.push(
      '',
      'Done. Give accountants the group "RCP / User" (Settings → Users); the menu is Accounting → RCP.',
    );
  }
  return lines.join('\n');
}

function russianLine(report: SetupReport): string {
  const { language, written } = report.russian;
  if (language === 'missing')
    return 'Russian: not active in this Odoo, so the workspace shows in English only. To have it in Russian, set ODOO_INSTALL_RUSSIAN=yes and run setup again (it activates Russian, as Settings → Languages does), or activate Russian yourself and run setup again.';
  const verb = report.dryRun ? 'to write' : 'written';
  return `Russian: ${language === 'activated' ? 'activated now; ' : ''}${written.length} text(s) of the workspace ${verb} in Russian${written.length === 0 ? ' (all already are)' : ''}. Users whose language is Russian see the workspace in Russian.`;
}

function describeRemove(report: RemoveReport, dryRun: boolean): string {
  const counts = Object.entries(report.records).filter(([, n]) => n > 0);
  const total = counts.reduce((a, [, n]) => a + n, 0);
  const recordsLine =
    counts.length === 0
      ? 'no records in the workspace models'
      : `${total} record(s) in the workspace models: ${counts.map(([m, n]) => `${n} ${m}`).join(', ')}`;
  const lines = [`${report.items.length} workspace item(s); ${recordsLine}.`];
  for (const s of report.settings) lines.push(`  ${s.what}: ${s.action}`);
  if (report.paymentsForgotten.length > 0)
    lines.push(
      `Forgotten (a new workspace may send them to RCP again): ${report.paymentsForgotten.join(', ')}`,
    );
  if (report.paymentsKept > 0)
    lines.push(
      `Kept: ${report.paymentsKept} payment(s) recorded as sent (or being sent) to RCP, on each payment (${MARK_NAME}): a new workspace never sends them again (--forget NAME,… to let one go again).`,
    );
  if (report.removed) {
    lines.unshift('Removed the RCP workspace:');
    return lines.join('\n');
  }
  if (dryRun) {
    lines.unshift('Dry run: setup --remove would remove');
    return lines.join('\n');
  }
  lines.unshift(
    `Refused: removing the workspace deletes ${total} record(s) people and the connector made (runs, the payments ledger…). Run \`rcp-odoo setup --remove --confirm\` to delete them with it.`,
  );
  return lines.join('\n');
}
