import { xmlidOf } from '../../mappings/external-ids.ts';
import { type RowCounts, rowLister } from '../../mappings/listed-rows.ts';
import { formatRubles, kopecksToDecimal, toKopecks } from '../../mappings/money.ts';
import { type PaymentAsSeen, changesSincePush, formatAmount } from '../../mappings/payment-changes.ts';
import {
  type PlanPart,
  type Send,
  cardKind,
  cardUuid,
  describeLost,
  receivedByCard,
  totalOf,
} from '../../mappings/payment-routing.ts';
import { batchesOf, heldAtOnce, slicesOf } from '../batches.ts';
import type { FailedRecord, ProcessDeps } from '../deps.ts';
import { ConfigError, OutcomeUnknownError, PermanentError, messageOf } from '../errors.ts';
import { IdBits } from '../id-set.ts';
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { companyOf } from '../odoo/company.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import {
  type LedgerAnswer,
  type LedgerOp,
  type LedgerRecord,
  type LedgerValues,
  odooDatetime,
  paymentLedgerPages,
  readLegacyIds,
  readLegacyLedger,
  readPaymentLedger,
  writePaymentLedger,
} from '../workspace/payments-ledger.ts';
import { sendPayment, whereToCheck } from './payment-receipts.ts';
import { type Routing, readRouting } from './payment-routes.ts';
import {
  cardName,
  decide,
  detailsOfSend,
  holdingValues,
  money,
  sendsAfterTakenBack,
  sendsAfterVerdict,
} from './payment-settle.ts';
import { runCost } from './run-cost.ts';

/**
 * Payments back: customer payments recorded in Odoo raise RCP balances, each at most once, and each
 * send recorded pushed or flagged for review. The ledger is `x_rcp_payment` in Odoo (one record per
 * payment; see connector/workspace/payments-ledger.ts). A run CLAIMS a payment before calling RCP:
 * the claim creates the record in state `intent` in one Odoo transaction that the unique index on
 * `x_payment_id` fails for a second claimer, so whatever runs at once (CLI, workers, with or without
 * Redis) only one calls RCP. Then `pushed`, or `review` when RCP's answer was lost; an intent left
 * by a run that stopped is flagged for review by the next run, never resent. A payment edited
 * after its push (amount, company, date, cancelled or reset) is flagged for review with what changed.
 * The accountant settles a review in Odoo (or with `payments resolve`); the next run applies it.
 */
export type PushOutcome =
  | 'pushed'
  | 'would push'
  | 'already pushed'
  | 'needs review'
  | 'changed after push'
  | 'being sent by another run'
  | 'rejected by RCP'
  | 'not sent'
  | 'not an RCP counterparty'
  | 'other currency';

export interface PushResult {
  paymentId: number;
  payment: string;
  counterparty: string;
  amountKopecks: number;
  outcome: PushOutcome;
  detail?: string;
}

export interface PushReport extends RowCounts<PushOutcome> {
  dryRun: boolean;
  since: string;
  /** Every exception; payments sent, already in RCP or not RCP's up to LISTED_ROUTINE (`outcomes` counts all). */
  results: PushResult[];
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
}

export interface PushInput {
  dryRun?: boolean | undefined;
  /**
   * An intent younger than this is another run's send in progress (left alone); older, its run
   * stopped before recording RCP's answer, and it is flagged for review. Default 120 s.
   */
  intentGraceSeconds?: number;
}

/** A customer payment as the push and reconcile read it. */
export interface PaymentRow extends OdooRecord {
  name: string | false;
  amount: number;
  date: string;
  state: string;
  partner_id: [number, string] | false;
  currency_id: [number, string] | false;
  /** Its journal entry, whose reconciliations say which invoices it pays. */
  move_id: [number, string] | false;
}

const PAYMENT_FIELDS = ['name', 'amount', 'date', 'state', 'partner_id', 'currency_id', 'move_id'] as const;
const DEFAULT_GRACE_SECONDS = 120;

/** `Odoo PBNK1/2026/00001 #17`: what RCP records as the payment's details, the same on every run. */
export const detailsOf = (payment: { id: number; name: string | false }) =>
  `Odoo ${payment.name || 'payment'} #${payment.id}`;

/** A payment as it is now, to compare with what the ledger kept at its push (deleted: none). */
export const seenOf = (row: PaymentRow | undefined): PaymentAsSeen => ({
  amountKopecks: row ? toKopecks(row.amount) : 0,
  partner: row?.partner_id || undefined,
  date: row?.date,
  state: row?.state ?? 'deleted',
  currency: row?.currency_id || undefined,
});

/** The ledger's record of the payment as it is now (what `x_pushed_*` keep). */
const pushedAsValues = (row: PaymentRow): LedgerValues => ({
  x_pushed_amount: kopecksToDecimal(toKopecks(row.amount)).toNumber(),
  x_pushed_partner_id: row.partner_id ? row.partner_id[0] : false,
  x_pushed_date: row.date,
  x_pushed_payment_state: row.state,
  x_currency_id: row.currency_id ? row.currency_id[0] : false,
});

const resolveHint = (paymentId: number) =>
  `settle it in Odoo (RCP → Payments to RCP: "RCP has it" or "RCP does not have it") or run \`rcp-odoo payments resolve ${paymentId} --pushed\` or \`--not-pushed\``;

