import { computeCode } from './odoo-files.ts';
import { RU } from './translations.ts';
/**
 * The RCP workspace's models and fields, as data (product.md, "The RCP workspace in Odoo": these
 * model and field names are a fixed contract). To add a field, add a line; setup creates it on the
 * next run and `check` reports the workspace as out of date until then.
 */

export type FieldType =
  | 'char'
  | 'text'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'selection'
  | 'many2one'
  | 'one2many'
  | 'many2many';

export interface FieldSpec {
  readonly name: `x_${string}`;
  readonly type: FieldType;
  readonly label: string;
  readonly help?: string;
  readonly selection?: ReadonlyArray<readonly [string, string]>;
  /** Target model of a many2one / many2many. */
  readonly relation?: string;
  readonly onDelete?: 'cascade' | 'set null' | 'restrict';
  readonly required?: boolean;
  readonly readonly?: boolean;
  readonly index?: boolean;
  /** A related field (`create_uid`): shown, not stored. */
  readonly related?: string;
  /** For monetary fields: the many2one to `res.currency`. */
  readonly currencyField?: string;
  /** For one2many: the many2one of `relation` that points back. */
  readonly inverse?: string;
  /** Changes of it are posted in the record's chatter (models with `chatter`). */
  readonly tracking?: boolean;
  /** For many2many: the relation table and its two columns. */
  readonly table?: readonly [string, string, string];
  /**
   * A computed, stored field: Odoo's safe_eval code over `self`, and the fields it depends on;
   * `editable`: a value written (API, connector) is kept as written.
   */
  readonly compute?: { readonly code: string; readonly depends: string; readonly editable?: boolean };
}

/** Who may do what on a model: r(ead), w(rite), c(reate), u(nlink). */
export type Perms = '' | 'r' | 'rw' | 'rwc' | 'rwcu';

export interface ModelSpec {
  readonly model: `x_rcp_${string}`;
  readonly label: string;
  readonly order?: string;
  readonly fields: readonly FieldSpec[];
  readonly access: { readonly user: Perms; readonly manager: Perms; readonly connector: Perms };
  /** Database unique indexes setup installs (manual models cannot declare SQL constraints). */
  readonly unique?: readonly string[];
  /** Its records belong to the company of `x_company_id` (a record rule like Odoo's own multi-company ones). */
  readonly companyRule?: boolean;
  /**
   * The records RCP users (and managers) may create or delete, as an Odoo domain; the connector's
   * group may create, write and delete any (record rules of the two groups, which Odoo ORs).
   */
  readonly userRecords?: string;
  /** Odoo's chatter on its records: messages, followers and activities (mail.thread, mail.activity.mixin). */
  readonly chatter?: boolean;
  /**
   * The connector's records that RCP users may still write, so as to talk about them: Odoo asks for
   * the right to write a record to post a message or plan an activity on it. A database trigger
   * (setup's guards) then refuses any change of their stored fields, in the writer's own
   * transaction, by anyone but the connector's group and the workspace's own actions;
   * `requestFields` may change while the record's `x_state` is `requested` (a run waiting for a worker).
   */
  readonly guarded?: { readonly requestFields?: readonly `x_${string}`[] };
}

const currency: FieldSpec = {
  name: 'x_currency_id',
  type: 'many2one',
  label: 'Currency',
  relation: 'res.currency',
  onDelete: 'restrict',
};

/** A run's counts, as its summary has them (sync: records; invoices: counterparties' invoices). */
export const RUN_COUNTS = ['created', 'updated', 'unchanged'] as const;
const RUN_COUNT_FIELDS: readonly FieldSpec[] = [
  { name: 'x_created_count', type: 'integer', label: 'Created', readonly: true },
  { name: 'x_updated_count', type: 'integer', label: 'Updated', readonly: true },
  { name: 'x_unchanged_count', type: 'integer', label: 'Unchanged', readonly: true },
];

export const RUN_KINDS = ['sync', 'invoice', 'corrections', 'payments', 'reconcile'] as const;
/**
 * The kinds whose work takes a list of RCP records (`only`: invoices and corrections choose their
 * counterparties by it), so Retry failed can ask for just the failed ones. A sync reads RCP's lists
 * whole, a payments push already takes every payment not yet in RCP, a reconcile only compares.
 */
