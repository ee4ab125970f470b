/**
 * What the double knows of the RCP workspace (as if `rcp-odoo setup` had run): the payments ledger
 * model `x_rcp_payment` with the fields of the workspace definition, and setup's server action
 * `action_payment_ledger` (ledger operations checked and written in one call). Each call to the
 * double runs alone, so its checks are as atomic as the real action's one transaction; the real
 * unique index and concurrent transactions are proven on real Odoo (test/odoo-real/payments-ledger).
 */
import { ACTION_APPLY_LINKS, ACTION_PAYMENT_LEDGER } from '../../../connector/workspace/definition.ts';
import { MODELS } from '../../../connector/workspace/models.ts';
import { fault } from './faults.ts';
import type { Methods } from './methods.ts';
import type { FieldDef, Orm, Row } from './orm.ts';

const LEDGER = 'x_rcp_payment';

export function workspaceModels(): Record<string, Record<string, FieldDef>> {
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

const PROTECTED = new Set(['x_payment_id', 'x_resolution', 'x_resolved_by', 'x_resolved_at', 'x_decision']);
const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

type Op = Record<string, unknown>;

/** `ir.actions.server.run` of the ledger action, as setup's Python does it. */
export function runServerAction(methods: Methods, actionId: number, context: Record<string, unknown>) {
  const { orm } = methods;
  const xmlid = orm
    .search('ir.model.data', [
      ['model', '=', 'ir.actions.server'],
      ['res_id', '=', actionId],
    ])
    .at(0);
  if (xmlid?.name !== ACTION_PAYMENT_LEDGER) throw fault.user(`The double does not run action ${actionId}`);
  const ops = (context.rcp_ledger as Op[] | undefined) ?? [];
  const answers: Array<{ done: boolean; id: number | false; state: string | false }> = [];
  const write = (id: number, values: Record<string, unknown>) =>
    methods.write(LEDGER, id, { ...values, write_date: now() });
  for (const op of ops) {
    const given = (op.vals as Record<string, unknown> | undefined) ?? {};
    const vals: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(given)) if (k.startsWith('x_') && !PROTECTED.has(k)) vals[k] = v;
    if (op.op === 'claim' || op.op === 'import') {
      const pid = Number(op.payment_id ?? 0);
      if (!pid) throw fault.user(`rcp_ledger: ${String(op.op)} needs payment_id`);
      let rec: Row | undefined = orm.search(LEDGER, [['x_payment_id', '=', pid]]).at(0);
      if (op.op === 'claim') vals.x_state = 'intent';
      if (!rec) {
        const id = methods.createOne(LEDGER, { ...vals, x_payment_id: pid, write_date: now() });
        rec = orm.get(LEDGER, id) as Row;
        answers.push({ done: true, id, state: String(rec.x_state) });
      } else if (
        op.op === 'claim' &&
        (rec.x_state === 'not_pushed' || (rec.x_state === 'review' && rec.x_resolution === 'not_pushed'))
      ) {
        write(rec.id, { ...vals, x_resolution: false, x_resolved_by: false, x_resolved_at: false });
        answers.push({ done: true, id: rec.id, state: 'intent' });
      } else {
        answers.push({ done: false, id: rec.id, state: String(rec.x_state) });
      }
    } else if (op.op === 'set' || op.op === 'resolve') {
      const rec = orm.get(LEDGER, Number(op.id ?? 0));
      let ok = Boolean(rec) && ((op.from as string[] | undefined) ?? []).includes(String(rec?.x_state));
      if (ok && op.op === 'set' && 'resolution' in op)
        ok = (rec?.x_resolution || false) === (op.resolution || false);
      if (ok && op.op === 'set' && op.older_than) {
        const written = Date.parse(`${String(rec?.write_date).replace(' ', 'T')}Z`);
        ok = written <= Date.now() - Number(op.older_than) * 1000;
      }
      if (ok && op.op === 'set') {
        for (const [k, v] of Object.entries((op.expect as Record<string, unknown> | undefined) ?? {}))
          ok = ok && (rec?.[k] || false) === (v || false);
        for (const [k, v] of Object.entries((op.expect_ids as Record<string, unknown> | undefined) ?? {})) {
          const cur = rec?.[k];
          ok = ok && ((Array.isArray(cur) ? cur[0] : cur) || false) === (v || false);
        }
      }
      if (ok && rec) {
        if (op.op === 'resolve') {
          Object.assign(vals, { x_resolution: op.resolution, x_resolved_by: 2, x_resolved_at: now() });
        } else if (op.clear_resolution) {
          Object.assign(vals, {
            x_resolution: false,
            x_resolved_by: false,
            x_resolved_at: false,
            x_decision: false,
          });
        }
        write(rec.id, vals);
      }
      const after = rec ? orm.get(LEDGER, rec.id) : undefined;
      answers.push({ done: ok, id: after?.id ?? false, state: after ? String(after.x_state) : false });
    } else {
      throw fault.user(`rcp_ledger: unknown operation ${String(op.op)}`);
    }
  }
  return { answers };
}
