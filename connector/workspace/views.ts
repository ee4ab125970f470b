/**
 * The workspace's views: what an accountant sees in RCP → Runs, Counterparties, Usage and Payments,
 * each an indented file in `odoo/views/` (read by odoo-files.ts). Expressions use the
 * `invisible="…"` / `readonly="…"` syntax of Odoo 17 and later; the list view is `<tree>` on 17 and
 * `<list>` from 18 (capability table), written `<LIST>` in the files; the chatter is `<CHATTER/>`
 * (capability table: 17's `div.oe_chatter` of fields, 18's `<chatter/>`). No `<` or `>` inside
 * attributes: Odoo stores arch re-serialised, and the plain form keeps a re-run "unchanged".
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import type { WorkspaceItem } from './items.ts';
import { type ModelSpec, RETRY_KINDS, RETRY_NOT_OFFERED } from './models.ts';
import { type OdooFileParams, viewArch } from './odoo-files.ts';

/** The views of each model, each in `odoo/views/view_<model>_<type>.xml`. */
const VIEWS: Record<string, ReadonlyArray<'list' | 'form' | 'search' | 'pivot' | 'graph'>> = {
  x_rcp_run: ['list', 'form', 'search'],
  x_rcp_counterparty: ['list', 'form', 'search'],
  x_rcp_usage: ['list', 'form', 'search', 'pivot', 'graph'],
  x_rcp_payment: ['list', 'form', 'search'],
  x_rcp_lock: ['list', 'search'],
};

/** What a view file is filled with (odoo-files.ts placeholders), by its name. */
const VIEW_PARAMS: Readonly<Record<string, OdooFileParams>> = {
  view_x_rcp_run_form: {
    retry_kinds: RETRY_KINDS.map((k) => `'${k}'`).join(', '),
    retry_not_offered: RETRY_NOT_OFFERED,
  },
};

export function viewsOf(model: ModelSpec, caps: Capabilities): WorkspaceItem[] {
  const list = caps.listViewType;
  return (VIEWS[model.model] ?? []).map((type) => ({
    name: `view_${model.model}_${type}`,
    model: 'ir.ui.view',
    values: {
      name: `${model.model}.${type}`,
      model: model.model,
      type: type === 'list' ? list : type,
      arch: viewArch(`view_${model.model}_${type}`, VIEW_PARAMS[`view_${model.model}_${type}`])
        .replaceAll('<LIST', `<${list}`)
        .replaceAll('</LIST>', `</${list}>`)
        .replaceAll('<CHATTER/>', caps.chatterArch),
      priority: 16,
      mode: 'primary',
    },
  }));
}