export const RETRY_KINDS = ['invoice', 'corrections'] as const;
export const RETRY_NOT_OFFERED =
  'Retry failed is offered for invoice and corrections runs. Run this kind again instead: a sync reads RCP whole and leaves unchanged records as they are, a payments push takes every payment RCP does not have yet, a reconcile only compares.';

export const RUN_STATES = ['requested', 'running', 'done', 'failed'] as const;
/** A run's name: what, then its month (the connector's `runName` and Odoo's compute of `x_name`). */
export const RUN_NAMES: Readonly<Record<(typeof RUN_KINDS)[number], string>> = {
  sync: 'Sync',
  invoice: 'Invoices',
  corrections: 'Corrections',
  payments: 'Payments push',
  reconcile: 'Reconcile',
};
const DRY_RUN_NAME = ' (dry run)';
export const PAYMENT_STATES = ['intent', 'pushed', 'review', 'not_pushed'] as const;
export const RESOLUTIONS = ['pushed', 'not_pushed'] as const;

/**
 * What RCP received per card and what remains to settle (issue: payments reach the contract they
 * pay): the sends (JSON, the connector's truth), the same in words, the review's kind and plan, and
 * the accountant's decision (buttons only) and choice of card.
 */
const PAYMENT_ROUTING_FIELDS: readonly FieldSpec[] = [
  {
    name: 'x_sends',
    type: 'text',
    label: 'RCP calls (technical)',
    help: 'Every call to RCP for this payment: card, amount, state, RCP payment id (JSON, written by the connector).',
  },
  { name: 'x_cards', type: 'text', label: 'RCP cards credited' },
  {
    name: 'x_payment_amount',
    type: 'monetary',
    label: 'Payment now',
    currencyField: 'x_currency_id',
  },
  {
    name: 'x_difference',
    type: 'monetary',
    label: 'Difference to settle',
    help: 'The payment now minus what RCP is recorded to hold for it.',
    currencyField: 'x_currency_id',
  },
  {
    name: 'x_review',
    type: 'selection',
    label: 'What to review',
    selection: [
      ['lost', 'Answer from RCP lost'],
      ['choose_card', 'Choose the RCP card'],
      ['difference', 'Changed after its push: send the difference'],
      ['take_back', 'Changed after its push: take back in RCP'],
    ],
  },
  { name: 'x_plan', type: 'text', label: 'What settles it (technical)' },
  {
    name: 'x_decision',
    type: 'selection',
    label: 'Decision',
    selection: [
      ['send_difference', 'Send the difference'],
      ['taken_back', 'Taken back in RCP'],
    ],
  },
  {
    name: 'x_card_ids',
    type: 'many2many',
    label: "The company's RCP cards",
    relation: 'x_rcp_counterparty',
    table: ['x_rcp_payment_card_rel', 'payment_id', 'counterparty_id'],
  },
];