export async function pushPayments(deps: ProcessDeps, input: PushInput = {}): Promise<PushReport> {
  const { odoo, config } = deps;
  const since = config.payments.since;
  if (!since)
    throw new ConfigError([
      'PAYMENTS_SINCE is missing: payments are never pushed without a start date, e.g. PAYMENTS_SINCE=2026-01-01',
    ]);
  const dryRun = input.dryRun ?? false;
  const grace = input.intentGraceSeconds ?? DEFAULT_GRACE_SECONDS;
  const cost = runCost(deps);
  const report: PushReport = {
    dryRun,
    since,
    results: [],
    outcomes: {},
    failed: [],
    odooRoundTrips: 0,
    rcpRequests: 0,
  };
  const caps = odoo.capabilities;

  const company = await companyOf(odoo);
  const currency = company.currencyId;
  const domain: unknown[] = [
    // One company per run: another company's payments are its own run's.
    ['company_id', '=', company.id],
    ['payment_type', '=', 'inbound'],
    ['partner_type', '=', 'customer'],
    ['state', 'in', [...caps.paymentDoneStates]],
    ['date', '>=', since],
  ];
  if (config.payments.mode === 'reconciled') domain.push(['is_reconciled', '=', true]);
  const run: SliceRun = {
    deps,
    report,
    list: rowLister(report, report.results, ROUTINE),
    dryRun,
    grace,
    currency,
    now: odooDatetime(new Date()),
  };
  // The payments a slice at a time, each with its ledger records (and the old ledger's entries), so
  // that what the run holds does not grow with the payments since PAYMENTS_SINCE: only a bit per
  // payment read, to leave it out of the ledger's payments read afterwards.
  const size = heldAtOnce(odoo.config.batchSize);
  const seen = new IdBits();
  const legacy = await readLegacyIds(odoo);
  const total = await odoo.searchCount('account.payment', domain);
  let done = 0;
  const pushRows = async (read: readonly PaymentRow[], inRun: boolean) => {
    const rows = new Map(read.map((p) => [p.id, p]));
    for (const id of rows.keys()) seen.add(id);
    await pushSlice(run, rows, await loadLedger(deps, rows, legacy, dryRun), inRun);
  };
  for await (const slice of slicesOf(
    odoo.searchReadPages<PaymentRow>('account.payment', domain, PAYMENT_FIELDS),
    size,
  )) {
    await pushRows(slice, true);
    done += slice.length;
    deps.progress?.({ phase: 'payments', done, total: Math.max(total, done) });
  }
  // The old ledger's payments the run did not read (cancelled, reset, dated before PAYMENTS_SINCE):
  // imported too, so that an upgrade never re-sends and their edits are seen.
  for (const batch of batchesOf(
    [...legacy].filter((id) => !seen.has(id)),
    size,
  ))
    await pushRows(await readPayments(odoo, batch), false);
  // The ledger's payments the run did not read: compared with what was pushed (cancelled, reset,
  // re-dated, moved to another partner), and their settled reviews applied.
  for await (const slice of slicesOf(paymentLedgerPages(odoo, [['x_payment_id', 'not any', domain]]), size)) {
    const ledger = new Map(slice.filter((r) => !seen.has(r.paymentId)).map((r) => [r.paymentId, r]));
    if (ledger.size === 0) continue;
    const rows = new Map((await readPayments(odoo, [...ledger.keys()])).map((p) => [p.id, p]));
    await pushSlice(run, rows, ledger, false);
  }
  deps.progress?.({ phase: 'payments', done: total, total });
  const { odooRoundTrips, rcpRequests } = cost();
  return Object.assign(report, { odooRoundTrips, rcpRequests });
}

/** What the slices of one push share: its report, and what it was started with. */
interface SliceRun {
  deps: ProcessDeps;
  report: PushReport;
  /** Adds a row to the report (routine rows past LISTED_ROUTINE only counted). */
  list: (result: PushResult) => void;
  dryRun: boolean;
  grace: number;
  /** The company's currency: a payment in another is not sent. */
  currency: number;
  now: string;
}

/**
 * Payments sent as they should be, already in RCP, or not RCP's: counted, listed only up to
 * LISTED_ROUTINE (each sent one is in the ledger, RCP → Payments to RCP, with its chatter note).
 */
const ROUTINE: ReadonlySet<PushOutcome> = new Set([
  'pushed',
  'would push',
  'already pushed',
  'not an RCP counterparty',
]);

/**
 * One slice of the push: `rows`, the payments as they are now, and `ledger`, their records. With
 * `inRun`, the rows are payments the run reads (those without a record are new, to send); without,
 * they are the ledger's payments the run does not read, only compared and settled.
 */
