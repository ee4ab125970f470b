/**
 * `rcp-odoo setup --remove`: takes the workspace away again, in the reverse order of its creation, with
 * its external IDs, and puts back the settings setup changed where that is safe. The records people
 * and the connector made in the workspace's models (runs, ledger…) go with their models, so without
 * `--confirm` it only counts them and refuses.
 */
import { XMLID_MODULE } from '../../mappings/external-ids.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { ACTION_GROUP_HEADING, ACTION_GUARDS, workspaceDefinition } from './definition.ts';
import { readGuards } from './guards.ts';
import { MODELS } from './models.ts';
import { forgetMarks, markLedger } from './payment-marks.ts';
import {
  PARAM_PREVIOUS,
  PARAM_VERSION,
  readPrevious,
  readSettings,
  restorePrecisions,
  setPricelists,
  writeParam,
} from './settings.ts';

export interface RemoveOptions {
  confirm: boolean;
  dryRun: boolean;
  /** Payments (by name) whose record of having reached RCP goes too: a new workspace may send them again. */
  forget?: readonly string[];
}

export interface RemoveReport {
  removed: boolean;
  /** Records in the workspace's models, per model: what would go with them. */
  records: Record<string, number>;
  items: Array<{ xmlid: string; model: string }>;
  settings: Array<{ what: string; action: string }>;
  /** Payments whose record of what reached RCP stays on the payment (kept: a new workspace never resends them). */
  paymentsKept: number;
  /** Payments named with --forget whose record was dropped. */
  paymentsForgotten: string[];
}

/** The models whose records setup makes (the kinds of item in the definition), for finding leftovers. */
export const WORKSPACE_KINDS = [
  'ir.asset',
  'ir.attachment',
  'ir.actions.report',
  'report.paperformat',
  'ir.ui.menu',
  'ir.actions.act_window',
  'ir.actions.server',
  'ir.ui.view',
  'ir.default',
  'ir.model.access',
  'ir.rule',
  'ir.model.fields',
  'ir.model',
  'res.groups',
  'res.groups.privilege',
];

/** Records per workspace model, from `ir.model`'s own count (needs no right on the models themselves). */
export async function countWorkspaceRecords(odoo: OdooClient): Promise<Record<string, number>> {
  const existing = await odoo.searchRead<{ id: number; model: string; count: number }>(
    'ir.model',
    [['model', 'in', MODELS.map((m) => m.model)]],
    ['model', 'count'],
  );
  return Object.fromEntries(existing.map((m) => [m.model, m.count]));
}

