import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type OdooVersion, fault, wording } from './faults.ts';
import { workspaceModels } from './workspace.ts';

/**
 * The double's records: one table per model, fields as the version's recorded `fields_get` says,
 * with Odoo's checks (unknown field, wrong selection value, required value) and its answers
 * (many2one as `[id, name]`, x2many as id lists, false for empty). Each call runs in a transaction:
 * a failure undoes what the call wrote, as PostgreSQL does for Odoo.
 */
export interface FieldDef {
  type: string;
  string?: string;
  required?: boolean;
  readonly?: boolean;
  relation?: string;
  selection?: Array<[string, string]> | false;
  store?: boolean;
}

export type Row = Record<string, unknown> & { id: number };
export type Domain = unknown[];

const CONTRACT = resolve('test/fixtures/odoo-contract');

/** Models the contract has no `fields_get` for, with the fields the connector uses. */
const EXTRA_MODELS: Record<string, Record<string, FieldDef>> = {
  'decimal.precision': { name: { type: 'char', required: true }, digits: { type: 'integer' } },
};

/** Required fields Odoo fills itself right after the insert (a variant's template). */
const AUTOMATIC = new Set(['product_tmpl_id']);

export function loadFields(
  version: OdooVersion,
  /** Workspace models a test asks for beyond the ledger and counterparties (e.g. `x_rcp_usage`). */
  workspaceExtra: readonly string[] = [],
): Map<string, Record<string, FieldDef>> {
  const dir = join(CONTRACT, version, 'fields');
  const models = new Map<string, Record<string, FieldDef>>();
  for (const file of readdirSync(dir)) {
    models.set(
      file.replace(/\.json$/, ''),
      JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, FieldDef>,
    );
  }
  for (const [model, fields] of Object.entries(EXTRA_MODELS)) models.set(model, fields);
  for (const [model, fields] of Object.entries(workspaceModels(workspaceExtra))) models.set(model, fields);
  return models;
}

/** Lookups the double needs to stay fast at 100,000 records: external IDs by name and by record, lines by invoice. */
const INDEXES: Record<string, Array<(row: Row) => string>> = {
  'ir.model.data': [
    (row) => `${String(row.module)}.${String(row.name)}`,
    (row) => `${String(row.model)}#${String(row.res_id)}`,
  ],
  'account.move.line': [(row) => String(row.move_id)],
  'ir.attachment': [(row) => `${String(row.res_model)}#${String(row.res_id)}`],
};

export class Orm {
  readonly tables = new Map<string, Map<number, Row>>();
  readonly #indexes = new Map<string, Array<Map<string, Set<number>>>>();
  readonly #nextId = new Map<string, number>();
  #undo: Array<() => void> | undefined;
  readonly words: ReturnType<typeof wording>;

  constructor(
    readonly version: OdooVersion,
    readonly fields: Map<string, Record<string, FieldDef>>,
    /** Values a new record gets when the caller gives none, per model. */
    readonly defaults: Record<string, (orm: Orm, values: Record<string, unknown>) => Record<string, unknown>>,
  ) {
    this.words = wording(version);
  }

  hasModel(model: string): boolean {
    return this.fields.has(model);
  }

  fieldsOf(model: string): Record<string, FieldDef> {
    const fields = this.fields.get(model);
    if (!fields) throw fault.user(`Object ${model} doesn't exist`);
    return fields;
  }

  table(model: string): Map<number, Row> {
    let table = this.tables.get(model);
    if (!table) {
      table = new Map();
      this.tables.set(model, table);
    }
    return table;
  }

  /** Runs `work` as one transaction: if it throws, everything it wrote is undone. */
  transaction<T>(work: () => T): T {
    const outer = this.#undo;
    const undo: Array<() => void> = [];
    this.#undo = undo;
    try {
      const result = work();
      if (outer) outer.push(...undo);
      return result;
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    } finally {
      this.#undo = outer;
    }
  }

  /** Rows whose index `which` of the model has `key`, by id. */
  lookup(model: string, which: number, key: string): Row[] {
    const ids = this.#indexes.get(model)?.[which]?.get(key);
    if (!ids) return [];
    const table = this.table(model);
    return [...ids]
      .sort((a, b) => a - b)
      .flatMap((id) => {
        const row = table.get(id);
        return row ? [row] : [];
      });
  }