async function pushSlice(
  run: SliceRun,
  rows: Map<number, PaymentRow>,
  ledger: Map<number, LedgerRecord>,
  inRun: boolean,
): Promise<void> {
  const { deps, report, list, dryRun, grace, currency, now } = run;
  const { odoo } = deps;
  const caps = odoo.capabilities;
  const routing = await readRouting(
    deps,
    [...rows.values()],
    [...ledger.values()].flatMap((r) => (r.counterpartyId !== undefined ? [r.counterpartyId] : [])),
  );

  const baseOf = (paymentId: number, kopecks?: number) => {
    const row = rows.get(paymentId);
    const record = ledger.get(paymentId);
    return {
      paymentId,
      payment: row?.name || record?.name || `#${paymentId}`,
      counterparty: row?.partner_id ? row.partner_id[1] : '(none)',
      amountKopecks: kopecks ?? (row ? toKopecks(row.amount) : (record?.amountKopecks ?? 0)),
    };
  };
  const flag = (paymentId: number, outcome: PushOutcome, detail: string) => {
    const base = baseOf(paymentId);
    list({ ...base, outcome, detail });
    report.failed.push({
      kind: 'payment',
      record: `payment ${base.payment} (${paymentId})`,
      error: `${outcome}: ${detail}`,
    });
  };
  /** Keeps the in-memory record as the ledger now has it, after a write of this run. */
  const wrote = (record: LedgerRecord, vals: LedgerValues) => {
    if (typeof vals.x_state === 'string') record.state = vals.x_state as LedgerRecord['state'];
    if (typeof vals.x_sends === 'string') {
      record.sendsText = vals.x_sends;
      record.sends = JSON.parse(vals.x_sends) as Send[];
    }
    record.resolution = undefined;
    record.decision = undefined;
  };

  // 1. What the ledger already says: settled reviews applied, intents whose run stopped flagged;
  //    all in one transaction, each write checked against what it was decided on (another run may
  //    have moved the record since it was read). The records left to weigh against the payment
  //    as it is now go to step 2.
  const upkeep: Array<{ op: LedgerOp; onAnswer: (answer: LedgerAnswer | undefined) => void }> = [];
  const toWeigh: LedgerRecord[] = [];
  const toSend: Array<{ record: LedgerRecord; parts: PlanPart[] }> = [];
  /**
   * A review the accountant settled (a verdict, or taken back in RCP), applied if the record is still
   * in review as it was read (`from` its resolution, or what it `expect`s); then weighed in step 2.
   */
  const settle = (
    record: LedgerRecord,
    vals: LedgerValues,
    check: Partial<Pick<Extract<LedgerOp, { op: 'set' }>, 'resolution' | 'expect'>>,
  ) =>
    upkeep.push({
      op: { op: 'set', id: record.id, from: ['review'], ...check, vals, clear_resolution: true },
      onAnswer: (answer) => {
        if (!answer?.done) return;
        wrote(record, vals);
        toWeigh.push(record);
      },
    });
  for (const record of ledger.values()) {
    const row = rows.get(record.paymentId);
    const lost = record.sends.some((s) => s.state === 'intent');
    if (record.state === 'intent') {
      const reason = lost
        ? `an attempt of ${record.writtenAt} UTC has no recorded outcome: ${whereToCheck(record.target, record.details, record.amountKopecks)}`
        : `the run of ${record.writtenAt} UTC stopped between two calls; nothing is waiting for an answer`;
      const vals: LedgerValues = lost
        ? {
            x_state: 'review',
            x_review: 'lost',
            x_reason: `${reason} (the run that sent it stopped); ${describeLost(record.sends, row && caps.paymentDoneStates.includes(row.state) ? toKopecks(row.amount) : 0)}`,
          }
        : { x_state: 'not_pushed', x_reason: reason };
      upkeep.push({
        op: { op: 'set', id: record.id, from: ['intent'], older_than: grace, vals },
        onAnswer: (answer) => {
          if (answer?.done === false && answer.state === 'intent') {
            list({
              ...baseOf(record.paymentId),
              outcome: 'being sent by another run',
              detail: `claimed at ${record.writtenAt} UTC; flagged for review if no outcome is recorded within ${grace} s`,
            });
          } else if (answer?.done === false && answer.state === 'pushed') {
            list({ ...baseOf(record.paymentId), outcome: 'already pushed' });
          } else if (lost) {
            flag(record.paymentId, 'needs review', `${reason}; ${resolveHint(record.paymentId)}`);
          }
        },
      });
    } else if (record.state === 'review' && record.resolution) {
      // A lost answer settled: it reached RCP or it did not; what remains is weighed in step 2.
      const pushed = record.resolution === 'pushed';
      const sends = sendsAfterVerdict(record.sends, pushed);
      const settled = `settled by ${record.resolvedBy ?? 'an accountant'} at ${record.resolvedAt ?? '?'}: ${pushed ? 'RCP has it' : 'RCP does not have it'}`;
      const vals: LedgerValues = {
        x_state: 'not_pushed',
        x_review: false,
        ...holdingValues(routing, sends),
        x_reason: [record.reason, settled].filter(Boolean).join('; '),
        ...(pushed && !record.pushedAt ? { x_pushed_at: now } : {}),
      };
      settle(record, vals, { resolution: record.resolution });
    } else if (record.state === 'review' && record.decision === 'taken_back') {
      const sends = sendsAfterTakenBack(record.sends, record.plan, now);
      const vals: LedgerValues = {
        // Nothing left in RCP: like a payment never sent (sent afresh should it be posted again).
        x_state: totalOf(receivedByCard(sends)) === 0 ? 'not_pushed' : 'pushed',
        x_review: false,
        x_plan: false,
        x_difference: 0,
        ...(rows.get(record.paymentId) ? pushedAsValues(rows.get(record.paymentId) as PaymentRow) : {}),
        ...holdingValues(routing, sends),
        x_reason: `${record.reason}; taken back in RCP by hand, confirmed by ${record.resolvedBy ?? 'an accountant'} at ${record.resolvedAt ?? '?'}`,
      };
      settle(record, vals, { expect: { x_decision: 'taken_back', x_sends: record.sendsText } });
    } else if (record.state === 'review' && record.decision === 'send_difference') {
      toSend.push({ record, parts: record.plan.filter((p) => p.how === 'send') });
    } else if (record.state === 'review' && (lost || record.review === 'lost')) {
      flag(
        record.paymentId,
        'needs review',
        `${record.reason || 'needs review'}; ${resolveHint(record.paymentId)}`,
      );
    } else if (record.state === 'review' || record.state === 'pushed' || record.state === 'not_pushed') {
      if (record.state !== 'not_pushed' || row) toWeigh.push(record);
    }
  }
  if (dryRun) {
    for (const item of upkeep) item.onAnswer(undefined);
  } else {
    const answers = await writePaymentLedger(
      odoo,
      upkeep.map((u) => u.op),
    );
    upkeep.forEach((item, index) => item.onAnswer(answers[index]));
  }

  // 2. Each payment against what RCP holds for it: nothing to do, parts to send, or a review.
  const reviews: Array<{ op: LedgerOp; paymentId: number; outcome: PushOutcome; detail: string }> = [];
  const fresh = inRun ? [...rows.values()].filter((p) => !ledger.has(p.id)) : [];
  const weigh = (row: PaymentRow | undefined, record: LedgerRecord | undefined) => {
    const paymentId = row?.id ?? record?.paymentId ?? 0;
    const changes = record?.pushedAt
      ? changesSincePush(record.pushedAs, seenOf(row), caps.paymentDoneStates)
      : [];
    const decision = decide(routing, row, record, caps.paymentDoneStates, changes);
    if (decision.do === 'nothing') {
      if (decision.why === 'not an RCP counterparty')
        list({
          ...baseOf(paymentId),
          outcome: 'not an RCP counterparty',
          detail: 'the partner is not linked to an RCP partner or client',
        });
      else if (decision.why === 'already pushed' && inRun)
        list({ ...baseOf(paymentId, record?.amountKopecks), outcome: 'already pushed' });
      return;
    }
    if (decision.do === 'settled' && record) {
      reviews.push({
        op: {
          op: 'set',
          id: record.id,
          from: [record.state],
          expect: { x_sends: record.sendsText, x_decision: false },
          vals: { ...decision.vals, ...(row ? pushedAsValues(row) : {}) },
        },
        paymentId,
        outcome: 'already pushed',
        detail: String(decision.vals.x_reason),
      });
      return;
    }
    if (decision.do === 'review') {
      const outcome: PushOutcome = record?.pushedAt ? 'changed after push' : 'needs review';
      const detail = `${decision.reason}; settle it in Odoo (RCP → Payments to RCP)`;
      if (decision.unchanged || dryRun) {
        flag(paymentId, outcome, detail);
        return;
      }
      const op: LedgerOp = record
        ? {
            op: 'set',
            id: record.id,
            from: [record.state],
            expect: { x_sends: record.sendsText, x_decision: false },
            vals: decision.vals,
            clear_resolution: true,
          }
        : {
            op: 'import',
            payment_id: paymentId,
            vals: {
              ...(row ? pushedAsValues(row) : {}),
              ...decision.vals,
              x_name: row?.name || `#${paymentId}`,
              x_details: row ? detailsOf(row) : '',
              x_amount: 0,
            },
          };
      reviews.push({ op, paymentId, outcome, detail });
      return;
    }
    if (decision.do !== 'send' || !row) return;
    if (row.currency_id && row.currency_id[0] !== currency) {
      const base = baseOf(row.id);
      list({
        ...base,
        outcome: 'other currency',
        detail: `paid in ${row.currency_id[1]}: not sent`,
      });
      report.failed.push({
        kind: 'payment',
        record: `payment ${base.payment} (${row.id})`,
        error: `paid in ${row.currency_id[1]}; RCP balances are in the company currency`,
      });
      return;
    }
    if (record) toSend.push({ record, parts: decision.parts });
    else freshSends.push({ row, parts: decision.parts });
  };
  const freshSends: Array<{ row: PaymentRow; parts: PlanPart[] }> = [];
  for (const record of toWeigh) weigh(rows.get(record.paymentId), record);
  for (const row of fresh) weigh(row, undefined);
  if (!dryRun && reviews.length > 0) {
    const answers = await writePaymentLedger(
      odoo,
      reviews.map((r) => r.op),
    );
    reviews.forEach((r, index) => {
      const answer = answers[index];
      if (answer?.done === false && r.op.op === 'import')
        list({
          ...baseOf(r.paymentId),
          outcome: 'being sent by another run',
          detail: 'recorded by another run just now',
        });
      else if (r.outcome === 'already pushed')
        list({ ...baseOf(r.paymentId), outcome: r.outcome, detail: r.detail });
      else if (answer?.done) flag(r.paymentId, r.outcome, r.detail);
      else
        list({
          ...baseOf(r.paymentId),
          outcome: 'being sent by another run',
          detail: 'changed by another run just now',
        });
    });
  } else {
    for (const r of reviews) flag(r.paymentId, r.outcome, r.detail);
  }

  // 3. The parts to send, claimed (the record in state intent) in groups, and only the claimer
  //    calls RCP.
  const writer = new LedgerWriter(odoo);
  const queue: Queued[] = [];
  const group = Math.min(CLAIM_GROUP, odoo.config.batchSize);
  const all: Queued[] = [
    ...toSend.flatMap(({ record, parts }) => {
      const row = rows.get(record.paymentId);
      return row && parts.length > 0 ? [{ payment: row, parts, record }] : [];
    }),
    ...freshSends.map(({ row, parts }) => ({ payment: row, parts, record: undefined })),
  ];

  /**
   * The queued payments are claimed in one call (with the outcomes before them), then each one
   * this run holds goes to RCP in turn. Should the run stop half-way, the claimed payments not yet
   * sent are recorded as not pushed (a later run claims them again).
   */
  async function pushQueued() {
    const batch = queue.splice(0);
    if (batch.length === 0) return;
    const claims = await writer.claim(batch.map((b) => claimOf(routing, b)));
    for (const [index, b] of batch.entries()) {
      const claim = claims[index];
      const base = baseOf(b.payment.id, totalOf(new Map(b.parts.map((p) => [p.card, p.kopecks]))));
      const lost = lostClaim(claim, base, report);
      if (lost || claim?.id === undefined || claim.id === false) {
        if (lost) list(lost);
        continue;
      }
      try {
        list(await sendParts(deps, writer, routing, claim.id, b, base, report));
      } catch (error) {
        for (const [later, held] of claims.slice(index + 1).entries()) {
          if (!held?.done || held.id === false) continue;
          // Claimed, not sent: back to what RCP holds (nothing more), weighed again by a later run.
          writer.later({
            op: 'set',
            id: held.id,
            from: ['intent'],
            vals: {
              x_state: 'not_pushed',
              x_sends: JSON.stringify(batch[index + 1 + later]?.record?.sends ?? []),
              x_reason: `not sent: the run stopped before it (${messageOf(error)})`,
            },
          });
        }
        throw error;
      }
    }
  }

  try {
    for (const item of all) {
      if (dryRun) {
        list({
          ...baseOf(item.payment.id),
          outcome: 'would push',
          detail: item.parts.map((p) => `${formatAmount(p.kopecks)} to ${p.card}`).join(', '),
        });
        continue;
      }
      queue.push(item);
      if (queue.length >= group) await pushQueued();
    }
    await pushQueued();
  } catch (error) {
    // What RCP already took is recorded if Odoo still answers; otherwise those intents become reviews.
    await writer.flush().catch(() => undefined);
    throw error;
  }
  await writer.flush();
}