export async function removeWorkspace(odoo: OdooClient, options: RemoveOptions): Promise<RemoveReport> {
  const records = await countWorkspaceRecords(odoo);
  const data = await odoo.searchRead<{ id: number; name: string; model: string; res_id: number }>(
    'ir.model.data',
    [
      ['module', '=', XMLID_MODULE],
      ['model', 'in', WORKSPACE_KINDS],
    ],
    ['name', 'model', 'res_id'],
  );
  const items = data.map((d) => ({ xmlid: `${XMLID_MODULE}.${d.name}`, model: d.model }));
  const total = Object.values(records).reduce((a, b) => a + b, 0);
  const report: RemoveReport = {
    removed: false,
    records,
    items,
    settings: [],
    paymentsKept: 0,
    paymentsForgotten: [],
  };
  if ((options.forget ?? []).length > 0 && !options.confirm)
    throw new ConfigError(['--forget goes with --remove --confirm']);
  if (options.dryRun || (total > 0 && !options.confirm)) {
    report.settings = await plannedRestores(odoo);
    return report;
  }
  if ((records.x_rcp_payment ?? 0) > 0) {
    // The money history stays on the payments (payment-marks.ts): marked now where it is not yet.
    // A send in flight keeps its mark "intent": a new workspace flags it for review, never resends.
    report.paymentsKept = (await markLedger(odoo)).marked;
  }
  report.paymentsForgotten = await forgetMarks(odoo, options.forget ?? []);
  report.paymentsKept -= report.paymentsForgotten.length;

  // 17, 18: the groups' "RCP" heading is Odoo's (ir.module.category, superuser only): its own action
  // takes it away, before the actions go.
  const heading = data.find((d) => d.model === 'ir.actions.server' && d.name === ACTION_GROUP_HEADING);
  if (heading) {
    await odoo.callOn('ir.actions.server', 'run', [heading.res_id], undefined, {
      active_model: 'x_rcp_lock',
      rcp_remove: true,
    });
  }
  // The guards' triggers and their functions: functions would outlive the tables.
  const guards = data.find((d) => d.model === 'ir.actions.server' && d.name === ACTION_GUARDS);
  if (guards) await readGuards(odoo, guards.res_id, { remove: true });
  // Reverse order of the definition; leftovers of older definitions by their kind's place.
  const definition = workspaceDefinition(odoo.capabilities);
  const order = [...new Set(definition.map((i) => i.model))].reverse();
  for (const kind of WORKSPACE_KINDS) if (!order.includes(kind)) order.push(kind);
  for (const kind of order) {
    const ids = data.filter((d) => d.model === kind).map((d) => d.res_id);
    if (ids.length === 0) continue;
    // Fields of a removed model go with it, except computed ones: Odoo refuses to drop a field
    // another depends on, so those go first. Fields on Odoo's own models are unlinked here too.
    const domain: unknown[] = [['id', 'in', ids]];
    // Many2many fields too: dropping their field drops their relation table, which dropping the
    // model leaves behind (with rows whose foreign key the next setup cannot make again). One2many
    // fields too: Odoo refuses to drop a model whose many2one a one2many of another model reads.
    if (kind === 'ir.model.fields') {
      domain.push(
        '|',
        '|',
        '|',
        ['model', 'not in', MODELS.map((m) => m.model)],
        ['compute', '!=', false],
        ['related', '!=', false],
        ['ttype', 'in', ['many2many', 'one2many']],
      );
    }
    const live = await odoo.search(kind, domain, { context: { active_test: false } });
    if (live.length === 0) continue;
    if (kind !== 'ir.model.fields') {
      await odoo.unlink(kind, live);
      continue;
    }
    // Odoo refuses to drop a field that a manual field still reads, even one dropped in the same
    // call (a related or computed field of another model of ours): one at a time, each before what
    // it reads, i.e. in the reverse of the order the definition creates them.
    const place = new Map(definition.map((item, index) => [item.name, index]));
    const nameOfId = new Map(data.filter((d) => d.model === kind).map((d) => [d.res_id, d.name]));
    const rank = (id: number) => place.get(nameOfId.get(id) ?? '') ?? Number.MAX_SAFE_INTEGER;
    for (const id of [...live].sort((a, b) => rank(b) - rank(a))) await odoo.unlink(kind, [id]);
  }
  // Odoo drops some external IDs itself with their records; the rest go here.
  const left = await odoo.search('ir.model.data', [['id', 'in', data.map((d) => d.id)]]);
  await odoo.unlink('ir.model.data', left);
  report.settings = await restoreSettings(odoo);
  await writeParam(odoo, PARAM_VERSION, false);
  report.removed = true;
  return report;
}

async function plannedRestores(odoo: OdooClient): Promise<RemoveReport['settings']> {
  const previous = await readPrevious(odoo);
  if (!previous) return [{ what: 'settings', action: 'setup changed none' }];
  const out: RemoveReport['settings'] = [];
  if (previous.priceDigits !== undefined)
    out.push({ what: "decimal precision 'Product Price'", action: `back to ${previous.priceDigits}` });
  if (previous.quantityDigits !== undefined)
    out.push({
      what: `decimal precision '${odoo.capabilities.quantityPrecision.name}'`,
      action: `back to ${previous.quantityDigits}`,
    });
  if (previous.pricelists === false)
    out.push({ what: 'Pricelists feature', action: await pricelistRestore(odoo) });
  return out;
}

/**
 * Turning Pricelists off archives every price list (Odoo's own settings do): safe only while the
 * connector has synced none, else they would vanish from contacts. Kept on otherwise, and said so.
 */
async function pricelistRestore(odoo: OdooClient): Promise<string> {
  const synced = await odoo.searchCount('ir.model.data', [
    ['module', '=', XMLID_MODULE],
    ['model', '=', 'product.pricelist'],
  ]);
  return synced > 0
    ? `kept on: ${synced} price list(s) synced from RCP would be archived (turn it off in Settings if you mean it)`
    : 'back to off';
}

async function restoreSettings(odoo: OdooClient): Promise<RemoveReport['settings']> {
  const planned = await plannedRestores(odoo);
  const previous = await readPrevious(odoo);
  if (previous) {
    await restorePrecisions(odoo, previous);
    const state = await readSettings(odoo);
    if (
      previous.pricelists === false &&
      state.pricelists &&
      (await pricelistRestore(odoo)) === 'back to off'
    ) {
      await setPricelists(odoo, false);
    }
    await writeParam(odoo, PARAM_PREVIOUS, false);
  }
  return planned;
}