  #index(model: string, row: Row, add: boolean): void {
    const keys = INDEXES[model];
    if (!keys) return;
    let maps = this.#indexes.get(model);
    if (!maps) {
      maps = keys.map(() => new Map());
      this.#indexes.set(model, maps);
    }
    keys.forEach((key, i) => {
      const map = maps[i] as Map<string, Set<number>>;
      const k = key(row);
      let ids = map.get(k);
      if (!ids) {
        ids = new Set();
        map.set(k, ids);
      }
      if (add) ids.add(row.id);
      else ids.delete(row.id);
    });
  }

  #set(model: string, row: Row): void {
    const table = this.table(model);
    const before = table.get(row.id);
    if (before) this.#index(model, before, false);
    table.set(row.id, row);
    this.#index(model, row, true);
  }

  #delete(model: string, id: number): void {
    const table = this.table(model);
    const before = table.get(id);
    if (before) this.#index(model, before, false);
    table.delete(id);
  }

  insert(model: string, values: Record<string, unknown>): number {
    const id = this.#nextId.get(model) ?? 1;
    this.#nextId.set(model, id + 1);
    this.#set(model, { ...values, id });
    this.#undo?.push(() => this.#delete(model, id));
    return id;
  }

  /** Low-level update, undone on failure; no checks. */
  patch(model: string, id: number, values: Record<string, unknown>): void {
    const table = this.table(model);
    const before = table.get(id);
    if (!before)
      throw fault.missing(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);
    this.#set(model, { ...before, ...values, id });
    this.#undo?.push(() => this.#set(model, before));
  }

  remove(model: string, id: number): void {
    const table = this.table(model);
    const before = table.get(id);
    if (!before)
      throw fault.missing(`Record does not exist or has been deleted.\n(Record: ${model}(${id},), User: 2)`);
    this.#delete(model, id);
    this.#undo?.push(() => this.#set(model, before));
  }

  get(model: string, id: number): Row | undefined {
    return this.table(model).get(id);
  }

  /** Checks values as Odoo's `create`/`write` do, and turns relational commands into stored ids. */
  checkValues(model: string, values: Record<string, unknown>, current?: Row): Record<string, unknown> {
    const fields = this.fieldsOf(model);
    const stored: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(values)) {
      const field = fields[name];
      if (!field) throw fault.value(this.words.invalidField(name, model));
      if (field.type === 'selection' && value !== false && Array.isArray(field.selection)) {
        if (!field.selection.some(([key]) => key === value))
          throw fault.value(`Wrong value for ${model}.${name}: '${String(value)}'`);
      }
      if (field.type === 'many2one') {
        const id = Array.isArray(value) ? value[0] : value;
        if (
          id !== false &&
          id !== null &&
          field.relation &&
          typeof id === 'number' &&
          !this.get(field.relation, id)
        ) {
          throw fault.missing(
            `Record does not exist or has been deleted.\n(Record: ${field.relation}(${id},), User: 2)`,
          );
        }
        stored[name] = typeof id === 'number' ? id : false;
      } else if (field.type === 'many2many') {
        stored[name] = applyX2m((current?.[name] as number[] | undefined) ?? [], value);
      } else if (field.type === 'one2many') {
        stored[name] = value; // handled by the model's own logic
      } else if (field.type === 'float' || field.type === 'monetary' || field.type === 'integer') {
        stored[name] = value === false || value === null ? 0 : Number(value);
      } else {
        stored[name] = value === null || value === '' ? false : value;
      }
    }
    return stored;
  }

  /** Fields Odoo would refuse to leave empty after a create. */
  /** The rows a domain can match: through an index when the domain names indexed values, else all. */
  #candidates(model: string, domain: Domain): Row[] {
    const term = (field: string) =>
      domain.find((t) => Array.isArray(t) && t[0] === field) as [string, string, unknown] | undefined;
    if (model === 'ir.model.data' && domain.every((t) => Array.isArray(t))) {
      const module = term('module');
      const name = term('name');
      if (module?.[1] === '=' && name && (name[1] === '=' || name[1] === 'in')) {
        const names = name[1] === '=' ? [name[2]] : (name[2] as unknown[]);
        return names.flatMap((n) => this.lookup(model, 0, `${String(module[2])}.${String(n)}`));
      }
    }
    if (model === 'account.move.line' && domain.every((t) => Array.isArray(t))) {
      const move = term('move_id');
      if (move && (move[1] === '=' || move[1] === 'in')) {
        const ids = move[1] === '=' ? [move[2]] : (move[2] as unknown[]);
        return ids.flatMap((id) => this.lookup(model, 0, String(id)));
      }
    }
    if (model === 'ir.attachment' && domain.every((t) => Array.isArray(t))) {
      const resModel = term('res_model');
      const resId = term('res_id');
      if (resModel?.[1] === '=' && resId && (resId[1] === '=' || resId[1] === 'in')) {
        const ids = resId[1] === '=' ? [resId[2]] : (resId[2] as unknown[]);
        return ids.flatMap((id) => this.lookup(model, 0, `${String(resModel[2])}#${String(id)}`));
      }
    }
    return [...this.table(model).values()];
  }

  missingRequired(model: string, row: Record<string, unknown>): string | undefined {
    const fields = this.fieldsOf(model);
    for (const [name, field] of Object.entries(fields)) {
      if (!field.required || field.readonly || field.store === false) continue;
      if (['one2many', 'many2many'].includes(field.type) || AUTOMATIC.has(name)) continue;
      const value = row[name];
      if (value === undefined || value === false || value === null || value === '') return name;
    }
    return undefined;
  }

  displayName(model: string, id: number): string {
    const row = this.get(model, id);
    const name = row?.display_name ?? row?.name;
    return typeof name === 'string' && name ? name : `${model},${id}`;
  }

  /** A stored row as `read` answers it. */
  present(model: string, row: Row, names: readonly string[]): Row {
    const fields = this.fieldsOf(model);
    const out: Row = { id: row.id };
    for (const name of names) {
      if (name === 'id') continue;
      if (name === 'display_name') {
        out.display_name = this.displayName(model, row.id);
        continue;
      }
      const field = fields[name];
      if (!field) throw fault.value(this.words.invalidReadField(name, model));
      const value = row[name];
      switch (field.type) {
        case 'many2one':
          out[name] =
            typeof value === 'number' && field.relation
              ? [value, this.displayName(field.relation, value)]
              : false;
          break;
        case 'one2many':
        case 'many2many':
          out[name] = Array.isArray(value) ? value : [];
          break;
        case 'boolean':
          out[name] = value === true;
          break;
        case 'integer':
        case 'float':
        case 'monetary':
          out[name] = typeof value === 'number' ? value : 0;
          break;
        default:
          out[name] = value === undefined || value === null ? false : value;
      }
    }
    return out;
  }

  search(
    model: string,
    domain: Domain,
    options: { order?: string; offset?: number; limit?: number | false } = {},
  ): Row[] {
    this.fieldsOf(model);
    const rows = [...this.table(model).values()].filter((row) =>
      row.active === false ? hasActiveTerm(domain) : true,
    );
    const matched = rows.filter((row) => evaluate(this, model, row, domain));
    sortRows(matched, options.order ?? 'id asc');
    const offset = options.offset ?? 0;
    return options.limit ? matched.slice(offset, offset + options.limit) : matched.slice(offset);
  }
}

