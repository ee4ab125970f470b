import { USAGE_ATTACHMENT_PREFIX } from '../../mappings/invoice-values.ts';
/**
 * The whole RCP workspace as a list of declarative items, in the order they are created (each item
 * refers only to items before it); removal goes in the reverse order. Built for one Odoo version:
 * what differs (view type `tree`/`list`, groups fields, group headings) comes from the capability
 * table. To extend the workspace, add a model or field in models.ts, or an item here.
 */
import type { Capabilities } from '../odoo/capabilities.ts';
import { documentItems } from './documents.ts';
import { DRAFT_MARK_ACTIONS, DRAFT_MARK_MODEL } from './draft-marks.ts';
import {
  type ItemValue,
  type WorkspaceItem,
  actionRef,
  fullXmlid,
  pythonSelection,
  ref,
  refs,
} from './items.ts';
import { type FieldSpec, MODELS, type ModelSpec, type Perms, uniqueIndexName } from './models.ts';
import { MARK_CLAIM_CHECK, MARK_NAME, MARK_SYNC_CODE } from './payment-marks.ts';
import { paymentReviewActions } from './payment-review-actions.ts';
import { viewsOf } from './views.ts';

export const GROUP_USER = 'group_user';
export const GROUP_MANAGER = 'group_manager';
export const GROUP_CONNECTOR = 'group_connector';
export const ACTION_GUARDS = 'action_install_guards';
export const ACTION_CLAIM_KEYS = 'action_claim_keys';
export const ACTION_RELEASE_KEYS = 'action_release_keys';
export const ACTION_PAYMENT_LEDGER = 'action_payment_ledger';
export const ACTION_RESOLVE_PUSHED = 'action_payment_rcp_has_it';
export const ACTION_RESOLVE_NOT_PUSHED = 'action_payment_rcp_does_not_have_it';
export const ACTION_CLAIM_RUN = 'action_claim_run';
export const ACTION_APPLY_LINKS = 'action_apply_counterparty_links';
export const ACTION_ACCEPT_SUGGESTION = 'action_counterparty_accept_suggestion';
export const ACTION_CANCEL_RUN = 'action_run_cancel';

export const modelXmlid = (model: string) => `model_${model}`;
export const fieldXmlid = (model: string, field: string) => `field_${model}__${field}`;

