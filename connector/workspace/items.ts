/**
 * The vocabulary of the workspace definition: each item is one Odoo record that setup owns, named by
 * its external ID in module `rcp_connector`, with the values it must have. References to other items
 * (or to Odoo's own records) are written as `ref('group_user')` / `ref('account.menu_finance')` and
 * resolved to ids when applied; a view's arch may name an item's id as `%(name)d`, as Odoo's XML does.
 */
import { XMLID_MODULE } from '../../mappings/external-ids.ts';
import type { Capabilities } from '../odoo/capabilities.ts';

/** A many2one: the id of the record with this external ID (a bare name is one of ours). */
export interface Ref {
  readonly ref: string;
}
/** A many2many: exactly these records (`[[6, 0, ids]]`). */
export interface Refs {
  readonly refs: readonly string[];
}
/** A reference field (`ir.ui.menu.action`): `'<model>,<id>'` of the record with this external ID. */
export interface ActionRef {
  readonly action: string;
  readonly model: string;
}

export type ItemValue = string | number | boolean | null | Ref | Refs | ActionRef;

export interface WorkspaceItem {
  /** The external ID's name in module `rcp_connector` (e.g. `model_x_rcp_run`). */
  readonly name: string;
  /** The Odoo model of the record (`ir.model`, `ir.ui.view`, …). */
  readonly model: string;
  readonly values: Readonly<Record<string, ItemValue>>;
  /**
   * How to find the record when its external ID is missing (a run that stopped between creating a
   * record and naming it): a domain over the desired values, e.g. a model's technical name.
   */
  readonly key?: readonly string[];
  /** Values given only when creating (Odoo refuses to change them afterwards). */
  readonly createOnly?: readonly string[];
  /**
   * Values to create with instead, set to the real ones once every item exists (a model's `order`
   * names fields that are created after the model); a change of them waits for that moment too.
   */
  readonly createWith?: Readonly<Record<string, ItemValue>>;
  /** Items that must exist first though no value points at them (a computed field's dependencies). */
  readonly after?: readonly string[];
}

export const ref = (xmlid: string): Ref => ({ ref: xmlid });
/** The external ID Odoo gives a custom model (`model_x_rcp_run`). */
export const modelXmlid = (model: string) => `model_${model}`;
export const refs = (...xmlids: string[]): Refs => ({ refs: xmlids });
export const actionRef = (xmlid: string, model: string): ActionRef => ({ action: xmlid, model });

export function isRef(v: ItemValue): v is Ref {
  return typeof v === 'object' && v !== null && 'ref' in v;
}
export function isRefs(v: ItemValue): v is Refs {
  return typeof v === 'object' && v !== null && 'refs' in v;
}
export function isActionRef(v: ItemValue): v is ActionRef {
  return typeof v === 'object' && v !== null && 'action' in v;
}

/** `group_user` → `rcp_connector.group_user`; `account.menu_finance` stays as it is. */
export function fullXmlid(name: string): string {
  return name.includes('.') ? name : `${XMLID_MODULE}.${name}`;
}

/** Every external ID an item's values point at (its dependencies). */
export function referencesOf(item: WorkspaceItem): string[] {
  const out: string[] = (item.after ?? []).map(fullXmlid);
  for (const value of Object.values(item.values)) {
    if (isRef(value)) out.push(fullXmlid(value.ref));
    else if (isRefs(value)) out.push(...value.refs.map(fullXmlid));
    else if (isActionRef(value)) out.push(fullXmlid(value.action));
    else if (typeof value === 'string') {
      for (const m of value.matchAll(/%\(([\w.]+)\)d/g)) out.push(fullXmlid(m[1] as string));
    }
  }
  return out;
}

/** Python's `repr` of a selection list, as Odoo reads back `ir.model.fields.selection`. */
export function pythonSelection(options: ReadonlyArray<readonly [string, string]>): string {
  const str = (s: string) => {
    if (/['\\\n]/.test(s)) throw new Error(`selection text must not hold quotes or backslashes: ${s}`);
    return `'${s}'`;
  };
  return `[${options.map(([value, label]) => `(${str(value)}, ${str(label)})`).join(', ')}]`;
}

/** One of the workspace's server actions: Python `code` on `model`, run by the members of `groups`. */
export function serverAction(
  caps: Capabilities,
  name: string,
  label: string,
  model: string,
  groups: string[],
  code: string,
): WorkspaceItem {
  return {
    name,
    model: 'ir.actions.server',
    values: {
      name: label,
      model_id: ref(modelXmlid(model)),
      state: 'code',
      code,
      [caps.recordGroupsField]: refs(...groups),
    },
  };
}
