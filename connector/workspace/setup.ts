import { createHash } from 'node:crypto';
import { XMLID_MODULE } from '../../mappings/external-ids.ts';
import { ConfigError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
/**
 * `rcp-odoo setup`: creates or updates the RCP workspace in Odoo as data (no Python module), then the
 * database guards, the connector user's group and the settings money needs. Idempotent: each item is
 * found by its external ID and written only when it differs; a second run changes nothing.
 */
import { externalIds } from '../odoo/external-ids.ts';
import {
  ACTION_GROUP_HEADING,
  ACTION_GUARDS,
  ACTION_TRANSLATE,
  GROUP_CONNECTOR,
  GROUP_MANAGER,
  workspaceDefinition,
} from './definition.ts';
import { readGuards } from './guards.ts';
import { type WorkspaceItem, fullXmlid, referencesOf } from './items.ts';
import { type ItemPlan, type PlanCounts, type Values, countPlans, planItem, resolveValues } from './plan.ts';
import { WORKSPACE_KINDS } from './remove.ts';
import {
  PARAM_VERSION,
  type SettingStep,
  applySettings,
  checkCurrency,
  planSettings,
  readParam,
  readSettings,
  writeParam,
} from './settings.ts';
import { RUSSIAN, russianEntries } from './translations.ts';

export interface SetupOptions {
  dryRun: boolean;
  /** Login of the connector's own Odoo user, given the connector group (default: ODOO_USER). */
  connectorLogin: string;
  /** Expected company currency (ISO code). */
  currency: string;
  /** The admin's consent (ODOO_INSTALL_RUSSIAN=yes) to activate Russian in Odoo when it is missing. */
  installRussian?: boolean;
}

/**
 * The workspace in Russian: `missing` when Odoo has no active Russian and setup was not allowed to
 * activate it (the workspace then shows in English only); `activated` when setup activated it now.
 * `written`: the texts written in Russian by this run (or, dry run, to write).
 */
export interface RussianReport {
  language: 'active' | 'activated' | 'missing';
  written: string[];
}

export interface SetupReport {
  dryRun: boolean;
  version: string;
  previousVersion: string | undefined;
  counts: PlanCounts;
  items: Array<{ xmlid: string; model: string; action: ItemPlan['action']; fields?: string[] }>;
  settings: SettingStep[];
  guards: string[];
  users: Array<{ login: string; group: string; action: 'add' | 'unchanged' }>;
  /** Workspace records of an older definition: kept (they may hold data), removed by `setup --remove`. */
  obsolete: string[];
  /** Server actions of an older definition that no longer exist in this one: removed (or, dry run, to remove). */
  retired: string[];
  russian: RussianReport;
}

/**
 * Server actions older definitions made and this one does not (they hold no data, and nothing
 * calls them any more): setup removes them, found by their external IDs.
 */
export const RETIRED_ACTIONS = ['action_claim_payment', 'action_claim_key', 'action_release_key'] as const;

/** A short stamp of the definition for this Odoo version: `check` compares it with the one stored. */
export function definitionVersion(items: readonly WorkspaceItem[]): string {
  return createHash('sha256').update(JSON.stringify(items)).digest('hex').slice(0, 12);
}

export async function setupWorkspace(odoo: OdooClient, options: SetupOptions): Promise<SetupReport> {
  const settingsState = await readSettings(odoo);
  checkCurrency(settingsState, options.currency);
  const connectorUser = await userByLogin(odoo, options.connectorLogin);

  const items = workspaceDefinition(odoo.capabilities);
  const version = definitionVersion(items);
  const previousVersion = await readParam(odoo, PARAM_VERSION);
  const ids = await resolveAll(odoo, items);
  const plans: ItemPlan[] = [];
  for (const batch of batchesOf(items)) {
    plans.push(...(await applyBatch(odoo, batch, ids, options.dryRun)));
  }
  if (!options.dryRun) await finishDeferred(odoo, plans, ids);

  const guards = options.dryRun ? [] : await runGuards(odoo, ids);
  if (!options.dryRun) await runGroupHeading(odoo, ids);
  const russian = await writeRussian(odoo, items, ids, options);
  const retired = await removeRetired(odoo, options.dryRun);
  const obsolete = await obsoleteItems(odoo, items);
  const users = await grantGroups(odoo, ids, connectorUser, options.dryRun);
  const settings = planSettings(settingsState, odoo.capabilities.quantityPrecision.name);
  if (!options.dryRun) {
    await applySettings(odoo, settingsState);
    if (previousVersion !== version) await writeParam(odoo, PARAM_VERSION, version);
  }
  return {
    dryRun: options.dryRun,
    version,
    previousVersion,
    counts: countPlans(plans),
    items: plans.map((p) => ({
      xmlid: fullXmlid(p.item.name),
      model: p.item.model,
      action: p.action,
      ...(p.action === 'update' ? { fields: p.fields } : {}),
    })),
    settings,
    guards,
    users,
    obsolete,
    retired,
    russian,
  };
}

/**
 * Russian: activated (Odoo's own wizard, which also loads Odoo's translations) when missing and the
 * admin consented; then the workspace's texts written through `action_translate` (what differs only).
 */
async function writeRussian(
  odoo: OdooClient,
  items: readonly WorkspaceItem[],
  ids: Map<string, number>,
  options: SetupOptions,
): Promise<RussianReport> {
  const [lang] = await odoo.searchRead<{ id: number; active: boolean }>(
    'res.lang',
    [['code', '=', RUSSIAN]],
    ['active'],
    { context: { active_test: false } },
  );
  let language: RussianReport['language'] = lang?.active ? 'active' : 'missing';
  if (language === 'missing' && lang && options.installRussian && !options.dryRun) {
    const [wizard] = await odoo.create('base.language.install', [{ lang_ids: [[6, 0, [lang.id]]] }]);
    if (wizard !== undefined) await odoo.callOn('base.language.install', 'lang_install', [wizard]);
    language = 'activated';
  }
  const entries = russianEntries(items);
  const actionId = ids.get(fullXmlid(ACTION_TRANSLATE));
  if (language === 'missing' || actionId === undefined) {
    // Nothing to write into (or, first dry run, the action does not exist yet): every text is to write.
    return { language, written: language === 'missing' ? [] : entries.map(entryLabel) };
  }
  const answer = await odoo.callOn<{ changed?: string[] } | false | null>(
    'ir.actions.server',
    'run',
    [actionId],
    undefined,
    { active_model: 'x_rcp_lock', rcp_translate: { lang: RUSSIAN, dry_run: options.dryRun, entries } },
  );
  return { language, written: answer && Array.isArray(answer.changed) ? answer.changed : [] };
}

function entryLabel(entry: { xmlid: string; field: string; selection?: string }): string {
  return `${entry.xmlid} ${entry.selection ?? entry.field}`;
}

async function removeRetired(odoo: OdooClient, dryRun: boolean): Promise<string[]> {
  const data = await odoo.searchRead<{ id: number; name: string; res_id: number }>(
    'ir.model.data',
    [
      ['module', '=', XMLID_MODULE],
      ['model', '=', 'ir.actions.server'],
      ['name', 'in', [...RETIRED_ACTIONS]],
    ],
    ['name', 'res_id'],
  );
  if (!dryRun && data.length > 0) {
    const actions = await odoo.searchRead<{ id: number }>(
      'ir.actions.server',
      [['id', 'in', data.map((d) => d.res_id)]],
      ['id'],
    );
    if (actions.length > 0)
      await odoo.unlink(
        'ir.actions.server',
        actions.map((a) => a.id),
      );
    // Odoo drops a record's external IDs with it; one left pointing at nothing goes too.
    const left = await odoo.searchRead<{ id: number }>(
      'ir.model.data',
      [['id', 'in', data.map((d) => d.id)]],
      ['id'],
    );
    if (left.length > 0)
      await odoo.unlink(
        'ir.model.data',
        left.map((d) => d.id),
      );
  }
  return data.map((d) => `${XMLID_MODULE}.${d.name}`);
}

async function obsoleteItems(odoo: OdooClient, items: readonly WorkspaceItem[]): Promise<string[]> {
  const names = new Set(items.map((i) => i.name));
  const rows = await odoo.searchRead<{ id: number; name: string }>(
    'ir.model.data',
    [
      ['module', '=', XMLID_MODULE],
      ['model', 'in', WORKSPACE_KINDS],
    ],
    ['name'],
  );
  return rows.filter((r) => !names.has(r.name)).map((r) => `${XMLID_MODULE}.${r.name}`);
}

async function userByLogin(odoo: OdooClient, login: string): Promise<{ id: number; login: string }> {
  const [user] = await odoo.searchRead<{ id: number; login: string }>(
    'res.users',
    [['login', '=', login]],
    ['login'],
    { limit: 1 },
  );
  if (!user) {
    throw new ConfigError([
      `no Odoo user with login "${login}": create the connector's user first, or name it with --connector-user LOGIN`,
    ]);
  }
  return user;
}

/** Ids of every external ID the definition names or points at (ours and Odoo's own). */
async function resolveAll(odoo: OdooClient, items: readonly WorkspaceItem[]): Promise<Map<string, number>> {
  const names = new Set<string>();
  for (const item of items) {
    names.add(fullXmlid(item.name));
    for (const r of referencesOf(item)) names.add(r);
  }
  const found = await externalIds(odoo).resolve([...names]);
  const ids = new Map<string, number>();
  for (const [xmlid, target] of found) ids.set(xmlid, target.id);
  const missing = [...names].filter((n) => !n.startsWith(`${XMLID_MODULE}.`) && !ids.has(n));
  if (missing.length > 0) {
    throw new ConfigError([
      `Odoo lacks ${missing.join(', ')}: setup needs the Invoicing (account) app installed`,
    ]);
  }
  return ids;
}

/**
 * Consecutive items of one Odoo model, created in one call (one registry reload for all the fields
 * of the workspace); an item that points at another of the same batch starts a new one.
 */
function batchesOf(items: readonly WorkspaceItem[]): WorkspaceItem[][] {
  const batches: WorkspaceItem[][] = [];
  for (const item of items) {
    const last = batches[batches.length - 1];
    const inLast = new Set(last?.map((i) => fullXmlid(i.name)));
    const needsLast = referencesOf(item).some((r) => inLast.has(r));
    if (last && last[0]?.model === item.model && !needsLast) last.push(item);
    else batches.push([item]);
  }
  return batches;
}

async function applyBatch(
  odoo: OdooClient,
  batch: readonly WorkspaceItem[],
  ids: Map<string, number>,
  dryRun: boolean,
): Promise<ItemPlan[]> {
  const model = (batch[0] as WorkspaceItem).model;
  const fields = [...new Set(batch.flatMap((item) => Object.keys(item.values)))];
  const desired = batch.map((item) => resolveValues(item, (x) => ids.get(x)));
  const known = batch.flatMap((item) => {
    const id = ids.get(fullXmlid(item.name));
    return id === undefined ? [] : [id];
  });
  const current = new Map<number, Values>();
  for (const row of await odoo.read(model, known, fields)) current.set(row.id, row);

  // A record made by a run that stopped before naming it: found by its key, named now.
  const adopted: Array<{ item: WorkspaceItem; id: number }> = [];
  for (const [i, item] of batch.entries()) {
    if (ids.has(fullXmlid(item.name)) || !item.key) continue;
    const values = desired[i] as Values;
    const domain = item.key.map((k) => [k, '=', values[k]]);
    const [row] = await odoo.searchRead(model, domain, fields, { limit: 1 });
    if (row) {
      current.set(row.id, row);
      ids.set(fullXmlid(item.name), row.id);
      adopted.push({ item, id: row.id });
    }
  }

  const plans = batch.map((item, i) => {
    const id = ids.get(fullXmlid(item.name));
    return planItem(item, desired[i] as Values, id === undefined ? undefined : current.get(id));
  });
  if (dryRun) return plans;

  const toCreate = plans.filter((p) => p.action === 'create');
  if (toCreate.length > 0) {
    const created = await odoo.create(
      model,
      toCreate.map((p) => ({
        ...p.values,
        ...(p.item.createWith
          ? resolveValues({ ...p.item, values: p.item.createWith }, (x) => ids.get(x))
          : {}),
        // No default `x_name`: every field is an item of its own, with its external ID.
        ...(model === 'ir.model' ? { field_id: [] } : {}),
      })),
    );
    toCreate.forEach((p, i) => {
      const id = created[i];
      if (id !== undefined) {
        ids.set(fullXmlid(p.item.name), id);
        adopted.push({ item: p.item, id });
      }
    });
  }
  for (const plan of plans) {
    if (plan.action !== 'update') continue;
    // What waits for every item (a model's order names its fields) is written by finishDeferred.
    const now = Object.fromEntries(
      Object.entries(plan.values).filter(([k]) => !(plan.item.createWith && k in plan.item.createWith)),
    );
    if (Object.keys(now).length > 0) await odoo.write(model, [plan.id], now);
  }
  if (adopted.length > 0) {
    await odoo.create(
      'ir.model.data',
      adopted.map(({ item, id }) => ({
        module: XMLID_MODULE,
        name: item.name,
        model,
        res_id: id,
        noupdate: true,
      })),
    );
  }
  return plans;
}

/**
 * Items created with provisional values (`createWith`) get their real ones now that all exist; an
 * update of those values waits for the same moment (a setup killed after making a model and before
 * its fields leaves a model whose order names fields the next setup makes first).
 */
async function finishDeferred(
  odoo: OdooClient,
  plans: readonly ItemPlan[],
  ids: Map<string, number>,
): Promise<void> {
  for (const plan of plans) {
    if (plan.action === 'unchanged' || !plan.item.createWith) continue;
    const id = ids.get(fullXmlid(plan.item.name));
    if (id === undefined) continue;
    const real = resolveValues(plan.item, (x) => ids.get(x));
    const keys = Object.keys(plan.item.createWith).filter(
      (k) => plan.action === 'create' || (plan.action === 'update' && k in plan.values),
    );
    if (keys.length === 0) continue;
    await odoo.write(plan.item.model, [id], Object.fromEntries(keys.map((k) => [k, real[k]])));
  }
}

/** Runs the guards action (as the admin running setup): unique indexes and triggers; answers those present. */
async function runGuards(odoo: OdooClient, ids: Map<string, number>): Promise<string[]> {
  const id = ids.get(fullXmlid(ACTION_GUARDS));
  if (id === undefined) throw new Error('the guards action was not created');
  const { found, missing } = await readGuards(odoo, id);
  if (missing.length > 0) throw new Error(`Odoo did not create the database guards ${missing.join(', ')}`);
  return found;
}

/** 17, 18: the groups under an "RCP" heading of Settings → Users, shown without developer mode. */
async function runGroupHeading(odoo: OdooClient, ids: Map<string, number>): Promise<void> {
  const id = ids.get(fullXmlid(ACTION_GROUP_HEADING));
  if (id === undefined) return; // 19: the privilege item is the heading
  await odoo.callOn('ir.actions.server', 'run', [id], undefined, { active_model: 'x_rcp_lock' });
}

/** The connector's user gets the connector group; the admin running setup gets RCP / Manager. */
async function grantGroups(
  odoo: OdooClient,
  ids: Map<string, number>,
  connector: { id: number; login: string },
  dryRun: boolean,
): Promise<SetupReport['users']> {
  const field = odoo.capabilities.userGroupsField;
  const wanted: Array<{ userId: number; group: string }> = [
    { userId: connector.id, group: GROUP_CONNECTOR },
    { userId: odoo.uid, group: GROUP_MANAGER },
  ];
  const users = await odoo.read<{ id: number; login: string } & Record<string, unknown>>(
    'res.users',
    [...new Set(wanted.map((w) => w.userId))],
    ['login', field],
  );
  const out: SetupReport['users'] = [];
  for (const { userId, group } of wanted) {
    const user = users.find((u) => u.id === userId);
    const groupId = ids.get(fullXmlid(group));
    const has = groupId !== undefined && ((user?.[field] as number[] | undefined) ?? []).includes(groupId);
    out.push({
      login: user?.login ?? String(userId),
      group: fullXmlid(group),
      action: has ? 'unchanged' : 'add',
    });
    if (!has && !dryRun && groupId !== undefined)
      await odoo.write('res.users', [userId], { [field]: [[4, groupId]] });
  }
  return out;
}
