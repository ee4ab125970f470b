import { USAGE_ATTACHMENT_PREFIX } from '../../mappings/invoice-values.ts';
/**
 * The whole RCP workspace as a list of declarative items, in the order they are created (each item
 * refers only to items before it); removal goes in the reverse order. Built for one Odoo version:
 * what differs (view type `tree`/`list`, groups fields, group headings) comes from the capability
 * table. To extend the workspace, add a model or field in models.ts, or an item here.
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import { CORRECTION_ACTION } from './corrections.ts';
import { documentItems } from './documents.ts';
import { DRAFT_MARK_ACTIONS, DRAFT_MARK_MODEL } from './draft-marks.ts';
import { guardsActionCode } from './guards.ts';
import {
  type ItemValue,
  type WorkspaceItem,
  actionRef,
  fullXmlid,
  modelXmlid,
  pythonSelection,
  ref,
  refs,
  serverAction,
} from './items.ts';
import { liveRunsItems } from './live-runs.ts';
import {
  type FieldSpec,
  MODELS,
  type ModelSpec,
  type Perms,
  RETRY_KINDS,
  RETRY_NOT_OFFERED,
} from './models.ts';
import { actionCode } from './odoo-files.ts';
import { MARK_NAME } from './payment-marks.ts';
import { paymentReviewActions } from './payment-review-actions.ts';
import { runCheckCode } from './run-check.ts';
import { viewsOf } from './views.ts';

export const GROUP_USER = 'group_user';
export const GROUP_MANAGER = 'group_manager';
export const GROUP_CONNECTOR = 'group_connector';
export const ACTION_GUARDS = 'action_install_guards';
/** Writes the workspace's Russian texts (translations.ts) as Odoo's translations; run by setup as admin. */
export const ACTION_TRANSLATE = 'action_translate';
/** 17, 18: the "RCP" heading of the groups in Settings → Users (an ir.module.category, made as superuser). */
export const ACTION_GROUP_HEADING = 'action_group_heading';
export const ACTION_CLAIM_KEYS = 'action_claim_keys';
export const ACTION_RELEASE_KEYS = 'action_release_keys';
/**
 * The payments ledger's action (`odoo/actions/action_payment_ledger.py`): every change the connector
 * makes to the ledger, as a list of operations run in ONE
 * transaction, each checked against the record's state as this transaction sees it (two writers of
 * one record: PostgreSQL fails one, Odoo retries it, and the retry sees the other's write; two
 * creators of one payment's record: the unique index fails the second). Context `rcp_ledger`:
 * - `claim` {payment_id, vals}: a new record in state intent, or a not_pushed one (or a review
 *   resolved not_pushed) taken back to intent; any other existing record is not claimed.
 * - `import` {payment_id, vals}: a record with the given state, unless the payment has one.
 * - `set` {id, from, vals, resolution?, older_than?, expect?, expect_ids?, clear_resolution?}:
 *   written only when the record's state is in `from` (and its resolution is `resolution`, when
 *   given, and it was last written `older_than` seconds ago or more, when given, and each field of
 *   `expect` holds that value and each many2one of `expect_ids` that id: what the writer decided on).
 *   `clear_resolution` clears the accountant's resolution and decision.
 * - `resolve` {id, from, resolution, vals}: the connector's own verdict (`payments resolve`),
 *   recorded with who and when, and applied with `vals`.
 * Answers `{answers: [{done, id, state}]}`, one per operation.
 */
export const ACTION_PAYMENT_LEDGER = 'action_payment_ledger';
export const ACTION_RESOLVE_PUSHED = 'action_payment_rcp_has_it';
export const ACTION_RESOLVE_NOT_PUSHED = 'action_payment_rcp_does_not_have_it';
export const ACTION_CLAIM_RUN = 'action_claim_run';
export const ACTION_APPLY_LINKS = 'action_apply_counterparty_links';
export const ACTION_ACCEPT_SUGGESTION = 'action_counterparty_accept_suggestion';
export const ACTION_CANCEL_RUN = 'action_run_cancel';
export const ACTION_FINISH_RUN = 'action_run_finish';
export const ACTION_RUN_PROGRESS = 'action_run_progress';
export const ACTION_RETRY_RUN = 'action_run_retry';
/** Checks a saved request by the worker's rules (connector/workspace/run-rules.ts); called by `x_checked`. */
export const ACTION_RUN_CHECK = 'action_run_check';
/** "Rewrite edited drafts" (the CLI's `--force`) on a requested invoice run, RCP / Manager only. */
export const ACTION_RUN_FORCE = 'action_run_force';

