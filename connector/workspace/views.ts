/**
 * The workspace's views: what an accountant sees in RCP → Runs, Counterparties, Usage and Payments.
 * Expressions use the `invisible="…"` / `readonly="…"` syntax of Odoo 17 and later; the list view is
 * `<tree>` on 17 and `<list>` from 18 (capability table). No `<` or `>` inside attributes: Odoo
 * stores arch re-serialised, and the plain form keeps a re-run "unchanged".
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import type { WorkspaceItem } from './items.ts';
import type { ModelSpec } from './models.ts';

interface ViewSpec {
  type: 'list' | 'form' | 'search' | 'pivot' | 'graph';
  arch: string;
}

/**
 * The review's buttons: "RCP has it" / "RCP does not have it" only for a lost answer; "Send the
 * difference" (or the partner's negative correction) and "Taken back in RCP" for a payment changed
 * after its push. Each one shows until a decision is recorded.
 */
const PAYMENT_BUTTONS = [
  `<button name="%(action_payment_rcp_has_it)d" type="action" string="RCP has it" class="btn-primary" invisible="x_state != 'review' or x_resolution or (x_review and x_review != 'lost')" confirm="RCP did receive this payment (you checked its balance): mark it pushed?"/>`,
  `<button name="%(action_payment_rcp_does_not_have_it)d" type="action" string="RCP does not have it" invisible="x_state != 'review' or x_resolution or (x_review and x_review != 'lost')" confirm="RCP did not receive this payment: the next push sends it. Continue?"/>`,
  `<button name="%(action_payment_send_difference)d" type="action" string="Send the difference" class="btn-primary" invisible="x_state != 'review' or x_review != 'difference' or x_decision or x_difference &lt; 0" confirm="The next push sends RCP exactly the difference stated in the review, once. Continue?"/>`,
  `<button name="%(action_payment_send_difference)d" type="action" string="Send the correction to RCP" class="btn-primary" invisible="x_state != 'review' or x_review != 'difference' or x_decision or x_difference &gt;= 0" confirm="The next push sends RCP the negative balance correction stated in the review, once. Continue?"/>`,
  `<button name="%(action_payment_taken_back)d" type="action" string="Taken back in RCP" class="btn-primary" invisible="x_state != 'review' or x_review != 'take_back' or x_decision" confirm="You took back in RCP, by hand, the amount stated in the review: record it?"/>`,
].join('');

