/**
 * The database guards (the unique indexes the exactly-once rules rely on), installed and read by one
 * server action: setup runs it as the administrator to install them, `check` to read them only.
 */
import type { OdooClient } from '../odoo/client.ts';
import { runServerAction } from './actions.ts';
import { uniqueIndexes } from './definition.ts';

/** Runs the guards action (its id) and answers the indexes present and those missing. */
export async function readGuards(
  odoo: OdooClient,
  actionId: number,
  options: { checkOnly?: boolean } = {},
): Promise<{ found: string[]; missing: string[] }> {
  const answer = (await runServerAction(odoo, actionId, 'x_rcp_lock', {
    ...(options.checkOnly ? { rcp_check_only: true } : {}),
  })) as { indexes?: unknown } | false | null;
  const found = (answer && Array.isArray(answer.indexes) ? (answer.indexes as string[]) : []).sort();
  const missing = uniqueIndexes()
    .map((i) => i.name)
    .filter((name) => !found.includes(name));
  return { found, missing };
}