export const fieldXmlid = (model: string, field: string) => `field_${model}__${field}`;

export function workspaceDefinition(caps: Capabilities): WorkspaceItem[] {
  return [
    ...groupItems(caps),
    ...MODELS.map(modelItem),
    // Computed, one2many and related-through-ours fields after every plain one: Odoo checks what
    // they read (dependencies, the many2one a one2many reads back) when creating them; each
    // computed field after the computed fields it depends on.
    ...MODELS.flatMap((m) => m.fields.filter((f) => !laterField(f)).map((f) => fieldItem(m, f))),
    ...MODELS.flatMap((m) => laterInOrder(m).map((f) => fieldItem(m, f))),
    ...MODELS.flatMap(accessItems),
    ...MODELS.flatMap(companyRuleItems),
    ...MODELS.flatMap(userRecordRuleItems),
    connectorMarksRule(),
    connectorReadsActions(),
    ...connectorMakesUnits(caps),
    ...defaultItems(),
    ...serverActionItems(caps),
    ...MODELS.flatMap((m) => viewsOf(m, caps)),
    ...windowActionItems(caps),
    ...menuItems(caps),
    ...documentItems(caps),
    ...liveRunsItems(),
  ];
}

function groupItems(caps: Capabilities): WorkspaceItem[] {
  const heading = caps.groupHeading;
  // 19 shows "RCP / User" from the privilege; 17 and 18 from the name itself.
  const named = (name: string): Record<string, ItemValue> =>
    heading ? { name, [heading.field]: ref('privilege_rcp') } : { name: `RCP / ${name}` };
  return [
    ...(heading
      ? [{ name: 'privilege_rcp', model: heading.model, values: { name: 'RCP', sequence: 50 } }]
      : []),
    {
      name: GROUP_USER,
      model: 'res.groups',
      values: {
        ...named('User'),
        implied_ids: refs('base.group_user'),
        comment: 'Requests RCP runs, links counterparties, sees usage and settles payments that need review.',
      },
    },
    {
      name: GROUP_MANAGER,
      model: 'res.groups',
      values: {
        ...named('Manager'),
        implied_ids: refs(GROUP_USER),
        comment: 'Everything an RCP user does, plus deleting requested runs and counterparties.',
      },
    },
    {
      name: GROUP_CONNECTOR,
      model: 'res.groups',
      values: {
        name: 'RCP connector (technical)',
        implied_ids: refs(GROUP_USER),
        comment:
          "The connector's own Odoo user: the only one that may write the payments ledger. Given by `rcp-odoo setup` to ODOO_USER.",
      },
    },
  ];
}

/** Fields that read others of the workspace (a compute, a one2many's inverse, a related path through one). */
const laterField = (f: FieldSpec) =>
  f.compute !== undefined || f.type === 'one2many' || (f.related?.includes('.x_') ?? false);
/** A model's later fields (laterField), each computed one after the computed fields it depends on. */
function laterInOrder(model: ModelSpec): FieldSpec[] {
  const later = model.fields.filter(laterField);
  const computed = later.filter((f) => f.compute);
  const out: FieldSpec[] = [];
  const visit = (f: FieldSpec) => {
    if (out.includes(f)) return;
    for (const dep of f.compute?.depends.split(',') ?? []) {
      const before = computed.find((c) => c.name === dep.trim());
      if (before && before !== f) visit(before);
    }
    out.push(f);
  };
  for (const f of later) visit(f);
  return out;
}