/** Card names are not known before the routing is read: a rebuilt record names its cards by uuid. */
const NO_ROUTING: Routing = {
  cardsOf: new Map(),
  partsOf: new Map(),
  counterpartyOf: new Map(),
  cardOfCounterparty: new Map(),
};

/**
 * The ledger records of these payments, with any of them the old ledger holds (an `rcp-push.json`
 * attachment, before the workspace; `legacy`: the payments it has one for) imported first, so that
 * an upgrade never re-sends.
 */
async function loadLedger(
  deps: ProcessDeps,
  rows: Map<number, PaymentRow>,
  legacy: IdBits,
  dryRun: boolean,
): Promise<Map<number, LedgerRecord>> {
  const ids = [...rows.keys()];
  const ledger = await readPaymentLedger(deps.odoo, ids);
  const old = await readLegacyLedger(
    deps.odoo,
    ids.filter((id) => legacy.has(id) && !ledger.has(id)),
  );
  const imports = [...old.entries()];
  if (imports.length === 0) return ledger;
  const ops: LedgerOp[] = imports.map(([paymentId, entry]) => {
    const row = rows.get(paymentId);
    return {
      op: 'import',
      payment_id: paymentId,
      vals: {
        ...(row ? pushedAsValues(row) : {}),
        x_name: row?.name || `#${paymentId}`,
        x_state: entry.state,
        x_amount: kopecksToDecimal(entry.amountKopecks).toNumber(),
        x_pushed_amount: kopecksToDecimal(entry.amountKopecks).toNumber(),
        x_details: entry.details,
        x_target: entry.target,
        x_reason: entry.reason,
        ...(entry.rcpReference ? { x_rcp_reference: entry.rcpReference } : {}),
        ...(entry.pushedAt ? { x_pushed_at: entry.pushedAt } : {}),
        // A mark that carries its sends rebuilds them as they were: each card, amount and RCP id.
        ...(entry.sends ? holdingValues(NO_ROUTING, entry.sends) : {}),
      },
    };
  });
  if (dryRun) {
    // Nothing written: the old ledger's payments count as recorded (never "would push").
    for (const [paymentId, entry] of imports) {
      const row = rows.get(paymentId);
      ledger.set(paymentId, {
        id: 0,
        paymentId,
        name: row?.name || `#${paymentId}`,
        state: entry.state,
        resolution: undefined,
        resolvedBy: undefined,
        resolvedAt: undefined,
        amountKopecks: entry.amountKopecks,
        target: entry.target,
        details: entry.details,
        rcpReference: entry.rcpReference,
        pushedAt: entry.pushedAt,
        reason: entry.reason,
        pushedAs: { ...seenOf(row), amountKopecks: entry.amountKopecks },
        writtenAt: entry.pushedAt ?? '',
        sends:
          entry.sends ??
          (entry.state === 'not_pushed' || !entry.target
            ? []
            : [
                {
                  card: entry.target,
                  kopecks: entry.amountKopecks,
                  state: entry.state === 'pushed' ? 'pushed' : 'intent',
                },
              ]),
        sendsText: false,
        review: undefined,
        plan: [],
        planText: false,
        decision: undefined,
        counterpartyId: undefined,
      });
    }
    return ledger;
  }
  await writePaymentLedger(deps.odoo, ops);
  for (const [id, record] of await readPaymentLedger(
    deps.odoo,
    imports.map(([id]) => id),
  ))
    ledger.set(id, record);
  return ledger;
}

