/**
 * What the double knows of the RCP workspace (as if `rcp-odoo setup` had run): the payments ledger
 * model `x_rcp_payment` with the fields of the workspace definition, and setup's server action
 * `action_payment_ledger` (ledger operations checked and written in one call), run from its own
 * Python file, never a copy. Each call to the double runs alone, so its checks are as atomic as the
 * real action's one transaction; the real unique index and concurrent transactions are proven on
 * real Odoo (test/odoo-real/payments-ledger).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ACTION_APPLY_LINKS, ACTION_PAYMENT_LEDGER } from '../../../connector/workspace/definition.ts';
import { MODELS } from '../../../connector/workspace/models.ts';
import { actionCode } from '../../../connector/workspace/odoo-files.ts';
import { MARK_NAME } from '../../../connector/workspace/payment-marks.ts';
import { fault } from './faults.ts';
import type { Methods } from './methods.ts';
import type { FieldDef, Orm, Row } from './orm.ts';

const LEDGER = 'x_rcp_payment';

export function workspaceModels(extra: readonly string[] = []): Record<string, Record<string, FieldDef>> {
  const fieldsOf = (model: string) => {
    const spec = MODELS.find((m) => m.model === model);
    const fields: Record<string, FieldDef> = {
      id: { type: 'integer' },
      write_date: { type: 'datetime' },
      create_date: { type: 'datetime' },
    };
    for (const f of spec?.fields ?? []) {
      fields[f.name] = {
        type: f.type,
        string: f.label,
        required: f.required ?? false,
        ...(f.relation ? { relation: f.relation } : {}),
        ...(f.selection ? { selection: f.selection.map(([k, v]) => [k, v] as [string, string]) } : {}),
      };
    }
    return fields;
  };
  return {
    [LEDGER]: fieldsOf(LEDGER),
    // Read by the push for the cards of each company; the double has none unless a test makes them.
    x_rcp_counterparty: fieldsOf('x_rcp_counterparty'),
    'ir.actions.server': { name: { type: 'char' } },
    ...Object.fromEntries(extra.map((model) => [model, fieldsOf(model)])),
  };
}

/** The server action's record and its external ID. */
export function seedWorkspace(orm: Orm): void {
  const id = orm.insert('ir.actions.server', { name: 'RCP: write the payments ledger' });
  orm.insert('ir.model.data', {
    module: 'rcp_connector',
    name: ACTION_PAYMENT_LEDGER,
    model: 'ir.actions.server',
    res_id: id,
    noupdate: false,
  });
}

/**
 * RCP → Counterparties as setup makes it, for the benchmark: the link action's external ID, so
 * that a sync writes a counterparty record per RCP partner and client. The double does not run the
 * action (linking is proven on real Odoo): a sync that would apply a link fails here.
 */
export function seedCounterparties(orm: Orm): void {
  const id = orm.insert('ir.actions.server', { name: 'RCP: apply the links chosen in RCP → Counterparties' });
  orm.insert('ir.model.data', {
    module: 'rcp_connector',
    name: ACTION_APPLY_LINKS,
    model: 'ir.actions.server',
    res_id: id,
    noupdate: false,
  });
}

const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');
const SHIM = fileURLToPath(new URL('./run_action.py', import.meta.url));

/** What the Python `env` of run_action.py made: creates (with its own negative ids) and writes, in order. */
interface ActionRun {
  user_error?: string;
  action?: unknown;
  changes?: Array<{ op: 'create' | 'write'; model: string; id: number; vals: Record<string, unknown> }>;
}

/**
 * `ir.actions.server.run` of the ledger action: setup's own Python file (the one installed in
 * Odoo), run by python3 through a small `env` (run_action.py) over the double's ledger rows and
 * payment attachments; what it creates and writes is applied here with the double's checks, in one
 * call, as Odoo's one transaction does.
 */
export function runServerAction(methods: Methods, actionId: number, context: Record<string, unknown>) {
  const { orm } = methods;
  const xmlid = orm
    .search('ir.model.data', [
      ['model', '=', 'ir.actions.server'],
      ['res_id', '=', actionId],
    ])
    .at(0);
  if (xmlid?.name !== ACTION_PAYMENT_LEDGER) throw fault.user(`The double does not run action ${actionId}`);
  const rowsOf = (model: string, keep: (row: Row) => boolean = () => true) => ({
    fields: orm.fieldsOf(model),
    rows: [...orm.table(model).values()].filter(keep),
  });
  const given = {
    name: `${ACTION_PAYMENT_LEDGER}.py`,
    code: actionCode(ACTION_PAYMENT_LEDGER, { mark_name: MARK_NAME }),
    context,
    uid: 2,
    models: {
      [LEDGER]: rowsOf(LEDGER),
      'ir.attachment': rowsOf('ir.attachment', (row) => row.res_model === 'account.payment'),
    },
  };
  const python = spawnSync('python3', [SHIM], { input: JSON.stringify(given), encoding: 'utf8' });
  if (python.status !== 0) throw new Error(`${ACTION_PAYMENT_LEDGER}.py failed: ${python.stderr}`);
  const ran = JSON.parse(python.stdout) as ActionRun;
  if (ran.user_error !== undefined) throw fault.user(ran.user_error);
  const made = new Map<number, number>();
  const real = (id: number) => made.get(id) ?? id;
  for (const change of ran.changes ?? []) {
    const stamp = change.model === LEDGER ? { write_date: now() } : {};
    if (change.op === 'create')
      made.set(change.id, methods.createOne(change.model, { ...change.vals, ...stamp }));
    else methods.write(change.model, real(change.id), { ...change.vals, ...stamp });
  }
  const action = (ran.action || {}) as { answers?: Array<{ id: number | false }> };
  for (const answer of action.answers ?? []) if (answer.id) answer.id = real(answer.id);
  return action;
}