function modelItem(spec: ModelSpec): WorkspaceItem {
  return {
    name: modelXmlid(spec.model),
    model: 'ir.model',
    values: {
      name: spec.label,
      model: spec.model,
      state: 'manual',
      order: spec.order ?? 'id',
      // Odoo's chatter: once on, Odoo never turns it off (a model without it keeps false).
      ...(spec.chatter ? { is_mail_thread: true, is_mail_activity: true } : {}),
    },
    key: ['model'],
    createOnly: ['model', 'state'],
    createWith: { order: 'id' },
  };
}

function fieldItem(model: ModelSpec, spec: FieldSpec): WorkspaceItem {
  const values: Record<string, ItemValue> = {
    model_id: ref(modelXmlid(model.model)),
    model: model.model,
    name: spec.name,
    ttype: spec.type,
    field_description: spec.label,
    help: spec.help ?? false,
    required: spec.required ?? false,
    readonly: spec.readonly ?? false,
    index: spec.index ?? false,
  };
  if (spec.selection) values.selection = pythonSelection(spec.selection);
  if (spec.relation) values.relation = spec.relation;
  if (spec.type === 'many2one') values.on_delete = spec.onDelete ?? 'set null';
  if (spec.inverse) values.relation_field = spec.inverse;
  if (spec.tracking) values.tracking = 1;
  if (spec.related) {
    values.related = spec.related;
    values.store = false;
  }
  if (spec.currencyField) values.currency_field = spec.currencyField;
  if (spec.compute) {
    values.compute = spec.compute.code;
    values.depends = spec.compute.depends;
    values.store = true;
    values.readonly = !spec.compute.editable;
  }
  if (spec.table) {
    const [table, column1, column2] = spec.table;
    values.relation_table = table;
    values.column1 = column1;
    values.column2 = column2;
  }
  return {
    name: fieldXmlid(model.model, spec.name),
    model: 'ir.model.fields',
    values,
    ...(spec.compute
      ? { after: spec.compute.depends.split(',').map((f) => fieldXmlid(model.model, f.trim())) }
      : spec.inverse && spec.relation
        ? { after: [fieldXmlid(spec.relation, spec.inverse)] }
        : {}),
    key: ['model', 'name'],
    createOnly: [
      'model_id',
      'model',
      'name',
      'ttype',
      'relation',
      'relation_field',
      'relation_table',
      'column1',
      'column2',
    ],
  };
}

function accessItems(spec: ModelSpec): WorkspaceItem[] {
  const rows: Array<[string, string, Perms]> = [
    ['user', GROUP_USER, spec.access.user],
    ['manager', GROUP_MANAGER, spec.access.manager],
    ['connector', GROUP_CONNECTOR, spec.access.connector],
  ];
  return rows
    .filter(([, , perms]) => perms !== '')
    .map(([who, group, perms]) => ({
      name: `access_${spec.model}_${who}`,
      model: 'ir.model.access',
      values: {
        name: `${spec.model} ${who}`,
        model_id: ref(modelXmlid(spec.model)),
        group_id: ref(group),
        perm_read: perms.includes('r'),
        perm_write: perms.includes('w'),
        perm_create: perms.includes('c'),
        perm_unlink: perms.includes('u'),
      },
    }));
}

/**
 * Records of a company's run are that company's: seen and written only where it is among the
 * companies the user works in (Odoo's own multi-company rule, global, for every user).
 */
function companyRuleItems(spec: ModelSpec): WorkspaceItem[] {
  if (!spec.companyRule) return [];
  return [
    {
      name: `rule_${spec.model}_company`,
      model: 'ir.rule',
      values: {
        name: `${spec.label}: multi-company`,
        model_id: ref(modelXmlid(spec.model)),
        domain_force: "['|', ('x_company_id', '=', False), ('x_company_id', 'in', company_ids)]",
        perm_read: true,
        perm_write: true,
        perm_create: true,
        perm_unlink: true,
      },
    },
  ];
}

