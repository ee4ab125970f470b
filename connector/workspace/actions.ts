/**
 * The workspace's server actions, run by their external ID: one Odoo call, one transaction, with the
 * action's own checks (claims, the ledger, draft marks, links, runs). Their ids are resolved once per
 * client; an Odoo without the workspace is told to run `rcp-odoo setup`.
 */
import { WorkspaceMissingError } from '../errors.ts';
import type { OdooClient } from '../odoo/client.ts';
import { externalIds } from '../odoo/external-ids.ts';
import { fullXmlid } from './items.ts';

const actionIds = new WeakMap<OdooClient, Map<string, number>>();

/** The id of one of the workspace's server actions (resolved once per client). */
async function actionId(odoo: OdooClient, name: string): Promise<number> {
  let cache = actionIds.get(odoo);
  if (!cache) {
    cache = new Map();
    actionIds.set(odoo, cache);
  }
  const known = cache.get(name);
  if (known !== undefined) return known;
  const found = await externalIds(odoo).resolve([fullXmlid(name)]);
  const id = found.get(fullXmlid(name))?.id;
  if (id === undefined) {
    throw new WorkspaceMissingError([
      `the RCP workspace is not set up in this Odoo (no ${fullXmlid(name)}), or is older than this connector: run \`rcp-odoo setup\` as an Odoo administrator`,
    ]);
  }
  cache.set(name, id);
  return id;
}

/** Runs one of the workspace's server actions on `model` with `context` (one Odoo transaction). */
export async function runWorkspaceAction(
  odoo: OdooClient,
  name: string,
  model: string,
  context: Record<string, unknown>,
): Promise<unknown> {
  return runServerAction(odoo, await actionId(odoo, name), model, context);
}

/** Runs the server action `id` on `model` with `context`: the one way the connector runs a server action. */
export async function runServerAction(
  odoo: OdooClient,
  id: number,
  model: string,
  context: Record<string, unknown>,
): Promise<unknown> {
  return odoo.callOn('ir.actions.server', 'run', [id], undefined, { active_model: model, ...context });
}
