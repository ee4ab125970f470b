/**
 * The payments ledger in Odoo (`x_rcp_payment`, product.md "The RCP workspace in Odoo"): one record
 * per Odoo payment sent (or about to be sent) to RCP. This is its edge: reading the records (zod at
 * the edge) and changing them, only through setup's server action `action_payment_ledger`, which
 * checks and writes in one Odoo transaction (see definition.ts). The unique index on
 * `x_payment_id` makes the claim exactly once whoever runs at the same time: CLI runs, workers,
 * with or without Redis.
 */
import { z } from 'zod';
import { toKopecks } from '../../mappings/money.ts';
import type { PaymentAsSeen as PushedAs } from '../../mappings/payment-changes.ts';
import type { PlanPart, ReviewKind, Send } from '../../mappings/payment-routing.ts';
import { ConfigError, PermanentError } from '../errors.ts';
import { IdBits } from '../id-set.ts';
import type { OdooClient } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { runWorkspaceAction } from './actions.ts';
import { ACTION_PAYMENT_LEDGER } from './definition.ts';
import { PAYMENT_STATES, RESOLUTIONS, uniqueIndexName } from './models.ts';

export type LedgerState = (typeof PAYMENT_STATES)[number];
export type Resolution = (typeof RESOLUTIONS)[number];

/** What the payment was when it was pushed: a later difference is flagged for review. */
export type { PushedAs };

export interface LedgerRecord {
  id: number;
  paymentId: number;
  name: string;
  state: LedgerState;
  resolution: Resolution | undefined;
  resolvedBy: string | undefined;
  resolvedAt: string | undefined;
  /** The amount sent, in kopecks. */
  amountKopecks: number;
  target: string;
  details: string;
  rcpReference: string | undefined;
  pushedAt: string | undefined;
  reason: string;
  pushedAs: PushedAs;
  /** Odoo's time of the last write (UTC, `YYYY-MM-DD HH:MM:SS`). */
  writtenAt: string;
  /** Every RCP call for the payment (a record of before them reads as its one send). */
  sends: Send[];
  /** `x_sends` as stored, to write only over what was read (false: empty). */
  sendsText: string | false;
  review: ReviewKind | undefined;
  plan: PlanPart[];
  planText: string | false;
  decision: 'send_difference' | 'taken_back' | undefined;
  /** The card credited (or chosen by the accountant): `x_rcp_counterparty` id. */
  counterpartyId: number | undefined;
}

const many2one = z.union([z.tuple([z.number().int(), z.string()]), z.literal(false)]);
const text = z.union([z.string(), z.literal(false)]);

const LedgerRow = z.object({
  id: z.number().int(),
  x_payment_id: many2one,
  x_name: text,
  x_state: z.enum(PAYMENT_STATES),
  x_resolution: z.union([z.enum(RESOLUTIONS), z.literal(false)]),
  x_resolved_by: many2one,
  x_resolved_at: text,
  x_amount: z.number().finite(),
  x_target: text,
  x_details: text,
  x_rcp_reference: text,
  x_pushed_at: text,
  x_reason: text,
  x_pushed_amount: z.number().finite(),
  x_pushed_partner_id: many2one,
  x_pushed_date: text,
  x_pushed_payment_state: text,
  x_currency_id: many2one,
  x_sends: text,
  x_review: z.union([z.enum(['lost', 'choose_card', 'difference', 'take_back']), z.literal(false)]),
  x_plan: text,
  x_decision: z.union([z.enum(['send_difference', 'taken_back']), z.literal(false)]),
  x_counterparty_id: many2one,
  write_date: z.string(),
});

const SendJson = z.object({
  card: z.string().regex(/^(client|partner):/),
  kopecks: z.number().int(),
  state: z.enum(['intent', 'pushed', 'by_hand']),
  rcp: z.string().optional(),
  at: z.string().optional(),
});
const PlanJson = z.object({
  card: z.string().regex(/^(client|partner):/),
  kopecks: z.number().int(),
  how: z.enum(['send', 'by_hand']),
});