/**
 * What RCP users may create or delete (`userRecords`), the rest of the model being the connector's:
 * a group rule for RCP / User (managers imply it) and one for the connector's group, which Odoo ORs
 * for a user in both. Reading is left to the access rights. On a guarded model users may write every
 * record (to post on it: the guard's trigger refuses what they may not change), so their rule on
 * `userRecords` leaves writing to a rule of its own.
 */
function userRecordRuleItems(spec: ModelSpec): WorkspaceItem[] {
  if (!spec.userRecords) return [];
  const all = "[(1, '=', 1)]";
  const rule = (
    who: string,
    label: string,
    group: string,
    domain: string,
    perms: { write: boolean; createUnlink: boolean },
  ): WorkspaceItem => ({
    name: `rule_${spec.model}_${who}`,
    model: 'ir.rule',
    values: {
      name: `${spec.label}: ${label}`,
      model_id: ref(modelXmlid(spec.model)),
      groups: refs(group),
      domain_force: domain,
      perm_read: false,
      perm_write: perms.write,
      perm_create: perms.createUnlink,
      perm_unlink: perms.createUnlink,
    },
  });
  const every = { write: true, createUnlink: true };
  return [
    rule('user', 'user', GROUP_USER, spec.userRecords, { write: !spec.guarded, createUnlink: true }),
    ...(spec.guarded
      ? [rule('user_post', 'user posts on any', GROUP_USER, all, { write: true, createUnlink: false })]
      : []),
    rule('connector', 'connector', GROUP_CONNECTOR, all, every),
  ];
}

/**
 * The connector's marks on Odoo's own records (the payment's record of what reached RCP, the usage
 * detail of an invoice that carries the writer's mark) are attachments, which anyone who may write
 * the payment or invoice could change or delete: a global rule leaves them to the connector's group
 * (the connector writes some of them as superuser, inside its server actions, which no rule stops).
 */
function connectorMarksRule(): WorkspaceItem {
  const marks = [
    "'|'",
    `'&', ('res_model', '=', 'account.payment'), ('name', '=', '${MARK_NAME}')`,
    `'&', ('res_model', '=', 'account.move'), ('name', '=like', '${USAGE_ATTACHMENT_PREFIX}%')`,
  ].join(', ');
  return {
    name: 'rule_ir_attachment_connector_marks',
    model: 'ir.rule',
    values: {
      name: "RCP: the connector's marks",
      model_id: ref('base.model_ir_attachment'),
      domain_force: `[(1, '=', 1)] if user.has_group('${fullXmlid(GROUP_CONNECTOR)}') else ['!', ${marks}]`,
      perm_read: false,
      perm_write: true,
      perm_create: true,
      perm_unlink: true,
    },
  };
}

/**
 * The connector finds its server actions (claims) by external ID, which needs read access to them;
 * an integration user without Administration / Settings has none, so its group gets it.
 */
function connectorReadsActions(): WorkspaceItem {
  return {
    name: 'access_ir_actions_server_connector',
    model: 'ir.model.access',
    values: {
      name: 'ir.actions.server connector',
      model_id: ref('base.model_ir_actions_server'),
      group_id: ref(GROUP_CONNECTOR),
      perm_read: true,
      perm_write: false,
      perm_create: false,
      perm_unlink: false,
    },
  };
}

/**
 * The connector makes a unit of measure of its own for each RCP measure (ГБ): creating `uom.uom`
 * (and, on 17 and 18, its `uom.category`) needs Administration / Settings, which a least-privileged
 * integration user has not, so its group may create and update them (never delete).
 */
function connectorMakesUnits(caps: Capabilities): WorkspaceItem[] {
  const models = caps.hasUomCategory ? ['uom.uom', 'uom.category'] : ['uom.uom'];
  return models.map((model) => ({
    name: `access_${model.replace('.', '_')}_connector`,
    model: 'ir.model.access',
    values: {
      name: `${model} connector`,
      model_id: ref(`uom.model_${model.replace('.', '_')}`),
      group_id: ref(GROUP_CONNECTOR),
      perm_read: true,
      perm_write: true,
      perm_create: true,
      perm_unlink: false,
    },
  }));
}