const PATTERNS = new Map<string, RegExp>();

/** SQL LIKE (`%`, `_`), the pattern compiled once. */
function likeMatch(actual: unknown, pattern: string, exact: boolean, insensitive: boolean): boolean {
  const key = `${exact ? '=' : ''}${insensitive ? 'i' : ''}:${pattern}`;
  let regex = PATTERNS.get(key);
  if (!regex) {
    const source = exact ? pattern : `%${pattern}%`;
    regex = new RegExp(
      `^${source
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/%/g, '.*')
        .replace(/_/g, '.')}$`,
      insensitive ? 'is' : 's',
    );
    PATTERNS.set(key, regex);
  }
  return typeof actual === 'string' && regex.test(actual);
}

/** Value lists of `in` terms as sets, once per list. */
const SETS = new WeakMap<unknown[], Set<unknown>>();
function asSet(values: unknown[]): Set<unknown> {
  let set = SETS.get(values);
  if (!set) {
    set = new Set(values);
    SETS.set(values, set);
  }
  return set;
}

function hasActiveTerm(domain: Domain): boolean {
  return domain.some((term) => Array.isArray(term) && term[0] === 'active');
}

/** Applies x2many commands (or a plain id list) to the current ids. */
export function applyX2m(current: number[], value: unknown): number[] {
  if (!Array.isArray(value)) return current;
  if (value.every((v) => typeof v === 'number')) return [...(value as number[])];
  let ids = [...current];
  for (const command of value as unknown[][]) {
    const [op, id, arg] = command as [number, number, unknown];
    if (op === 6) ids = [...(arg as number[])];
    else if (op === 5) ids = [];
    else if (op === 4 && !ids.includes(id)) ids.push(id);
    else if (op === 3 || op === 2) ids = ids.filter((x) => x !== id);
  }
  return ids;
}