const ARCHS: Record<string, ViewSpec[]> = {
  x_rcp_run: [
    {
      type: 'list',
      arch: `<LIST decoration-danger="x_state == 'failed'" decoration-info="x_state in ('requested', 'running')" decoration-warning="x_failed_count"><field name="id"/><field name="x_kind"/><field name="x_period"/><field name="x_counterparty_id"/><field name="x_dry_run"/><field name="x_state" widget="badge"/><field name="x_progress" widget="progressbar"/><field name="x_failed_count"/><field name="x_trigger"/><field name="x_requested_by"/><field name="x_requested_at"/><field name="x_finished_at"/></LIST>`,
    },
    {
      type: 'form',
      arch: `<form><header><button name="%(action_run_cancel)d" type="action" string="Cancel" invisible="x_state != 'requested'" confirm="Cancel this run before a worker takes it?"/><field name="x_state" widget="statusbar"/></header><sheet><group><group string="What to run"><field name="x_kind" readonly="x_state != 'requested'"/><field name="x_period" placeholder="2026-10" invisible="x_kind not in ('invoice', 'reconcile')" required="x_kind in ('invoice', 'reconcile')" readonly="x_state != 'requested'"/><field name="x_counterparty_id" invisible="x_kind != 'invoice'" readonly="x_state != 'requested'"/><field name="x_dry_run" readonly="x_state != 'requested'"/></group><group string="Progress"><field name="x_progress" widget="progressbar"/><field name="x_failed_count"/><field name="x_trigger" readonly="1"/><field name="x_requested_by"/><field name="x_requested_at"/><field name="x_started_at"/><field name="x_finished_at"/><field name="x_worker"/></group></group><field name="x_summary" placeholder="Counts, then each failed record with its reason, appear here when the run ends."/><field name="x_move_ids" invisible="not x_move_ids"/></sheet></form>`,
    },
    {
      type: 'search',
      arch: `<search><field name="x_kind"/><field name="x_period"/><field name="x_counterparty_id"/><filter name="waiting" string="Requested or running" domain="[('x_state', 'in', ('requested', 'running'))]"/><filter name="failed" string="Failed" domain="[('x_state', '=', 'failed')]"/><filter name="with_failures" string="With failed records" domain="[('x_failed_count', '!=', 0)]"/><group><filter name="by_kind" string="What" context="{'group_by': 'x_kind'}"/><filter name="by_period" string="Month" context="{'group_by': 'x_period'}"/></group></search>`,
    },
  ],
  x_rcp_counterparty: [
    {
      type: 'list',
      arch: `<LIST decoration-warning="x_state == 'to_match'"><field name="x_name"/><field name="x_kind"/><field name="x_rcp_id" optional="hide"/><field name="x_parent_id"/><field name="x_contract" optional="show"/><field name="x_billing_plan"/><field name="x_payment_model"/><field name="x_balance" sum="Balance"/><field name="x_currency_id" column_invisible="1"/><field name="x_partner_id"/><field name="x_suggested_partner_id"/><button name="%(action_counterparty_accept_suggestion)d" type="action" string="Accept suggestion" icon="fa-check" invisible="x_partner_id or not x_suggested_partner_id"/><field name="x_keep_details" optional="hide"/><field name="x_state" widget="badge"/></LIST>`,
    },
    {
      type: 'form',
      arch: `<form><header><button name="%(action_counterparty_accept_suggestion)d" type="action" string="Accept suggestion" class="btn-primary" invisible="x_partner_id or not x_suggested_partner_id"/><field name="x_state" widget="statusbar"/></header><sheet><div class="oe_title"><h1><field name="x_name" readonly="1"/></h1></div><group><group string="In RCP"><field name="x_kind" readonly="1"/><field name="x_rcp_id" readonly="1"/><field name="x_parent_id"/><field name="x_contract"/><field name="x_billing_plan"/><field name="x_payment_model"/><field name="x_currency_id" invisible="1"/><field name="x_balance"/><field name="x_synced_at"/></group><group string="In Odoo"><field name="x_partner_id"/><field name="x_suggested_partner_id"/><field name="x_create_partner" invisible="x_partner_id"/><field name="x_keep_details"/></group></group></sheet></form>`,
    },
    {
      type: 'search',
      arch: `<search><field name="x_name"/><field name="x_rcp_id"/><field name="x_partner_id"/><filter name="to_match" string="To match" domain="[('x_state', '=', 'to_match')]"/><filter name="linked" string="Linked" domain="[('x_state', '=', 'linked')]"/><separator/><filter name="partners" string="Partners" domain="[('x_kind', '=', 'partner')]"/><filter name="clients" string="Clients" domain="[('x_kind', '=', 'client')]"/><group><filter name="by_parent" string="RCP partner" context="{'group_by': 'x_parent_id'}"/><filter name="by_partner" string="Odoo company" context="{'group_by': 'x_partner_id'}"/></group></search>`,
    },
  ],
  x_rcp_usage: [
    {
      type: 'list',
      arch: `<LIST create="0" edit="0" delete="0"><field name="x_period"/><field name="x_partner_id"/><field name="x_counterparty_id"/><field name="x_name"/><field name="x_product_id" optional="hide"/><field name="x_quantity"/><field name="x_uom_id"/><field name="x_currency_id" column_invisible="1"/><field name="x_amount" sum="Total"/><field name="x_move_id"/></LIST>`,
    },
    {
      type: 'form',
      arch: `<form create="0" edit="0" delete="0"><sheet><group><group><field name="x_period"/><field name="x_partner_id"/><field name="x_counterparty_id"/><field name="x_move_id"/><field name="x_run_id"/></group><group><field name="x_name"/><field name="x_product_id"/><field name="x_quantity"/><field name="x_uom_id"/><field name="x_currency_id" invisible="1"/><field name="x_amount"/></group></group></sheet></form>`,
    },
    {
      type: 'search',
      arch: `<search><field name="x_period"/><field name="x_partner_id"/><field name="x_counterparty_id"/><field name="x_product_id"/><field name="x_move_id"/><group><filter name="by_period" string="Month" context="{'group_by': 'x_period'}"/><filter name="by_partner" string="Invoiced company" context="{'group_by': 'x_partner_id'}"/><filter name="by_client" string="RCP client" context="{'group_by': 'x_counterparty_id'}"/><filter name="by_product" string="Product" context="{'group_by': 'x_product_id'}"/></group></search>`,
    },
    {
      type: 'pivot',
      arch: `<pivot string="RCP usage" sample="1"><field name="x_partner_id" type="row"/><field name="x_period" type="col"/><field name="x_amount" type="measure"/></pivot>`,
    },
    {
      type: 'graph',
      arch: `<graph string="RCP usage" type="bar" sample="1"><field name="x_period"/><field name="x_partner_id"/><field name="x_amount" type="measure"/></graph>`,
    },
  ],
  x_rcp_payment: [
    {
      type: 'list',
      arch: `<LIST create="0" edit="0" delete="0" decoration-danger="x_state == 'review' and not x_resolution and not x_decision" decoration-info="x_state == 'intent'" decoration-muted="x_state == 'not_pushed'"><field name="x_payment_id"/><field name="x_counterparty_id"/><field name="x_cards" optional="hide"/><field name="x_currency_id" column_invisible="1"/><field name="x_payment_amount" optional="show"/><field name="x_amount" sum="Total"/><field name="x_difference" optional="show"/><field name="x_state" widget="badge"/><field name="x_review" optional="show"/><field name="x_rcp_reference"/><field name="x_pushed_at"/><field name="x_reason" optional="show"/><field name="x_resolution"/><field name="x_decision" optional="show"/><field name="x_resolved_by" optional="hide"/><field name="x_resolved_at" optional="hide"/></LIST>`,
    },
    {
      type: 'form',
      arch: `<form create="0" edit="0" delete="0"><header>${PAYMENT_BUTTONS}<field name="x_state" widget="statusbar"/></header><sheet><group><group string="Payment"><field name="x_payment_id"/><field name="x_currency_id" invisible="1"/><field name="x_payment_amount"/><field name="x_details"/></group><group string="RCP"><field name="x_counterparty_id"/><field name="x_amount"/><field name="x_difference" invisible="not x_difference"/><field name="x_rcp_reference"/><field name="x_pushed_at"/></group></group><group string="RCP cards credited"><field name="x_cards" nolabel="1" colspan="2"/></group><group string="Review" invisible="x_state != 'review' and not x_resolution and not x_decision"><field name="x_review"/><field name="x_reason"/><field name="x_resolution" invisible="not x_resolution"/><field name="x_decision" invisible="not x_decision"/><field name="x_resolved_by"/><field name="x_resolved_at"/></group><group string="Choose the RCP card this payment credits" invisible="x_review != 'choose_card' or x_state != 'review'"><field name="x_card_ids" nolabel="1" colspan="2"><LIST><field name="x_name"/><field name="x_kind"/><field name="x_rcp_id"/><button name="%(action_payment_choose_card)d" type="action" string="Credit this card" icon="fa-check" context="{'rcp_ledger_id': parent.id}"/></LIST></field></group><group string="As pushed"><field name="x_pushed_amount"/><field name="x_pushed_partner_id"/><field name="x_pushed_date"/><field name="x_pushed_payment_state"/></group></sheet></form>`,
    },
    {
      type: 'search',
      arch: `<search><field name="x_payment_id"/><field name="x_counterparty_id"/><field name="x_rcp_reference"/><filter name="needs_review" string="Needs review" domain="[('x_state', '=', 'review'), ('x_resolution', '=', False), ('x_decision', '=', False)]"/><filter name="intent" string="Being sent" domain="[('x_state', '=', 'intent')]"/><filter name="pushed" string="Pushed" domain="[('x_state', '=', 'pushed')]"/><group><filter name="by_state" string="Status" context="{'group_by': 'x_state'}"/><filter name="by_counterparty" string="RCP counterparty" context="{'group_by': 'x_counterparty_id'}"/></group></search>`,
    },
  ],
  x_rcp_lock: [
    {
      type: 'list',
      arch: `<LIST create="0" edit="0"><field name="x_key"/><field name="x_owner"/><field name="x_expires_at"/></LIST>`,
    },
    {
      type: 'search',
      arch: `<search><field name="x_key"/><field name="x_owner"/></search>`,
    },
  ],
};

export function viewsOf(model: ModelSpec, caps: Capabilities): WorkspaceItem[] {
  const list = caps.listViewType;
  return (ARCHS[model.model] ?? []).map((view) => ({
    name: `view_${model.model}_${view.type}`,
    model: 'ir.ui.view',
    values: {
      name: `${model.model}.${view.type}`,
      model: model.model,
      type: view.type === 'list' ? list : view.type,
      arch: view.arch.replaceAll('<LIST', `<${list}`).replaceAll('</LIST>', `</${list}>`),
      priority: 16,
      mode: 'primary',
    },
  }));
}