/** What a run saved from the form starts as. */
function defaultItems(): WorkspaceItem[] {
  const def = (field: string, value: string): WorkspaceItem => ({
    name: `default_x_rcp_run__${field}`,
    model: 'ir.default',
    values: { field_id: ref(fieldXmlid('x_rcp_run', field)), json_value: JSON.stringify(value) },
  });
  return [def('x_state', 'requested'), def('x_kind', 'sync'), def('x_trigger', 'odoo')];
}

function serverActionItems(caps: Capabilities): WorkspaceItem[] {
  const guards = guardsActionCode(GROUP_CONNECTOR);
  const resolve = (resolution: 'pushed' | 'not_pushed') => actionCode('payment_resolve', { resolution });

  return [
    ...runAndLinkActions(caps),
    serverAction(
      caps,
      ACTION_PAYMENT_LEDGER,
      'RCP: write the payments ledger',
      'x_rcp_payment',
      [GROUP_CONNECTOR],
      actionCode(ACTION_PAYMENT_LEDGER, { mark_name: MARK_NAME }),
    ),
    serverAction(
      caps,
      ACTION_GUARDS,
      'RCP: install database guards',
      'x_rcp_lock',
      ['base.group_system'],
      guards,
    ),
    ...(caps.groupHeading
      ? []
      : [
          serverAction(
            caps,
            ACTION_GROUP_HEADING,
            'RCP: show the groups in Settings → Users',
            'x_rcp_lock',
            ['base.group_system'],
            actionCode(ACTION_GROUP_HEADING),
          ),
        ]),
    serverAction(
      caps,
      ACTION_TRANSLATE,
      'RCP: write the workspace in another language',
      'x_rcp_lock',
      ['base.group_system'],
      actionCode(ACTION_TRANSLATE),
    ),
    serverAction(
      caps,
      ACTION_CLAIM_KEYS,
      'RCP: claim keys',
      'x_rcp_lock',
      [GROUP_CONNECTOR],
      actionCode(ACTION_CLAIM_KEYS),
    ),
    serverAction(
      caps,
      ACTION_RELEASE_KEYS,
      'RCP: release keys',
      'x_rcp_lock',
      [GROUP_CONNECTOR],
      actionCode(ACTION_RELEASE_KEYS),
    ),
    ...DRAFT_MARK_ACTIONS.map((a) =>
      serverAction(caps, a.name, a.label, DRAFT_MARK_MODEL, [GROUP_CONNECTOR], a.code),
    ),
    serverAction(
      caps,
      CORRECTION_ACTION.name,
      CORRECTION_ACTION.label,
      CORRECTION_ACTION.model,
      [GROUP_CONNECTOR],
      CORRECTION_ACTION.code,
    ),
    ...paymentReviewActions(caps, GROUP_USER),
    serverAction(caps, ACTION_RESOLVE_PUSHED, 'RCP has it', 'x_rcp_payment', [GROUP_USER], resolve('pushed')),
    serverAction(
      caps,
      ACTION_RESOLVE_NOT_PUSHED,
      'RCP does not have it',
      'x_rcp_payment',
      [GROUP_USER],
      resolve('not_pushed'),
    ),
  ];
}

/**
 * The worker's claim of a run and the sync's application of the accountants' links, each one
 * transaction; and the accountant's "Accept suggestion".
 */
