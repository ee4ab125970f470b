/**
 * Pure planning: an item of the definition, with its references resolved to ids, against the record
 * Odoo holds now (or none) → create, update (which fields) or unchanged. No I/O here, so a table of
 * cases covers it; apply.ts does the reading and writing.
 */
import { type ItemValue, type WorkspaceItem, fullXmlid, isActionRef, isRef, isRefs } from './items.ts';

export type Values = Record<string, unknown>;

export type ItemPlan =
  | { item: WorkspaceItem; action: 'create'; values: Values }
  | { item: WorkspaceItem; action: 'update'; id: number; values: Values; fields: string[] }
  | { item: WorkspaceItem; action: 'unchanged'; id: number };

/** Ids of external IDs (full names); a missing one (not created yet, in a dry run) is `undefined`. */
export type IdOf = (xmlid: string) => number | undefined;

/** Values as Odoo's `create`/`write` take them; an unknown reference becomes `false` (dry runs only). */
export function resolveValues(item: WorkspaceItem, idOf: IdOf): Values {
  const out: Values = {};
  for (const [field, value] of Object.entries(item.values)) out[field] = resolveValue(value, idOf);
  return out;
}

function resolveValue(value: ItemValue, idOf: IdOf): unknown {
  if (isRef(value)) return idOf(fullXmlid(value.ref)) ?? false;
  if (isRefs(value))
    return [[6, 0, value.refs.map((r) => idOf(fullXmlid(r))).filter((id) => id !== undefined)]];
  if (isActionRef(value)) {
    const id = idOf(fullXmlid(value.action));
    return id === undefined ? false : `${value.model},${id}`;
  }
  if (typeof value === 'string' && value.includes('%(')) {
    return value.replace(/%\(([\w.]+)\)d/g, (_m, name: string) => String(idOf(fullXmlid(name)) ?? 0));
  }
  return value;
}

/** The plan of one item: `current` is the record read from Odoo (with every field of the item), if any. */
export function planItem(item: WorkspaceItem, desired: Values, current: Values | undefined): ItemPlan {
  if (!current) return { item, action: 'create', values: desired };
  const id = current.id as number;
  const changed: Values = {};
  for (const [field, value] of Object.entries(desired)) {
    if (item.createOnly?.includes(field)) continue;
    if (!sameValue(field, value, current[field])) changed[field] = value;
  }
  const fields = Object.keys(changed);
  return fields.length === 0
    ? { item, action: 'unchanged', id }
    : { item, action: 'update', id, values: changed, fields };
}

/** Whether a desired value (as sent to `write`) equals what `read` answers, Odoo's shapes considered. */
export function sameValue(field: string, desired: unknown, current: unknown): boolean {
  if (isCommandList(desired)) {
    const want = [...(desired[0]?.[2] ?? [])].sort((a, b) => a - b);
    const have = Array.isArray(current) ? [...(current as number[])].sort((a, b) => a - b) : [];
    return want.length === have.length && want.every((id, i) => id === have[i]);
  }
  if (Array.isArray(current) && current.length === 2 && typeof current[0] === 'number') {
    return desired === current[0]; // many2one answers [id, name]
  }
  if (field === 'arch') return normalizeArch(String(desired)) === normalizeArch(String(current ?? ''));
  if (desired === false || desired === '' || desired === null) {
    return current === false || current === '' || current === null || current === undefined;
  }
  return desired === current;
}

function isCommandList(value: unknown): value is Array<[6, 0, number[]]> {
  return Array.isArray(value) && Array.isArray(value[0]) && value[0][0] === 6;
}

/**
 * Odoo re-serialises a view's arch when storing it (lxml): whitespace between tags goes, empty
 * elements may come back self-closed or not, and the XML declaration and quoting may change.
 */
export function normalizeArch(arch: string): string {
  return arch
    .replace(/<\?xml[^>]*\?>/g, '')
    .replace(/>\s+</g, '><')
    .replace(/<([\w.-]+)((?:\s+[\w.:-]+="[^"]*")*)\s*\/>/g, '<$1$2></$1>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .trim();
}

export interface PlanCounts {
  create: number;
  update: number;
  unchanged: number;
}

export function countPlans(plans: readonly ItemPlan[]): PlanCounts {
  const counts: PlanCounts = { create: 0, update: 0, unchanged: 0 };
  for (const plan of plans) counts[plan.action]++;
  return counts;
}