/** The payments of these ids (those still in Odoo). */
export async function readPayments(odoo: OdooClient, ids: readonly number[]): Promise<PaymentRow[]> {
  const found: PaymentRow[] = [];
  for (const batch of batchesOf([...ids], odoo.config.batchSize)) {
    found.push(...(await odoo.read<PaymentRow>('account.payment', batch, PAYMENT_FIELDS)));
  }
  return found;
}

/** A payment to send: the parts of its plan, and its ledger record when it has one. */
interface Queued {
  payment: PaymentRow;
  parts: PlanPart[];
  record: LedgerRecord | undefined;
}

/** Payments claimed together, in one Odoo call, before the first of them goes to RCP. */
const CLAIM_GROUP = 50;

/**
 * The claim of one payment: its ledger record in state intent, with the first part recorded as a
 * send without answer. A new payment's record is created (the unique index lets one run do it);
 * an existing one is taken only as it was read (state, sends, decision, chosen card).
 */
function claimOf(routing: Routing, b: Queued): LedgerOp {
  const first = b.parts[0];
  const sends: Send[] = [
    ...(b.record?.sends ?? []),
    ...(first ? [{ card: first.card, kopecks: first.kopecks, state: 'intent' as const }] : []),
  ];
  const vals: LedgerValues = {
    ...pushedAsValues(b.payment),
    ...holdingValues(routing, sends),
    x_name: b.payment.name || `#${b.payment.id}`,
    x_details: detailsOf(b.payment),
    x_plan: JSON.stringify(b.parts),
    x_reason: false,
  };
  if (!b.record) return { op: 'claim', payment_id: b.payment.id, vals: { ...vals, x_pushed_at: false } };
  return {
    op: 'set',
    id: b.record.id,
    from: [b.record.state],
    expect: { x_sends: b.record.sendsText, x_decision: b.record.decision ?? false },
    ...(b.record.review === 'choose_card'
      ? { expect_ids: { x_counterparty_id: b.record.counterpartyId ?? false } }
      : {}),
    vals: { ...vals, x_state: 'intent' },
    clear_resolution: true,
  };
}