function runAndLinkActions(caps: Capabilities): WorkspaceItem[] {
  return [
    serverAction(
      caps,
      ACTION_CLAIM_RUN,
      'RCP: claim a run',
      'x_rcp_run',
      [GROUP_CONNECTOR],
      actionCode(ACTION_CLAIM_RUN),
    ),
    serverAction(caps, ACTION_CANCEL_RUN, 'Cancel', 'x_rcp_run', [GROUP_USER], actionCode(ACTION_CANCEL_RUN)),
    serverAction(
      caps,
      ACTION_FINISH_RUN,
      'RCP: finish a run',
      'x_rcp_run',
      [GROUP_CONNECTOR],
      actionCode(ACTION_FINISH_RUN),
    ),
    serverAction(
      caps,
      ACTION_RUN_PROGRESS,
      'RCP: raise a run’s progress',
      'x_rcp_run',
      [GROUP_CONNECTOR],
      actionCode(ACTION_RUN_PROGRESS),
    ),
    serverAction(
      caps,
      ACTION_RETRY_RUN,
      'Retry failed',
      // Bound to the failed records' model: see the action's first lines.
      'x_rcp_run_failure',
      [GROUP_USER],
      actionCode(ACTION_RETRY_RUN, {
        kinds: RETRY_KINDS.map((k) => `'${k}', `).join(''),
        why_not: RETRY_NOT_OFFERED,
      }),
    ),
    serverAction(
      caps,
      ACTION_RUN_CHECK,
      'RCP: check a requested run',
      'x_rcp_run',
      [GROUP_USER],
      runCheckCode(),
    ),
    serverAction(
      caps,
      ACTION_RUN_FORCE,
      'Rewrite edited drafts',
      'x_rcp_run',
      [GROUP_MANAGER],
      actionCode(ACTION_RUN_FORCE),
    ),
    serverAction(
      caps,
      ACTION_APPLY_LINKS,
      'RCP: apply counterparty links',
      'x_rcp_counterparty',
      [GROUP_CONNECTOR],
      actionCode(ACTION_APPLY_LINKS),
    ),
    serverAction(
      caps,
      ACTION_ACCEPT_SUGGESTION,
      'Accept suggestion',
      'x_rcp_counterparty',
      [GROUP_USER],
      actionCode(ACTION_ACCEPT_SUGGESTION),
    ),
  ];
}

const WINDOWS: ReadonlyArray<{
  name: string;
  label: string;
  model: string;
  views: string[];
  context?: string;
}> = [
  { name: 'action_runs', label: 'Runs', model: 'x_rcp_run', views: ['list', 'form'] },
  {
    name: 'action_counterparties',
    label: 'Counterparties',
    model: 'x_rcp_counterparty',
    views: ['list', 'form'],
  },
  { name: 'action_usage', label: 'Usage', model: 'x_rcp_usage', views: ['pivot', 'graph', 'list', 'form'] },
  { name: 'action_payments', label: 'Payments to RCP', model: 'x_rcp_payment', views: ['list', 'form'] },
];

function windowActionItems(caps: Capabilities): WorkspaceItem[] {
  return WINDOWS.map((w) => ({
    name: w.name,
    model: 'ir.actions.act_window',
    values: {
      name: w.label,
      res_model: w.model,
      view_mode: w.views.map((v) => (v === 'list' ? caps.listViewType : v)).join(','),
      search_view_id: ref(`view_${w.model}_search`),
      context: w.context ?? '{}',
    },
  }));
}

function menuItems(caps: Capabilities): WorkspaceItem[] {
  const groups = caps.recordGroupsField;
  const menu = (name: string, label: string, sequence: number, action: string): WorkspaceItem => ({
    name,
    model: 'ir.ui.menu',
    values: {
      name: label,
      parent_id: ref('menu_rcp'),
      sequence,
      action: actionRef(action, 'ir.actions.act_window'),
    },
  });
  return [
    {
      name: 'menu_rcp',
      model: 'ir.ui.menu',
      values: {
        name: 'RCP',
        parent_id: ref('account.menu_finance'),
        sequence: 60,
        [groups]: refs(GROUP_USER),
      },
    },
    menu('menu_runs', 'Runs', 10, 'action_runs'),
    menu('menu_counterparties', 'Counterparties', 20, 'action_counterparties'),
    menu('menu_usage', 'Usage', 30, 'action_usage'),
    menu('menu_payments', 'Payments to RCP', 40, 'action_payments'),
  ];
}

/** External IDs of the workspace (full names), for removal and for `check`. */
export function workspaceXmlids(caps: Capabilities): string[] {
  return workspaceDefinition(caps).map((item) => fullXmlid(item.name));
}