export function workspaceDefinition(caps: Capabilities): WorkspaceItem[] {
  return [
    ...groupItems(caps),
    ...MODELS.map(modelItem),
    // Computed fields after every plain one: Odoo checks their dependencies when creating them.
    ...MODELS.flatMap((m) => m.fields.filter((f) => !f.compute).map((f) => fieldItem(m, f))),
    ...MODELS.flatMap((m) => m.fields.filter((f) => f.compute).map((f) => fieldItem(m, f))),
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

function modelItem(spec: ModelSpec): WorkspaceItem {
  return {
    name: modelXmlid(spec.model),
    model: 'ir.model',
    values: {
      name: spec.label,
      model: spec.model,
      state: 'manual',
      order: spec.order ?? 'id',
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
  if (spec.related) {
    values.related = spec.related;
    values.store = false;
  }
  if (spec.currencyField) values.currency_field = spec.currencyField;
  if (spec.compute) {
    values.compute = spec.compute.code;
    values.depends = spec.compute.depends;
    values.store = true;
    values.readonly = true;
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
      : {}),
    key: ['model', 'name'],
    createOnly: ['model_id', 'model', 'name', 'ttype', 'relation', 'relation_table', 'column1', 'column2'],
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
 * for a user in both. Reading is left to the access rights.
 */
function userRecordRuleItems(spec: ModelSpec): WorkspaceItem[] {
  if (!spec.userRecords) return [];
  const rule = (who: string, group: string, domain: string): WorkspaceItem => ({
    name: `rule_${spec.model}_${who}`,
    model: 'ir.rule',
    values: {
      name: `${spec.label}: ${who}`,
      model_id: ref(modelXmlid(spec.model)),
      groups: refs(group),
      domain_force: domain,
      perm_read: false,
      perm_write: true,
      perm_create: true,
      perm_unlink: true,
    },
  });
  return [rule('user', GROUP_USER, spec.userRecords), rule('connector', GROUP_CONNECTOR, "[(1, '=', 1)]")];
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

/** The unique indexes of every model, installed by setup (as admin) through one server action. */
export function uniqueIndexes(): Array<{ name: string; table: string; column: string }> {
  return MODELS.flatMap((m) =>
    (m.unique ?? []).map((column) => ({ name: uniqueIndexName(m.model, column), table: m.model, column })),
  );
}

function serverActionItems(caps: Capabilities): WorkspaceItem[] {
  const indexes = uniqueIndexes();
  const guards = [
    '# Installed by rcp-odoo setup: the database guards of the RCP workspace (exactly-once rules).',
    "if not env.context.get('rcp_check_only'):",
    ...indexes.map(
      (i) => `    env.cr.execute('CREATE UNIQUE INDEX IF NOT EXISTS ${i.name} ON ${i.table} (${i.column})')`,
    ),
    `env.cr.execute('SELECT indexname FROM pg_indexes WHERE indexname IN (${indexes.map(() => '%s').join(', ')})', [${indexes.map((i) => `'${i.name}'`).join(', ')}])`,
    'found = []',
    'for row in env.cr.fetchall():',
    '    found.append(row[0])',
    "action = {'indexes': found}",
  ].join('\n');

  // Keys claimed many in one call, with the holder (the invoice writer claims a batch of
  // counterparties at once, and renews them while it works: its heartbeat).
  const claimKeys = [
    '# Claims each free, expired or own key of a list for a lease, in one transaction, with its holder',
    '# (run, queue job, worker, host, pid) and a heartbeat. A key held by another owner is taken over',
    "# at once when its lease ran out (no heartbeat) or when the claimer runs the holder's own queue job",
    '# (the queue gave that job to this worker: its first holder stopped). With renew, only keys still',
    "# the owner's are renewed; the others are answered lost. A concurrent creator of one of the keys",
    '# fails the whole call on the unique index of x_key: the caller asks again; two claimers of the same',
    '# row collide on it (Odoo retries the loser, which then sees the winner).',
    "given = env.context.get('rcp_lock') or {}",
    "keys = [str(k) for k in (given.get('keys') or [])]",
    "owner = str(given.get('owner') or '')",
    "ttl = int(given.get('ttl_seconds') or 0)",
    "renew = bool(given.get('renew'))",
    "holder = given.get('holder') or {}",
    "job = str(holder.get('job') or '')",
    'if not keys or not owner or ttl <= 0:',
    "    raise UserError('rcp_lock needs keys, owner and ttl_seconds')",
    'now = datetime.datetime.now()',
    'until = now + datetime.timedelta(seconds=ttl)',
    "vals = {'x_owner': owner, 'x_expires_at': until, 'x_heartbeat_at': now, 'x_run': str(holder.get('run') or '') or False, 'x_job': job or False, 'x_worker': str(holder.get('worker') or '') or False, 'x_host': str(holder.get('host') or '') or False, 'x_pid': int(holder.get('pid') or 0)}",
    "Lock = env['x_rcp_lock']",
    'held = {}',
    "for rec in Lock.search([('x_key', 'in', keys)]):",
    '    held[rec.x_key] = rec',
    'claimed = []',
    'refused = []',
    'taken = []',
    'lost = []',
    'fresh = []',
    'for key in keys:',
    '    rec = held.get(key)',
    '    if rec and rec.x_owner == owner:',
    "        rec.write({'x_expires_at': until, 'x_heartbeat_at': now})",
    '        claimed.append(key)',
    '    elif renew:',
    '        lost.append(key)',
    '    elif rec and rec.x_expires_at and rec.x_expires_at > now and not (job and rec.x_job == job):',
    "        refused.append({'key': key, 'owner': rec.x_owner, 'run': rec.x_run or False, 'job': rec.x_job or False, 'worker': rec.x_worker or False, 'host': rec.x_host or False, 'pid': rec.x_pid or 0, 'heartbeat_at': str(rec.x_heartbeat_at or ''), 'expires_at': str(rec.x_expires_at)})",
    '    elif rec:',
    "        taken.append({'key': key, 'owner': rec.x_owner, 'why': 'job' if (job and rec.x_job == job and rec.x_expires_at and rec.x_expires_at > now) else 'lease'})",
    '        rec.write(vals)',
    '        claimed.append(key)',
    '    else:',
    '        row = dict(vals)',
    "        row['x_key'] = key",
    "        row['x_name'] = key",
    '        fresh.append(row)',
    '        claimed.append(key)',
    'if fresh:',
    '    Lock.create(fresh)',
    "action = {'claimed': claimed, 'refused': refused, 'taken_over': taken, 'lost': lost}",
  ].join('\n');

  const releaseKeys = [
    "given = env.context.get('rcp_lock') or {}",
    "keys = [str(k) for k in (given.get('keys') or [])]",
    "rec = env['x_rcp_lock'].search([('x_key', 'in', keys), ('x_owner', '=', str(given.get('owner') or ''))])",
    "action = {'released': len(rec)}",
    'rec.unlink()',
  ].join('\n');

  const resolve = (resolution: 'pushed' | 'not_pushed') =>
    [
      '# An accountant settles a payment that needs review, after checking RCP. The ledger is read-only',
      '# for RCP users: this action checks the state and writes, as superuser, in one transaction.',
      'for rec in records:',
      "    if rec.x_state != 'review':",
      "        raise UserError('Only a payment that needs review can be settled: %s is %s.' % (rec.x_name or rec.id, rec.x_state))",
      "    if rec.x_review and rec.x_review != 'lost':",
      "        raise UserError('%s does not wait for a lost answer: settle it with the button its review offers.' % (rec.x_name or rec.id))",
      '    if rec.x_resolution:',
      "        raise UserError('%s is already settled.' % (rec.x_name or rec.id))",
      `records.sudo().write({'x_resolution': '${resolution}', 'x_resolved_by': env.user.id, 'x_resolved_at': datetime.datetime.now()})`,
    ].join('\n');

  return [
    ...runAndLinkActions(caps),
    serverAction(
      caps,
      ACTION_PAYMENT_LEDGER,
      'RCP: write the payments ledger',
      'x_rcp_payment',
      [GROUP_CONNECTOR],
      PAYMENT_LEDGER_CODE,
    ),
    serverAction(
      caps,
      ACTION_GUARDS,
      'RCP: install database guards',
      'x_rcp_lock',
      ['base.group_system'],
      guards,
    ),
    serverAction(caps, ACTION_CLAIM_KEYS, 'RCP: claim keys', 'x_rcp_lock', [GROUP_CONNECTOR], claimKeys),
    serverAction(
      caps,
      ACTION_RELEASE_KEYS,
      'RCP: release keys',
      'x_rcp_lock',
      [GROUP_CONNECTOR],
      releaseKeys,
    ),
    ...DRAFT_MARK_ACTIONS.map((a) =>
      serverAction(caps, a.name, a.label, DRAFT_MARK_MODEL, [GROUP_CONNECTOR], a.code),
    ),
    ...paymentReviewActions(caps, serverAction, GROUP_USER),
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
  const claimRun = [
    '# Claims the oldest requested RCP run for a worker, in one transaction, after failing the runs',
    '# whose worker died (running, no progress written for stale_seconds). Two workers claiming the',
    '# same run: the second write is a serialization failure that Odoo retries, and the retry sees it running.',
    "given = env.context.get('rcp_run') or {}",
    "worker = str(given.get('worker') or '')",
    "stale = int(given.get('stale_seconds') or 0)",
    'if not worker or stale <= 0:',
    "    raise UserError('rcp_run needs worker and stale_seconds')",
    '# The database clock, the one write_date is stamped with.',
    'now = env.cr.now()',
    "Run = env['x_rcp_run']",
    "dead = Run.search([('x_state', '=', 'running'), ('write_date', '<', now - datetime.timedelta(seconds=stale))])",
    'expired = []',
    'for rec in dead:',
    "    why = 'Failed: the worker (%s) stopped, no progress since %s UTC.' % (rec.x_worker or '?', rec.write_date)",
    "    rec.write({'x_state': 'failed', 'x_finished_at': now, 'x_summary': ((rec.x_summary or '') + chr(10) + why).strip()})",
    '    expired.append(rec.id)',
    "domain = [('x_state', '=', 'requested')]",
    "if given.get('only_id'):",
    "    domain.append(('id', '=', int(given.get('only_id'))))",
    "rec = Run.search(domain, order='id', limit=1)",
    'claimed = False',
    'if rec:',
    "    rec.write({'x_state': 'running', 'x_started_at': now, 'x_worker': worker, 'x_progress': 0, 'x_failed_count': 0})",
    '    cp = rec.x_counterparty_id',
    "    claimed = {'id': rec.id, 'kind': rec.x_kind, 'period': rec.x_period or False, 'dry_run': bool(rec.x_dry_run), 'partner': rec.x_partner_filter or False, 'client': rec.x_client_filter or False, 'counterparty_kind': cp.x_kind or False, 'counterparty_rcp_id': cp.x_rcp_id or False}",
    "action = {'claimed': claimed, 'expired': expired}",
  ].join('\n');

  const applyLinks = [
    '# Applies the links accountants chose on RCP counterparties, in one transaction: the external ID',
    '# rcp_connector.<kind>_<uuid> is made, moved to the chosen company, or removed (unlink). Only',
    "# the connector's names of res.partner are touched.",
    "given = env.context.get('rcp_links') or []",
    "Data = env['ir.model.data'].sudo()",
    'done = []',
    'for link in given:',
    "    rec = env['x_rcp_counterparty'].browse(int(link.get('counterparty_id') or 0)).exists()",
    '    if not rec:',
    '        continue',
    "    uuid = rec.x_rcp_id or ''",
    "    if rec.x_kind not in ('partner', 'client') or len(uuid) != 36 or uuid.strip('0123456789abcdef-'):",
    "        raise UserError('not an RCP counterparty: %s %s' % (rec.x_kind, uuid))",
    "    name = '%s_%s' % (rec.x_kind, uuid.replace('-', '_'))",
    "    pid = int(link.get('partner_id') or 0)",
    "    data = Data.search([('module', '=', 'rcp_connector'), ('name', '=', name)], limit=1)",
    '    if pid:',
    "        if data and data.model != 'res.partner':",
    "            raise UserError('%s does not name a contact' % name)",
    '        if data:',
    "            data.write({'res_id': pid})",
    '        else:',
    "            Data.create({'module': 'rcp_connector', 'name': name, 'model': 'res.partner', 'res_id': pid, 'noupdate': True})",
    "        rec.write({'x_partner_id': pid, 'x_state': 'linked', 'x_keep_details': bool(link.get('keep_details')), 'x_create_partner': False})",
    '    else:',
    "        if data and data.model == 'res.partner':",
    '            data.unlink()',
    "        rec.write({'x_partner_id': False, 'x_state': 'to_match', 'x_keep_details': False})",
    '    done.append(rec.id)',
    "action = {'applied': done}",
  ].join('\n');

  const accept = [
    '# An accountant accepts the suggested company: the next sync links it.',
    'for rec in records:',
    '    if rec.x_suggested_partner_id and not rec.x_partner_id:',
    "        rec.write({'x_partner_id': rec.x_suggested_partner_id.id})",
  ].join('\n');

  const cancelRun = [
    '# An accountant cancels a run no worker has taken yet: checked and written in one transaction, so a',
    "# worker claiming it at the same moment wins or loses whole. A taken or finished run is the connector's.",
    'now = env.cr.now()',
    'for rec in records:',
    "    if rec.x_state != 'requested':",
    "        raise UserError('Only a requested run can be cancelled: %s is %s.' % (rec.x_name or rec.id, rec.x_state))",
    "    rec.sudo().write({'x_state': 'failed', 'x_finished_at': now, 'x_summary': 'Cancelled by %s before a worker took it.' % env.user.name})",
  ].join('\n');

  return [
    serverAction(caps, ACTION_CLAIM_RUN, 'RCP: claim a run', 'x_rcp_run', [GROUP_CONNECTOR], claimRun),
    serverAction(caps, ACTION_CANCEL_RUN, 'Cancel', 'x_rcp_run', [GROUP_USER], cancelRun),
    serverAction(
      caps,
      ACTION_APPLY_LINKS,
      'RCP: apply counterparty links',
      'x_rcp_counterparty',
      [GROUP_CONNECTOR],
      applyLinks,
    ),
    serverAction(
      caps,
      ACTION_ACCEPT_SUGGESTION,
      'Accept suggestion',
      'x_rcp_counterparty',
      [GROUP_USER],
      accept,
    ),
  ];
}

/**
 * Every change the connector makes to the payments ledger, as a list of operations run in ONE
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
const PAYMENT_LEDGER_CODE = [
  '# Installed by rcp-odoo setup: the payments ledger, written by the connector only through this action.',
  "ops = env.context.get('rcp_ledger') or []",
  "Ledger = env['x_rcp_payment']",
  'now = datetime.datetime.now()',
  "protected = ('x_payment_id', 'x_resolution', 'x_resolved_by', 'x_resolved_at', 'x_decision')",
  'answers = []',
  'touched = set()',
  'for op in ops:',
  "    given = op.get('vals') or {}",
  '    vals = {}',
  '    for k in given:',
  "        if k.startswith('x_') and k not in protected:",
  '            vals[k] = given[k]',
  "    kind = op.get('op')",
  "    if kind in ('claim', 'import'):",
  "        pid = int(op.get('payment_id') or 0)",
  '        if not pid:',
  "            raise UserError('rcp_ledger: %s needs payment_id' % kind)",
  "        rec = Ledger.search([('x_payment_id', '=', pid)], limit=1)",
  "        if kind == 'claim':",
  "            vals['x_state'] = 'intent'",
  "        if not rec and kind == 'claim':",
  MARK_CLAIM_CHECK,
  '        if not rec:',
  "            vals['x_payment_id'] = pid",
  '            rec = Ledger.create(vals)',
  '            touched.add(rec.id)',
  "            answers.append({'done': True, 'id': rec.id, 'state': rec.x_state})",
  "        elif kind == 'claim' and (rec.x_state == 'not_pushed' or (rec.x_state == 'review' and rec.x_resolution == 'not_pushed')):",
  "            vals['x_resolution'] = False",
  "            vals['x_resolved_by'] = False",
  "            vals['x_resolved_at'] = False",
  '            rec.write(vals)',
  '            touched.add(rec.id)',
  "            answers.append({'done': True, 'id': rec.id, 'state': rec.x_state})",
  '        else:',
  "            answers.append({'done': False, 'id': rec.id, 'state': rec.x_state})",
  "    elif kind in ('set', 'resolve'):",
  "        rec = Ledger.browse(int(op.get('id') or 0)).exists()",
  "        ok = bool(rec) and rec.x_state in (op.get('from') or [])",
  "        if ok and kind == 'set' and 'resolution' in op:",
  "            ok = (rec.x_resolution or False) == (op.get('resolution') or False)",
  "        if ok and kind == 'set' and op.get('older_than'):",
  "            ok = rec.write_date <= now - datetime.timedelta(seconds=int(op.get('older_than')))",
  "        if ok and kind == 'set':",
  "            for k, v in (op.get('expect') or {}).items():",
  '                ok = ok and (rec[k] or False) == (v or False)',
  "            for k, v in (op.get('expect_ids') or {}).items():",
  '                ok = ok and (rec[k].id or False) == (v or False)',
  '        if ok:',
  "            if kind == 'resolve':",
  "                vals['x_resolution'] = op.get('resolution')",
  "                vals['x_resolved_by'] = env.user.id",
  "                vals['x_resolved_at'] = now",
  "            elif op.get('clear_resolution'):",
  "                vals['x_resolution'] = False",
  "                vals['x_resolved_by'] = False",
  "                vals['x_resolved_at'] = False",
  "                vals['x_decision'] = False",
  '            rec.write(vals)',
  '            touched.add(rec.id)',
  "        answers.append({'done': ok, 'id': rec.id or False, 'state': rec.x_state or False})",
  '    else:',
  "        raise UserError('rcp_ledger: unknown operation %s' % kind)",
  MARK_SYNC_CODE,
  "action = {'answers': answers}",
].join('\n');

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