export const MODELS: readonly ModelSpec[] = [
  {
    model: 'x_rcp_counterparty',
    label: 'RCP counterparty',
    order: 'x_kind, x_name',
    access: { user: 'rw', manager: 'rwcu', connector: 'rwcu' },
    unique: ['x_rcp_id'],
    fields: [
      { name: 'x_name', type: 'char', label: 'Name', required: true },
      {
        name: 'x_rcp_id',
        type: 'char',
        label: 'RCP id',
        required: true,
        index: true,
        help: 'The uuid of the RCP partner or client, lower case.',
      },
      {
        name: 'x_kind',
        type: 'selection',
        label: 'Kind',
        required: true,
        selection: [
          ['partner', 'Partner'],
          ['client', 'Client'],
        ],
      },
      {
        name: 'x_partner_id',
        type: 'many2one',
        label: 'Odoo company',
        relation: 'res.partner',
        onDelete: 'set null',
        help: 'The Odoo company it is linked to. Choose another to re-link; the next sync applies it.',
      },
      {
        // Follows the company chosen at once (an accountant's link or unlink shows before the sync
        // applies it); whether the sync applied it is x_linked_partner_id.
        name: 'x_state',
        type: 'selection',
        label: 'Status',
        selection: [
          ['linked', 'Linked'],
          ['to_match', 'To match'],
        ],
        compute: { depends: 'x_partner_id', code: computeCode('x_rcp_counterparty.x_state') },
      },
      {
        name: 'x_linked_partner_id',
        type: 'many2one',
        label: 'Company linked in the last sync',
        relation: 'res.partner',
        onDelete: 'set null',
        readonly: true,
        help: "The company the RCP record's invoices and payments go to now; a company chosen above replaces it at the next sync.",
      },
      {
        name: 'x_suggested_partner_id',
        type: 'many2one',
        label: 'Suggested company',
        relation: 'res.partner',
        onDelete: 'set null',
        readonly: true,
        help: 'An Odoo company with the same reference, or the same name once legal forms and quotes are set aside.',
      },
      {
        name: 'x_keep_details',
        type: 'boolean',
        label: 'Linked by an accountant',
        readonly: true,
        help: 'The company was chosen in Odoo: the sync keeps its name, address and e-mail and sets only the tag, reference, price list and payment term.',
      },
      {
        name: 'x_create_partner',
        type: 'boolean',
        label: 'Create a new company',
        help: 'Ask the next sync to make a new Odoo company for it.',
      },
      {
        name: 'x_parent_id',
        type: 'many2one',
        label: 'RCP partner',
        relation: 'x_rcp_counterparty',
        onDelete: 'set null',
        readonly: true,
      },
      { name: 'x_contract', type: 'char', label: 'Contract', readonly: true },
      { name: 'x_billing_plan', type: 'char', label: 'Billing plan', readonly: true },
      { name: 'x_payment_model', type: 'char', label: 'Payment model', readonly: true },
      currency,
      {
        name: 'x_balance',
        type: 'monetary',
        label: 'Balance',
        currencyField: 'x_currency_id',
        readonly: true,
      },
      { name: 'x_synced_at', type: 'datetime', label: 'Last synced', readonly: true },
    ],
  },
  {
    model: 'x_rcp_run',
    label: 'RCP run',
    order: 'id desc',
    // A run is the connector's record of what it did: an accountant requests one (create, in state
    // requested), may change it while it waits (Odoo's form saves a new record only with the right
    // to write) and cancels it with the Cancel button (a server action); once a worker took it,
    // only the connector changes it (the guard below), while anyone who may read it may post on it.
    access: { user: 'rwc', manager: 'rwcu', connector: 'rwcu' },
    // Corrections of posted invoices (credit notes, additional invoices) are requested by managers only.
    chatter: true,
    // What the accountant asks for, and what Odoo computes from it (its name, check and company).
    guarded: {
      requestFields: [
        'x_kind',
        'x_month',
        'x_period',
        'x_open_month',
        'x_force',
        'x_counterparty_id',
        'x_partner_filter',
        'x_client_filter',
        'x_dry_run',
        'x_name',
        'x_checked',
        'x_company_id',
      ],
    },
    userRecords:
      "[('x_state', '=', 'requested')] + ([] if user.has_group('rcp_connector.group_manager') else [('x_kind', '!=', 'corrections')])",
    companyRule: true,
    fields: [
      {
        name: 'x_name',
        type: 'char',
        label: 'Run',
        compute: {
          depends: 'x_kind,x_period,x_dry_run',
          code: computeCode('x_rcp_run.x_name', {
            names: JSON.stringify({ ...RUN_NAMES, run: 'Run', dry: DRY_RUN_NAME }),
            names_ru: JSON.stringify(
              Object.fromEntries(
                Object.entries({ ...RUN_NAMES, run: 'Run', dry: DRY_RUN_NAME.trim() }).map(([k, v]) => [
                  k,
                  k === 'dry' ? ` ${RU[v] ?? v}` : (RU[v] ?? v),
                ]),
              ),
            ),
          }),
        },
      },
      {
        name: 'x_kind',
        type: 'selection',
        label: 'What',
        required: true,
        selection: [
          ['sync', 'Sync counterparties and tariffs'],
          ['invoice', 'Invoices for a month'],
          ['corrections', 'Corrections of posted invoices for a month (RCP / Manager)'],
          ['payments', 'Push payments to RCP'],
          ['reconcile', 'Reconcile a month'],
        ],
      },
      {
        name: 'x_period',
        type: 'char',
        label: 'Month (YYYY-MM)',
        help: 'For invoices and reconcile.',
        compute: { depends: 'x_month', code: computeCode('x_rcp_run.x_period'), editable: true },
      },
      {
        name: 'x_month',
        type: 'date',
        label: 'Month',
        help: 'Any day of the month: a month that is over (the current one only with "Open month").',
      },
      {
        name: 'x_open_month',
        type: 'boolean',
        label: 'Open month',
        help: 'Invoice the current month before it is over: a provisional, short draft (RCP / Manager only).',
      },
      {
        name: 'x_force',
        type: 'boolean',
        label: 'Rewrite edited drafts',
        help: 'Also rewrite draft invoices an accountant changed in Odoo since the connector wrote them: their edits are lost (RCP / Manager only).',
      },
      {
        name: 'x_checked',
        type: 'boolean',
        label: 'Request checked',
        help: 'Set when a request passed the checks the worker makes: what it would refuse cannot be saved.',
        compute: {
          depends: 'x_kind,x_period,x_open_month,x_force',
          code: computeCode('x_rcp_run.x_checked'),
        },
      },
      {
        name: 'x_counterparty_id',
        type: 'many2one',
        label: 'Only this partner or client',
        relation: 'x_rcp_counterparty',
        onDelete: 'set null',
      },
      { name: 'x_partner_filter', type: 'char', label: 'Only RCP partner (uuid)' },
      { name: 'x_client_filter', type: 'char', label: 'Only RCP client (uuid)' },
      { name: 'x_dry_run', type: 'boolean', label: 'Dry run (write nothing)' },
      {
        name: 'x_state',
        type: 'selection',
        label: 'Status',
        required: true,
        tracking: true,
        selection: [
          ['requested', 'Requested'],
          ['running', 'Running'],
          ['done', 'Done'],
          ['failed', 'Failed'],
        ],
      },
      {
        name: 'x_trigger',
        type: 'selection',
        label: 'Started by',
        selection: [
          ['odoo', 'Odoo user'],
          ['schedule', 'Schedule'],
          ['cli', 'Command line'],
        ],
      },
      {
        name: 'x_requested_by',
        type: 'many2one',
        label: 'Requested by',
        relation: 'res.users',
        related: 'create_uid',
        readonly: true,
      },
      {
        name: 'x_requested_at',
        type: 'datetime',
        label: 'Requested at',
        related: 'create_date',
        readonly: true,
      },
      { name: 'x_started_at', type: 'datetime', label: 'Started at', readonly: true },
      { name: 'x_finished_at', type: 'datetime', label: 'Finished at', readonly: true },
      { name: 'x_worker', type: 'char', label: 'Worker', readonly: true },
      { name: 'x_progress', type: 'integer', label: 'Progress (%)', readonly: true },
      { name: 'x_failed_count', type: 'integer', label: 'Failed records', readonly: true },
      ...RUN_COUNT_FIELDS,
      { name: 'x_summary', type: 'text', label: 'Summary', readonly: true },
      {
        name: 'x_failure_ids',
        type: 'one2many',
        label: 'Failed records',
        relation: 'x_rcp_run_failure',
        inverse: 'x_run_id',
        readonly: true,
      },
      {
        name: 'x_retry_of_id',
        type: 'many2one',
        label: 'Retry of',
        relation: 'x_rcp_run',
        onDelete: 'set null',
        readonly: true,
      },
      {
        name: 'x_only_rcp_ids',
        type: 'text',
        label: 'Only these RCP records',
        readonly: true,
        help: 'The RCP ids (one a line) a Retry failed run works on; empty: all.',
      },
      {
        name: 'x_company_id',
        type: 'many2one',
        label: 'Company',
        relation: 'res.company',
        help: 'The company the run works in: the one it was requested in.',
        compute: {
          depends: 'x_kind',
          code: computeCode('x_rcp_run.x_company_id'),
        },
      },
      {
        name: 'x_move_ids',
        type: 'many2many',
        label: 'Invoices',
        relation: 'account.move',
        table: ['x_rcp_run_account_move_rel', 'run_id', 'move_id'],
        readonly: true,
      },
    ],
  },
  {
    // One failed record of a run (written with the run's outcome, action_run_finish): what failed,
    // its RCP id, the Odoo record it concerns when there is one (a link), and why.
    model: 'x_rcp_run_failure',
    label: 'RCP run: failed record',
    order: 'x_run_id desc, id',
    access: { user: 'r', manager: 'r', connector: 'rwcu' },
    companyRule: true,
    fields: [
      { name: 'x_name', type: 'char', label: 'Record' },
      {
        name: 'x_run_id',
        type: 'many2one',
        label: 'Run',
        relation: 'x_rcp_run',
        onDelete: 'cascade',
        required: true,
        index: true,
      },
      { name: 'x_kind', type: 'char', label: 'Kind' },
      { name: 'x_rcp_id', type: 'char', label: 'RCP id', index: true },
      {
        name: 'x_counterparty_id',
        type: 'many2one',
        label: 'RCP counterparty',
        relation: 'x_rcp_counterparty',
        onDelete: 'set null',
      },
      {
        name: 'x_partner_id',
        type: 'many2one',
        label: 'Odoo company',
        relation: 'res.partner',
        onDelete: 'set null',
      },
      {
        name: 'x_payment_id',
        type: 'many2one',
        label: 'Odoo payment',
        relation: 'account.payment',
        onDelete: 'set null',
      },
      { name: 'x_reason', type: 'text', label: 'Why' },
      {
        name: 'x_company_id',
        type: 'many2one',
        label: 'Company',
        relation: 'res.company',
        related: 'x_run_id.x_company_id',
        readonly: true,
      },
    ],
  },
  {
    model: 'x_rcp_usage',
    label: 'RCP usage',
    order: 'x_period desc, id',
    access: { user: 'r', manager: 'r', connector: 'rwcu' },
    companyRule: true,
    fields: [
      { name: 'x_name', type: 'char', label: 'Billing class' },
      { name: 'x_period', type: 'char', label: 'Month', required: true, index: true },
      {
        name: 'x_partner_id',
        type: 'many2one',
        label: 'Invoiced company',
        relation: 'res.partner',
        onDelete: 'set null',
        index: true,
      },
      {
        name: 'x_counterparty_id',
        type: 'many2one',
        label: 'RCP client',
        relation: 'x_rcp_counterparty',
        onDelete: 'set null',
      },
      {
        name: 'x_product_id',
        type: 'many2one',
        label: 'Product',
        relation: 'product.product',
        onDelete: 'set null',
      },
      { name: 'x_quantity', type: 'float', label: 'Quantity' },
      { name: 'x_uom_id', type: 'many2one', label: 'Unit', relation: 'uom.uom', onDelete: 'set null' },
      currency,
      { name: 'x_amount', type: 'monetary', label: 'Amount', currencyField: 'x_currency_id' },
      {
        name: 'x_move_id',
        type: 'many2one',
        label: 'Invoice',
        relation: 'account.move',
        onDelete: 'set null',
        index: true,
      },
      { name: 'x_run_id', type: 'many2one', label: 'Run', relation: 'x_rcp_run', onDelete: 'set null' },
      {
        // On a correction's records (credit note or additional invoice): the posted invoice it corrects.
        name: 'x_corrects_move_id',
        type: 'many2one',
        label: 'Corrects invoice',
        relation: 'account.move',
        onDelete: 'set null',
        index: true,
      },
      {
        name: 'x_company_id',
        type: 'many2one',
        label: 'Company',
        relation: 'res.company',
        related: 'x_move_id.company_id',
        readonly: true,
      },
    ],
  },
  {
    model: 'x_rcp_payment',
    label: 'Payment to RCP',
    order: 'id desc',
    chatter: true,
    // Written by RCP users only through the review's buttons (the workspace's actions).
    guarded: {},
    access: { user: 'rw', manager: 'rw', connector: 'rwcu' },
    unique: ['x_payment_id'],
    companyRule: true,
    fields: [
      { name: 'x_name', type: 'char', label: 'Payment' },
      {
        name: 'x_payment_id',
        type: 'many2one',
        label: 'Odoo payment',
        relation: 'account.payment',
        onDelete: 'restrict',
        required: true,
        index: true,
      },
      {
        name: 'x_state',
        type: 'selection',
        label: 'Status',
        required: true,
        selection: [
          ['intent', 'Being sent'],
          ['pushed', 'Pushed'],
          ['review', 'Needs review'],
          ['not_pushed', 'Not pushed'],
        ],
      },
      {
        name: 'x_counterparty_id',
        type: 'many2one',
        label: 'RCP counterparty',
        relation: 'x_rcp_counterparty',
        onDelete: 'set null',
      },
      currency,
      { name: 'x_amount', type: 'monetary', label: 'Received by RCP', currencyField: 'x_currency_id' },
      { name: 'x_details', type: 'char', label: 'Details sent to RCP' },
      {
        name: 'x_target',
        type: 'char',
        label: 'RCP balance',
        help: 'The RCP balance the payment goes to: client:<uuid> or partner:<uuid>.',
      },
      { name: 'x_rcp_reference', type: 'char', label: 'RCP reference' },
      { name: 'x_pushed_at', type: 'datetime', label: 'Pushed at' },
      { name: 'x_reason', type: 'text', label: 'Why' },
      {
        name: 'x_pushed_amount',
        type: 'monetary',
        label: 'Payment amount when pushed',
        currencyField: 'x_currency_id',
      },
      {
        name: 'x_pushed_partner_id',
        type: 'many2one',
        label: 'Payment company when pushed',
        relation: 'res.partner',
        onDelete: 'set null',
      },
      { name: 'x_pushed_date', type: 'date', label: 'Payment date when pushed' },
      { name: 'x_pushed_payment_state', type: 'char', label: 'Payment state when pushed' },
      {
        name: 'x_resolution',
        type: 'selection',
        label: 'Resolution',
        selection: [
          ['pushed', 'RCP has it'],
          ['not_pushed', 'RCP does not have it'],
        ],
      },
      { name: 'x_resolved_by', type: 'many2one', label: 'Resolved by', relation: 'res.users' },
      { name: 'x_resolved_at', type: 'datetime', label: 'Resolved at' },
      {
        name: 'x_company_id',
        type: 'many2one',
        label: 'Company',
        relation: 'res.company',
        related: 'x_payment_id.company_id',
        readonly: true,
      },
      ...PAYMENT_ROUTING_FIELDS,
    ],
  },
  {
    model: 'x_rcp_lock',
    label: 'RCP claim',
    access: { user: '', manager: 'r', connector: 'rwcu' },
    unique: ['x_key'],
    fields: [
      { name: 'x_name', type: 'char', label: 'Name' },
      { name: 'x_key', type: 'char', label: 'Key', required: true },
      { name: 'x_owner', type: 'char', label: 'Held by', required: true },
      { name: 'x_expires_at', type: 'datetime', label: 'Expires at', required: true },
      // The holder: which run, queue job, worker, host and process; its heartbeat renews the lease.
      { name: 'x_run', type: 'char', label: 'Run' },
      { name: 'x_job', type: 'char', label: 'Queue job' },
      { name: 'x_worker', type: 'char', label: 'Worker' },
      { name: 'x_host', type: 'char', label: 'Host' },
      { name: 'x_pid', type: 'integer', label: 'Process id' },
      { name: 'x_heartbeat_at', type: 'datetime', label: 'Last heartbeat' },
    ],
  },
  {
    // The connector's mark of its last write of each draft invoice, where only the connector writes
    // (an accountant deleting the usage CSV, or editing the draft, cannot remove it): what tells an
    // accountant's edit from the connector's own write, and its one chatter note on that invoice.
    model: 'x_rcp_draft_mark',
    label: 'RCP draft mark',
    access: { user: '', manager: 'r', connector: 'rwcu' },
    unique: ['x_move_id'],
    fields: [
      { name: 'x_name', type: 'char', label: 'Name' },
      {
        name: 'x_move_id',
        type: 'many2one',
        label: 'Invoice',
        relation: 'account.move',
        onDelete: 'cascade',
        required: true,
        index: true,
      },
      { name: 'x_fingerprint', type: 'text', label: 'Invoice as the connector wrote it' },
      { name: 'x_note_id', type: 'integer', label: 'Chatter note' },
    ],
  },
];

/** The name of the unique index setup installs on `model.field`. */
export function uniqueIndexName(model: string, field: string): string {
  return `${model}_${field}_uniq`;
}
