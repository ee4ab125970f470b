import { table } from '../../mappings/text-table.ts';
import { ConfigError } from '../errors.ts';
import { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { MARK_NAME } from '../workspace/payment-marks.ts';
import { removeWorkspace } from '../workspace/remove.ts';
import { type SetupReport, setupWorkspace } from '../workspace/setup.ts';
import { type CommandContext, EXIT } from './context.ts';

export interface SetupInput {
  dryRun: boolean;
  remove: boolean;
  confirm: boolean;
  /** With remove + confirm: payments (by name) whose record of having reached RCP goes too. */
  forget?: readonly string[];
  connectorUser: string | undefined;
}

/** Creates (or removes) the RCP workspace in Odoo; run by an ERP admin with ODOO_USER an administrator. */
export async function runSetup(ctx: CommandContext, input: SetupInput): Promise<number> {
  const config = ctx.config(['odoo']);
  const odoo = await OdooClient.connect(config.odoo, { log: ctx.log });
  try {
    if (input.remove) return await remove(ctx, odoo, input);
    const report = await setupWorkspace(odoo, {
      dryRun: input.dryRun,
      connectorLogin: input.connectorUser ?? odoo.config.user,
      currency: config.companyCurrency,
      installRussian: config.installRussian,
    });
    ctx.out.result(report, describe(report, odoo));
    return EXIT.done;
  } catch (error) {
    if (error instanceof OdooError && error.kind === 'access') {
      throw new ConfigError([
        `setup needs an Odoo administrator (Settings → Users: Administration "Settings"), and ODOO_USER=${odoo.config.user} is refused (${error.serverMessage.replace(/\.\s*$/, '')}). Run it with an administrator's login and name the connector's user with --connector-user ${odoo.config.user}.`,
      ]);
    }
    throw error;
  } finally {
    await odoo.close();
  }
}

function describe(report: SetupReport, odoo: OdooClient): string {
  const { counts } = report;
  const changed = report.items.filter((i) => i.action !== 'unchanged');
  const lines = [
    `${report.dryRun ? 'Dry run (nothing written): ' : ''}RCP workspace in ${odoo.config.url} database ${odoo.config.db} (Odoo ${odoo.version}), definition ${report.version}${report.previousVersion && report.previousVersion !== report.version ? ` (was ${report.previousVersion})` : ''}`,
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

async function remove(ctx: CommandContext, odoo: OdooClient, input: SetupInput): Promise<number> {
  const report = await removeWorkspace(odoo, {
    confirm: input.confirm,
    dryRun: input.dryRun,
    forget: input.forget ?? [],
  });
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
    ctx.out.result(report, lines.join('\n'));
    return EXIT.done;
  }
  if (input.dryRun) {
    lines.unshift('Dry run: setup --remove would remove');
    ctx.out.result(report, lines.join('\n'));
    return EXIT.done;
  }
  lines.unshift(
    `Refused: removing the workspace deletes ${total} record(s) people and the connector made (runs, the payments ledger…). Run \`rcp-odoo setup --remove --confirm\` to delete them with it.`,
  );
  ctx.out.result(report, lines.join('\n'));
  return EXIT.usage;
}