/** What a run reports for a payment another run claimed first (undefined: this run holds it). */
function lostClaim(
  claim: LedgerAnswer | undefined,
  base: Omit<PushResult, 'outcome'>,
  report: PushReport,
): PushResult | undefined {
  if (claim?.done && claim.id !== false) return undefined;
  if (claim?.state === 'pushed') return { ...base, outcome: 'already pushed' };
  if (claim?.state === 'review') {
    const detail = `flagged for review by another run; ${resolveHint(base.paymentId)}`;
    report.failed.push({
      kind: 'payment',
      record: `payment ${base.payment} (${base.paymentId})`,
      error: `needs review: ${detail}`,
    });
    return { ...base, outcome: 'needs review', detail };
  }
  return { ...base, outcome: 'being sent by another run', detail: 'claimed by another run just now' };
}

/**
 * Sends the parts of one payment this run has claimed, one RCP call per card, in turn: each part
 * is recorded as a send without answer before its call (the first by the claim, the next ones with
 * the outcome of the one before), and its outcome after. The last outcome is queued for the ledger.
 */
async function sendParts(
  deps: ProcessDeps,
  writer: LedgerWriter,
  routing: Routing,
  ledgerId: number,
  b: Queued,
  base: Omit<PushResult, 'outcome'>,
  report: PushReport,
): Promise<PushResult> {
  const { payment } = b;
  const details = detailsOf(payment);
  const record = `payment ${base.payment} (${payment.id})`;
  const sends: Send[] = [...(b.record?.sends ?? [])];
  const done: string[] = [];
  for (const [index, part] of b.parts.entries()) {
    sends.push({ card: part.card, kopecks: part.kopecks, state: 'intent' });
    if (index > 0) {
      const answer = await writer.now({
        op: 'set',
        id: ledgerId,
        from: ['intent'],
        vals: holdingValues(routing, sends),
      });
      if (!answer?.done) {
        report.failed.push({
          kind: 'payment',
          record,
          error: `needs review: the ledger record moved (${answer?.state})`,
        });
        return {
          ...base,
          outcome: 'needs review',
          detail: `sent ${done.join(', ')}; the ledger record moved to ${answer?.state} before the next part`,
        };
      }
    }
    const callDetails = detailsOfSend(details, sends.length - 1);
    let rcpPaymentId: string | undefined;
    // A send without a receipt (refused, answered wrongly, answer lost) waits in review as "lost":
    // never sent again by itself, settled by the accountant.
    const holdForReview = (reason: string) =>
      writer.later({
        op: 'set',
        id: ledgerId,
        from: ['intent'],
        vals: {
          ...holdingValues(routing, sends),
          x_state: 'review',
          x_review: 'lost',
          x_reason: `${reason}; ${describeLost(sends, toKopecks(payment.amount))}`,
          x_payment_amount: money(toKopecks(payment.amount)),
        },
      });
    try {
      const verdict = await sendPayment(
        deps,
        { kind: cardKind(part.card), uuid: cardUuid(part.card) },
        part.kopecks,
        callDetails,
      );
      if (verdict.kind !== 'receipt') {
        // RCP answered, but not with a receipt: refused (status failed) or not what was sent. The
        // send stays unknown and the payment waits in review: "RCP does not have it" sends it
        // again, "RCP has it" keeps it; never sent again by itself.
        const refused = verdict.kind === 'refused';
        const where = `${formatAmount(part.kopecks)} to ${cardName(routing, part.card)}${cardKind(part.card) === 'client' ? ` with details "${callDetails}"` : ''}`;
        const reason = refused
          ? `refused by RCP: ${verdict.reason} (${where}); sent again only when settled "RCP does not have it"`
          : `${verdict.words}: check RCP for ${where}`;
        holdForReview(reason);
        writer.note(
          payment.id,
          refused
            ? `RCP отклонил платёж (${verdict.reason}): повторно отправляется только по решению бухгалтера.`
            : `Ответ RCP не подтверждает платёж (${verdict.words}): не отправляется повторно, нужна проверка.`,
        );
        report.failed.push({
          kind: 'payment',
          record,
          error: `${refused ? 'rejected by RCP' : 'needs review'}: ${reason}`,
        });
        return {
          ...base,
          outcome: refused ? 'rejected by RCP' : 'needs review',
          detail: `${reason}; ${resolveHint(payment.id)}`,
        };
      }
      rcpPaymentId = verdict.rcpId;
    } catch (error) {
      if (error instanceof OutcomeUnknownError) {
        // A client payment is found in RCP by the details it carried; a partner's top-up carries
        // only an amount: its balance corrections are where to look.
        const where =
          cardKind(part.card) === 'client'
            ? `check RCP for ${formatAmount(part.kopecks)} to ${cardName(routing, part.card)} with details "${callDetails}"`
            : whereToCheck(part.card, callDetails, part.kopecks);
        const reason = `RCP's answer was lost (${messageOf(error)}): ${where}`;
        holdForReview(reason);
        writer.note(
          payment.id,
          `RCP не подтвердил платёж (${messageOf(error)}): не отправляется повторно, нужна проверка.`,
        );
        report.failed.push({ kind: 'payment', record, error: `needs review: ${messageOf(error)}` });
        return { ...base, outcome: 'needs review', detail: `${reason}; ${resolveHint(payment.id)}` };
      }
      // RCP refused it (4xx) or never took it (busy, unreachable): nothing was credited by this
      // part; a later run weighs the payment again.
      sends.pop();
      const refused = error instanceof PermanentError;
      writer.later({
        op: 'set',
        id: ledgerId,
        from: ['intent'],
        vals: {
          ...holdingValues(routing, sends),
          x_state: b.record?.state === 'review' ? 'review' : 'not_pushed',
          x_reason: `${refused ? 'refused by RCP' : 'not sent'}: ${messageOf(error)}`,
        },
      });
      report.failed.push({ kind: 'payment', record, error: messageOf(error) });
      return { ...base, outcome: refused ? 'rejected by RCP' : 'not sent', detail: messageOf(error) };
    }
    const at = odooDatetime(new Date());
    sends[sends.length - 1] = {
      card: part.card,
      kopecks: part.kopecks,
      state: 'pushed',
      at,
      ...(rcpPaymentId ? { rcp: rcpPaymentId } : {}),
    };
    done.push(`${formatAmount(part.kopecks)} to ${part.card}`);
    writer.note(
      payment.id,
      `Отправлено в RCP: ${formatRubles(part.kopecks)} ₽ на баланс ${cardKind(part.card) === 'client' ? 'клиента' : 'партнёра'} ${cardUuid(part.card)}${rcpPaymentId ? `, платёж RCP ${rcpPaymentId}` : ''}; details «${callDetails}».`,
    );
  }
  // RCP has it all. Recorded with the next claim (or at the end); if that write is lost, the intent
  // stays and a later run flags it for review.
  writer.later({
    op: 'set',
    id: ledgerId,
    from: ['intent'],
    vals: {
      ...holdingValues(routing, sends),
      x_state: 'pushed',
      x_pushed_at: odooDatetime(new Date()),
      x_reason:
        b.record?.decision === 'send_difference' ? `${b.record.reason}; sent: ${done.join(', ')}` : false,
      x_review: false,
      x_plan: false,
      x_difference: 0,
      x_payment_amount: money(toKopecks(payment.amount)),
    },
    clear_resolution: true,
  });
  return { ...base, outcome: 'pushed', detail: done.join(', ') };
}