function sortRows(rows: Row[], order: string) {
  const keys = order.split(',').map((part) => {
    const [field = 'id', direction = 'asc'] = part.trim().split(/\s+/);
    return { field, desc: direction.toLowerCase() === 'desc' };
  });
  rows.sort((a, b) => {
    for (const { field, desc } of keys) {
      const x = a[field] ?? '';
      const y = b[field] ?? '';
      const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      if (cmp !== 0) return desc ? -cmp : cmp;
    }
    return 0;
  });
}

/** Odoo's prefix-notation domains: '&' '|' '!' over (field, operator, value) terms. */
function evaluate(orm: Orm, model: string, row: Row, domain: Domain): boolean {
  const stack: boolean[] = [];
  for (let i = domain.length - 1; i >= 0; i--) {
    const term = domain[i];
    if (term === '&' || term === '|') {
      const a = stack.pop() ?? true;
      const b = stack.pop() ?? true;
      stack.push(term === '&' ? a && b : a || b);
    } else if (term === '!') stack.push(!(stack.pop() ?? true));
    else stack.push(matchTerm(orm, model, row, term as [string, string, unknown]));
  }
  return stack.every(Boolean);
}

function matchTerm(
  orm: Orm,
  model: string,
  row: Row,
  [path, operator, value]: [string, string, unknown],
): boolean {
  const fields = orm.fieldsOf(model);
  const [name = '', rest] = path.split(/\.(.*)/s);
  const field = name === 'id' ? { type: 'integer' } : fields[name];
  if (!field) throw fault.value(orm.words.invalidField(name, model));
  let actual: unknown = name === 'id' ? row.id : row[name];
  if ((operator === 'any' || operator === 'not any') && 'relation' in field && field.relation) {
    // Odoo 17+: whether a related record matches the inner domain (none: 'not any' holds).
    const relation = field.relation;
    const ids = Array.isArray(actual) ? (actual as number[]) : typeof actual === 'number' ? [actual] : [];
    const found = ids.some((id) => {
      const related = orm.get(relation, id);
      return related !== undefined && evaluate(orm, relation, related, value as Domain);
    });
    return operator === 'any' ? found : !found;
  }
  if (rest && 'relation' in field && field.relation) {
    const related = typeof actual === 'number' ? orm.get(field.relation, actual) : undefined;
    return related ? matchTerm(orm, field.relation, related, [rest, operator, value]) : false;
  }
  if (field.type === 'many2many' || field.type === 'one2many') {
    const ids = (actual as number[] | undefined) ?? [];
    const wanted = Array.isArray(value) ? value : [value];
    if (operator === 'in' || operator === '=') return ids.some((id) => wanted.includes(id));
    if (operator === 'not in' || operator === '!=') return !ids.some((id) => wanted.includes(id));
    return false;
  }
  if (actual === undefined) actual = false;
  switch (operator) {
    case '=':
      return actual === value || (value === false && (actual === false || actual === ''));
    case '!=':
      return !(actual === value || (value === false && (actual === false || actual === '')));
    case 'in':
      return Array.isArray(value) && asSet(value).has(actual);
    case 'not in':
      return Array.isArray(value) && !asSet(value).has(actual);
    case '<':
      return (actual as number) < (value as number);
    case '>':
      return (actual as number) > (value as number);
    case '<=':
      return (actual as number) <= (value as number);
    case '>=':
      return (actual as number) >= (value as number);
    case 'like':
      return likeMatch(actual, String(value), false, false);
    case 'ilike':
      return likeMatch(actual, String(value), false, true);
    case '=like':
      return likeMatch(actual, String(value), true, false);
    case '=ilike':
      return likeMatch(actual, String(value), true, true);
    case 'not ilike':
      return !String(actual ?? '')
        .toLowerCase()
        .includes(String(value ?? '').toLowerCase());
    default:
      throw fault.value(`Invalid domain operator '${operator}'`);
  }
}
