/**
 * The database guards, installed and read by one server action: setup runs it as the administrator
 * to install them, `check` to read them only, `setup --remove` to drop the triggers.
 * - Unique indexes: the exactly-once rules (manual models cannot declare SQL constraints).
 * - Triggers on the connector's records (`guarded` models): RCP users hold the right to write them,
 *   because Odoo asks for it to post a message or plan an activity; a trigger refuses, in every
 *   writer's transaction, a change of their fields by anyone but the connector's group and the
 *   workspace's own actions (`{{trusted_writes}}`, odoo-files.ts).
 */
import { XMLID_MODULE } from '../../mappings/external-ids.ts';
import type { OdooClient } from '../odoo/client.ts';
import { runServerAction } from './actions.ts';
import { type FieldSpec, MODELS, type ModelSpec, uniqueIndexName } from './models.ts';
import { TRUSTED_SETTING, actionCode, sqlCode } from './odoo-files.ts';

/** The unique indexes of every model. */
export function uniqueIndexes(): Array<{ name: string; table: string; column: string }> {
  return MODELS.flatMap((m) =>
    (m.unique ?? []).map((column) => ({ name: uniqueIndexName(m.model, column), table: m.model, column })),
  );
}

/** A field with a column of its own table: what a guard compares. */
const hasColumn = (f: FieldSpec) => !f.related && f.type !== 'one2many' && f.type !== 'many2many';

/**
 * The guarded models, and the relation tables of their many2many fields; each table's trigger (and
 * its function) is named after it, as the SQL files name them.
 */
function guardedTables(): Array<{ table: string; trigger: string; spec: ModelSpec; link?: FieldSpec }> {
  const entry = (table: string, spec: ModelSpec, link?: FieldSpec) => ({
    table,
    trigger: `${table}_guard`,
    spec,
    ...(link ? { link } : {}),
  });
  return MODELS.filter((m) => m.guarded).flatMap((spec) => [
    entry(spec.model, spec),
    ...spec.fields
      .filter((f) => f.type === 'many2many' && f.table)
      .map((link) => entry(link.table?.[0] as string, spec, link)),
  ]);
}

/** The trigger names the guards install. */
export function guardTriggers(): string[] {
  return guardedTables().map((t) => t.trigger);
}

/** The SQL of one table's guard: a trigger on a guarded model, or a deferred one on its links. */
function guardSql(table: string, spec: ModelSpec, link: FieldSpec | undefined, group: string): string {
  const common = { table, setting: TRUSTED_SETTING, module: XMLID_MODULE, group, label: spec.label };
  if (link) {
    return sqlCode('guard_links', {
      ...common,
      parent: spec.model,
      column: link.table?.[1] as string,
      field: link.name,
    });
  }
  const request = new Set<string>(spec.guarded?.requestFields ?? []);
  const columns = spec.fields.filter(hasColumn).map((f) => f.name);
  const compare = (name: string) =>
    `IF NEW.${name} IS DISTINCT FROM OLD.${name} THEN changed := changed || '${name}'::text; END IF;`;
  return sqlCode('guard_fields', {
    ...common,
    columns: columns.join(', '),
    compare: [
      ...columns.filter((c) => !request.has(c)).map(compare),
      ...(request.size > 0
        ? [
            "IF OLD.x_state IS DISTINCT FROM 'requested' THEN",
            ...columns.filter((c) => request.has(c)).map((c) => `  ${compare(c)}`),
            'END IF;',
          ]
        : []),
    ],
  });
}

/** The guards action's code: each statement one `env.cr.execute` of a Python string literal. */
export function guardsActionCode(group: string): string {
  const indexes = uniqueIndexes();
  const triggers = guardedTables();
  const execute = (sql: string) => `env.cr.execute(${JSON.stringify(sql)})`;
  const quoted = (names: string[]) => names.map((n) => `'${n}'`).join(', ');
  return actionCode('action_install_guards', {
    create_indexes: indexes.map((i) =>
      execute(`CREATE UNIQUE INDEX IF NOT EXISTS ${i.name} ON ${i.table} (${i.column})`),
    ),
    create_triggers: triggers.map((t) => execute(guardSql(t.table, t.spec, t.link, group))),
    drop_triggers: triggers.map((t) =>
      execute(`DROP TRIGGER IF EXISTS ${t.trigger} ON ${t.table}; DROP FUNCTION IF EXISTS ${t.trigger}()`),
    ),
    placeholders: indexes.map(() => '%s').join(', '),
    names: quoted(indexes.map((i) => i.name)),
    trigger_placeholders: triggers.map(() => '%s').join(', '),
    trigger_names: quoted(triggers.map((t) => t.trigger)),
  });
}

/** Runs the guards action (its id) and answers the guards present and those missing. */
export async function readGuards(
  odoo: OdooClient,
  actionId: number,
  options: { checkOnly?: boolean; remove?: boolean } = {},
): Promise<{ found: string[]; missing: string[] }> {
  const answer = (await runServerAction(odoo, actionId, 'x_rcp_lock', {
    ...(options.checkOnly ? { rcp_check_only: true } : {}),
    ...(options.remove ? { rcp_remove: true } : {}),
  })) as { indexes?: unknown; triggers?: unknown } | false | null;
  const list = (value: unknown) => (Array.isArray(value) ? (value as string[]) : []);
  const found = (answer ? [...list(answer.indexes), ...list(answer.triggers)] : []).sort();
  const missing = [...uniqueIndexes().map((i) => i.name), ...guardTriggers()].filter(
    (name) => !found.includes(name),
  );
  return { found, missing };
}