/**
 * The ledger writes and chatter notes of one run, in as few round trips as exactly-once allows:
 * each claim goes to Odoo, and commits, before its RCP call, in the same transaction as the
 * outcomes of the payments before it; notes go in one `mail.message` create at the end. One Odoo
 * round trip per payment.
 */
class LedgerWriter {
  #outcomes: LedgerOp[] = [];
  #notes: Array<{ paymentId: number; body: string }> = [];

  constructor(private readonly odoo: OdooClient) {}

  /** The claims, written with every outcome waiting; answers, for each, whether this run holds it. */
  async claim(claims: readonly LedgerOp[]): Promise<LedgerAnswer[]> {
    const outcomes = this.#outcomes;
    const answers = await writePaymentLedger(this.odoo, [...outcomes, ...claims]);
    this.#outcomes = [];
    return answers.slice(outcomes.length);
  }

  /** Written at once, with every outcome waiting (a part's intent must be in Odoo before its call). */
  async now(op: LedgerOp): Promise<LedgerAnswer | undefined> {
    const outcomes = this.#outcomes;
    const answers = await writePaymentLedger(this.odoo, [...outcomes, op]);
    this.#outcomes = [];
    return answers.at(-1);
  }

  /** Written with the next claim, or by `flush`. */
  later(op: LedgerOp): void {
    this.#outcomes.push(op);
  }