/** A JSON list written by the connector; a record that cannot be read is named, never guessed. */
function listOf<T>(schema: z.ZodType<T>, value: string | false, what: string, id: number): T[] {
  if (!value) return [];
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    throw new PermanentError(`payments ledger record ${id}: ${what} is not JSON`);
  }
  const parsed = z.array(schema).safeParse(raw);
  if (!parsed.success)
    throw new PermanentError(`payments ledger record ${id}: ${what}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/**
 * The sends of a record written before `x_sends`: pushed → its one send; intent or review → one
 * send whose answer is unknown; not pushed → none.
 */
function sendsOf(row: z.infer<typeof LedgerRow>): Send[] {
  if (row.x_sends) return listOf(SendJson, row.x_sends, 'x_sends', row.id) as Send[];
  if (!row.x_target || row.x_state === 'not_pushed') return [];
  const kopecks = toKopecks(row.x_amount);
  if (row.x_state === 'pushed' || row.x_pushed_at)
    return [
      {
        card: row.x_target,
        kopecks,
        state: 'pushed',
        ...(row.x_rcp_reference ? { rcp: row.x_rcp_reference } : {}),
      },
    ];
  return [{ card: row.x_target, kopecks, state: 'intent' }];
}

const FIELDS = Object.keys(LedgerRow.shape).filter((f) => f !== 'id');

const orUndefined = <T>(value: T | false): T | undefined => (value === false ? undefined : value);

function toRecord(row: z.infer<typeof LedgerRow>): LedgerRecord | undefined {
  if (!row.x_payment_id) return undefined;
  return {
    id: row.id,
    paymentId: row.x_payment_id[0],
    name: row.x_name || row.x_payment_id[1],
    state: row.x_state,
    resolution: orUndefined(row.x_resolution),
    resolvedBy: row.x_resolved_by ? row.x_resolved_by[1] : undefined,
    resolvedAt: orUndefined(row.x_resolved_at),
    amountKopecks: toKopecks(row.x_amount),
    target: row.x_target || '',
    details: row.x_details || '',
    rcpReference: orUndefined(row.x_rcp_reference),
    pushedAt: orUndefined(row.x_pushed_at),
    reason: row.x_reason || '',
    pushedAs: {
      amountKopecks: toKopecks(row.x_pushed_amount),
      partner: orUndefined(row.x_pushed_partner_id),
      date: orUndefined(row.x_pushed_date),
      state: orUndefined(row.x_pushed_payment_state),
      currency: orUndefined(row.x_currency_id),
    },
    writtenAt: row.write_date,
    sends: sendsOf(row),
    sendsText: row.x_sends,
    review: orUndefined(row.x_review),
    plan: listOf(PlanJson, row.x_plan, 'x_plan', row.id) as PlanPart[],
    planText: row.x_plan,
    decision: orUndefined(row.x_decision),
    counterpartyId: row.x_counterparty_id ? row.x_counterparty_id[0] : undefined,
  };
}

/** The whole ledger by Odoo payment id (or only `paymentIds`' records). */
export async function readPaymentLedger(
  odoo: OdooClient,
  paymentIds?: readonly number[],
): Promise<Map<number, LedgerRecord>> {
  const ledger = new Map<number, LedgerRecord>();
  if (paymentIds?.length === 0) return ledger;
  const domain = paymentIds ? [['x_payment_id', 'in', [...paymentIds]]] : [];
  for await (const page of paymentLedgerPages(odoo, domain))
    for (const record of page) ledger.set(record.paymentId, record);
  return ledger;
}

/** The ledger records `domain` selects, a page at a time (ODOO_BATCH_SIZE, in the order of their ids). */
export async function* paymentLedgerPages(
  odoo: OdooClient,
  domain: unknown[],
): AsyncGenerator<LedgerRecord[]> {
  try {
    for await (const page of odoo.searchReadPages('x_rcp_payment', domain, FIELDS))
      yield page.flatMap((row) => toRecord(LedgerRow.parse(row)) ?? []);
  } catch (error) {
    if (error instanceof OdooError && /x_rcp_payment/.test(error.serverMessage) && !isAccessError(error))
      throw notSetUp();
    throw error;
  }
}

const isAccessError = (error: OdooError) => error.kind === 'access';

const notSetUp = () =>
  new ConfigError([
    'the RCP workspace is not set up in this Odoo (no payments ledger x_rcp_payment): run `rcp-odoo setup` as an Odoo administrator',
  ]);

/** Values of a ledger record the connector writes (any `x_` field but the protected ones). */
export type LedgerValues = Record<`x_${string}`, string | number | boolean | unknown[]>;

export type LedgerOp =
  | { op: 'claim'; payment_id: number; vals: LedgerValues }
  | { op: 'import'; payment_id: number; vals: LedgerValues }
  | {
      op: 'set';
      id: number;
      from: readonly LedgerState[];
      vals: LedgerValues;
      /** Written only when the record's resolution is this (false: none). */
      resolution?: Resolution | false;
      /** Written only when the record was last written at least this many seconds ago (Odoo's clock). */
      older_than?: number;
      /** Written only when each field holds this value (what the writer decided on). */
      expect?: Record<`x_${string}`, string | false>;
      /** Written only when each many2one holds this id. */
      expect_ids?: Record<`x_${string}`, number | false>;
      clear_resolution?: boolean;
    }
  | { op: 'resolve'; id: number; from: readonly LedgerState[]; resolution: Resolution; vals: LedgerValues };

const Answer = z.object({
  done: z.boolean(),
  id: z.union([z.number().int(), z.literal(false)]),
  state: z.union([z.enum(PAYMENT_STATES), z.literal(false)]),
});
export type LedgerAnswer = z.infer<typeof Answer>;
const Answers = z.object({ answers: z.array(Answer) });

/**
 * Runs `ops` in one Odoo transaction and answers each one. A claim that lost the race for a new
 * record (the unique index refused the whole transaction) is run again: the retry sees the winner's
 * record and answers "not claimed", and the other operations, rolled back, are applied then.
 */
export async function writePaymentLedger(
  odoo: OdooClient,
  ops: readonly LedgerOp[],
): Promise<LedgerAnswer[]> {
  if (ops.length === 0) return [];
  for (let attempt = 0; ; attempt++) {
    try {
      const { answers } = Answers.parse(
        await runWorkspaceAction(odoo, ACTION_PAYMENT_LEDGER, 'x_rcp_payment', {
          rcp_ledger: ops,
        }),
      );
      if (answers.length !== ops.length)
        throw new Error(`the payments ledger answered ${answers.length} of ${ops.length} operations`);
      return answers;
    } catch (error) {
      if (attempt < 3 && isUniqueRefusal(error)) continue;
      throw error;
    }
  }
}

function isUniqueRefusal(error: unknown): boolean {
  return (
    error instanceof OdooError &&
    error.serverMessage.includes(uniqueIndexName('x_rcp_payment', 'x_payment_id'))
  );
}

/** Odoo's datetime format (UTC), for `x_pushed_at`. */
export const odooDatetime = (at: Date) => at.toISOString().slice(0, 19).replace('T', ' ');

/** One payment of the ledger before the workspace: an `rcp-push.json` attachment on the payment. */
export interface LegacyEntry {
  state: LedgerState;
  amountKopecks: number;
  details: string;
  target: string;
  reason: string;
  rcpReference: string | undefined;
  pushedAt: string | undefined;
  /**
   * Every RCP call of the payment, when the mark carries them (the ledger's `x_sends`, kept by the
   * workspace's marks); undefined for an attachment of the old ledger, which knew one target.
   */
  sends: Send[] | undefined;
}

const LEGACY_NAME = 'rcp-push.json';

const LegacyJson = z.object({
  state: z.enum(['intent', 'pushed', 'review', 'rejected', 'not-pushed']),
  target: z.string().default(''),
  amountKopecks: z.number().int().nonnegative(),
  details: z.string().default(''),
  at: z.string().default(''),
  rcpPaymentId: z.string().optional(),
  note: z.string().optional(),
  sends: z.array(SendJson).optional(),
});

const LegacyRow = z.object({ res_id: z.number().int(), description: text });

/**
 * The old ledger, to import into `x_rcp_payment` so that an upgrade never re-sends: pushed stays
 * pushed; an attempt without outcome (or an entry that cannot be read) needs review; a refusal is
 * not pushed (sent again only through a fresh claim).
 */
export async function readLegacyLedger(
  odoo: OdooClient,
  paymentIds: readonly number[],
): Promise<Map<number, LegacyEntry>> {
  const entries = new Map<number, LegacyEntry>();
  if (paymentIds.length === 0) return entries;
  for await (const page of odoo.searchReadPages(
    'ir.attachment',
    [...LEGACY_DOMAIN, ['res_id', 'in', [...paymentIds]]],
    ['res_id', 'description'],
  )) {
    for (const raw of page) {
      const row = LegacyRow.safeParse(raw);
      if (!row.success || row.data.res_id <= 0) continue;
      entries.set(row.data.res_id, legacyEntryOf(row.data.description));
    }
  }
  return entries;
}

/** The payments the old ledger has an entry for (their ids only, a bit each). */
export async function readLegacyIds(odoo: OdooClient): Promise<IdBits> {
  const ids = new IdBits();
  for await (const page of odoo.searchReadPages('ir.attachment', LEGACY_DOMAIN, ['res_id']))
    for (const raw of page) {
      const row = LegacyId.safeParse(raw);
      if (row.success && row.data.res_id > 0) ids.add(row.data.res_id);
    }
  return ids;
}

const LegacyId = LegacyRow.pick({ res_id: true });

const LEGACY_DOMAIN = [
  ['res_model', '=', 'account.payment'],
  ['name', '=', LEGACY_NAME],
];

function legacyEntryOf(description: string | false): LegacyEntry {
  let parsed: z.infer<typeof LegacyJson> | undefined;
  try {
    const result = LegacyJson.safeParse(JSON.parse(String(description)));
    parsed = result.success ? result.data : undefined;
  } catch {
    parsed = undefined;
  }
  if (!parsed) {
    return {
      state: 'review',
      amountKopecks: 0,
      details: '',
      target: '',
      reason: `imported from ${LEGACY_NAME}, which cannot be read: check RCP for this payment`,
      rcpReference: undefined,
      pushedAt: undefined,
      sends: undefined,
    };
  }
  if (parsed.sends) return markedEntryOf(parsed, parsed.sends as Send[]);
  const state: LedgerState =
    parsed.state === 'pushed'
      ? 'pushed'
      : parsed.state === 'intent' || parsed.state === 'review'
        ? 'review'
        : 'not_pushed';
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(parsed.at)
    ? odooDatetime(new Date(parsed.at))
    : undefined;
  return {
    state,
    amountKopecks: parsed.amountKopecks,
    details: parsed.details,
    target: parsed.target,
    reason: [
      `imported from ${LEGACY_NAME} (${parsed.state}${at ? ` at ${at} UTC` : ''})`,
      state === 'review' ? `no outcome recorded: check RCP for "${parsed.details}"` : '',
      parsed.note ?? '',
    ]
      .filter(Boolean)
      .join('; '),
    rcpReference: parsed.rcpPaymentId,
    pushedAt: state === 'pushed' ? at : undefined,
    sends: undefined,
  };
}

/**
 * A mark of the workspace (one per payment, rewritten with each ledger change): its sends are what
 * RCP was called with, per card, so the record is rebuilt as it was. A send without answer, or a
 * record left between two calls, waits in review (the next push weighs it or asks the accountant);
 * never sent again by itself.
 */
function markedEntryOf(parsed: z.infer<typeof LegacyJson>, sends: Send[]): LegacyEntry {
  const at = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/.test(parsed.at)
    ? odooDatetime(new Date(parsed.at))
    : undefined;
  const lost = sends.filter((s) => s.state === 'intent');
  const state: LedgerState =
    lost.length > 0 || parsed.state === 'intent' || parsed.state === 'review'
      ? 'review'
      : parsed.state === 'pushed'
        ? 'pushed'
        : 'not_pushed';
  const held = sends.filter((s) => s.state !== 'intent').reduce((sum, s) => sum + s.kopecks, 0);
  return {
    state,
    amountKopecks: held,
    details: parsed.details,
    target: sends[0]?.card ?? parsed.target,
    reason: [
      `rebuilt from ${LEGACY_NAME} (${parsed.state}${at ? ` at ${at} UTC` : ''}): ${sends.length} RCP call(s)`,
      lost.length > 0 ? `${lost.length} without a recorded answer: check RCP for "${parsed.details}"` : '',
      parsed.note ?? '',
    ]
      .filter(Boolean)
      .join('; '),
    rcpReference: parsed.rcpPaymentId,
    pushedAt: at,
    sends,
  };
}