  note(paymentId: number, body: string): void {
    this.#notes.push({ paymentId, body });
  }

  async flush(): Promise<void> {
    const outcomes = this.#outcomes;
    await writePaymentLedger(this.odoo, outcomes);
    this.#outcomes = [];
    const notes = this.#notes;
    this.#notes = [];
    await postNotes(this.odoo, notes);
  }
}

/** Chatter notes on payments, all in one create (internal notes are `mail.message` records). */
async function postNotes(odoo: OdooClient, notes: Array<{ paymentId: number; body: string }>) {
  if (notes.length === 0) return;
  const subtype = (await externalIds(odoo).resolve(['mail.mt_note'])).get('mail.mt_note')?.id;
  try {
    await odoo.create(
      'mail.message',
      notes.map((n) => ({
        model: 'account.payment',
        res_id: n.paymentId,
        body: escapeHtml(n.body),
        message_type: 'comment',
        ...(subtype ? { subtype_id: subtype } : {}),
      })),
    );
    return;
  } catch (error) {
    if (!(error instanceof OdooError) || error.retryable) throw error;
  }
  // The user may not create messages directly: one message_post per payment.
  for (const n of notes) await note(odoo, n.paymentId, n.body);
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

async function note(odoo: OdooClient, paymentId: number, body: string): Promise<void> {
  try {
    await odoo.postNote('account.payment', paymentId, body);
  } catch {
    // On 17/18 a user without an email address cannot post; the ledger record still tells.
  }
}

/**
 * The connector's own verdict on a payment that needs review (`payments resolve`), recorded with
 * who and when, and applied at once: RCP has it → pushed (the payment as it is now becomes what
 * later edits are compared with); RCP does not have it → not pushed, sent by the next run through
 * a fresh claim.
 */
export async function resolvePayment(
  deps: ProcessDeps,
  payment: string,
  pushed: boolean,
): Promise<LedgerRecord> {
  const { odoo } = deps;
  const id = /^\d+$/.test(payment)
    ? Number(payment)
    : (await odoo.search('account.payment', [['name', '=', payment]], { limit: 1 }))[0];
  if (!id)
    throw new ConfigError([
      `Odoo has no payment ${payment}: give its id or its name (e.g. PBNK1/2026/00001)`,
    ]);
  const rows = new Map((await readPayments(odoo, [id])).map((r) => [r.id, r]));
  const record = (await loadLedger(deps, rows, new IdBits([id]), false)).get(id);
  if (!record) throw new ConfigError([`payment ${payment} was never sent to RCP: nothing to resolve`]);
  if (record.state !== 'review' && record.state !== 'intent') {
    throw new ConfigError([`payment ${payment} is "${record.state}", not waiting for review`]);
  }
  if (record.review && record.review !== 'lost') {
    throw new ConfigError([
      `payment ${payment} does not wait for a lost answer: settle its review in Odoo (RCP → Payments to RCP), with the button it offers`,
    ]);
  }
  const row = rows.get(id);
  const verdict = pushed ? 'RCP has it' : 'RCP does not have it';
  const sends = sendsAfterVerdict(record.sends, pushed);
  const [answer] = await writePaymentLedger(odoo, [
    {
      op: 'resolve',
      id: record.id,
      from: [record.state],
      resolution: pushed ? 'pushed' : 'not_pushed',
      vals: {
        x_state: pushed ? 'pushed' : 'not_pushed',
        x_review: false,
        x_sends: JSON.stringify(sends),
        x_amount: money(totalOf(receivedByCard(sends))),
        x_reason: [record.reason, `settled with payments resolve: ${verdict}`].filter(Boolean).join('; '),
        ...(pushed && row ? pushedAsValues(row) : {}),
        ...(pushed && !record.pushedAt ? { x_pushed_at: odooDatetime(new Date()) } : {}),
      },
    },
  ]);
  if (!answer?.done) {
    throw new ConfigError([
      `payment ${payment} changed while it was being settled (now "${answer?.state}"): run the command again`,
    ]);
  }
  await note(
    odoo,
    id,
    pushed
      ? 'Проверено вручную: платёж есть в RCP.'
      : 'Проверено вручную: платежа нет в RCP; будет отправлен при следующем запуске.',
  );
  const settled = (await readPaymentLedger(odoo, [id])).get(id);
  if (!settled) throw new PermanentError(`the ledger record of payment ${payment} is gone`);
  return settled;
}

/** The ledger for `reconcile`: read only. */
export { readPaymentLedger };
