import { xmlidOf } from '../../mappings/external-ids.ts';
import { formatRubles, kopecksToDecimal, toKopecks } from '../../mappings/money.ts';
import { type PaymentAsSeen, changesSincePush } from '../../mappings/payment-changes.ts';
import { batchesOf } from '../batches.ts';
import { ConfigError, OutcomeUnknownError, PermanentError, messageOf } from '../errors.ts';
import type { OdooClient, OdooRecord } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import {
  type LedgerAnswer,
  type LedgerOp,
  type LedgerRecord,
  type LedgerValues,
  odooDatetime,
  readLegacyLedger,
  readPaymentLedger,
  writePaymentLedger,
} from '../workspace/payments-ledger.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import { companyOf } from './odoo-refs.ts';
import { type ReceiptVerdict, sendPayment, whereToCheck } from './payment-receipts.ts';

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

export interface PushReport {
  dryRun: boolean;
  since: string;
  results: PushResult[];
  failed: FailedRecord[];
  odooRoundTrips: number;
  rcpRequests: number;
}

export interface PushInput {
  dryRun?: boolean;
  /**
   * An intent younger than this is another run's send in progress (left alone); older, its run
   * stopped before recording RCP's answer, and it is flagged for review. Default 120 s.
   */
  intentGraceSeconds?: number;
}

interface PaymentRow extends OdooRecord {
  name: string | false;
  amount: number;
  date: string;
  state: string;
  partner_id: [number, string] | false;
  currency_id: [number, string] | false;
}

const PAYMENT_FIELDS = ['name', 'amount', 'date', 'state', 'partner_id', 'currency_id'] as const;
const DEFAULT_GRACE_SECONDS = 120;

/** `Odoo PBNK1/2026/00001 #17`: what RCP records as the payment's details, the same on every run. */
export const detailsOf = (payment: { id: number; name: string | false }) =>
  `Odoo ${payment.name || 'payment'} #${payment.id}`;

const seenOf = (row: PaymentRow | undefined): PaymentAsSeen => ({
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
  const { odoo, rcp, config } = deps;
  const since = config.payments.since;
  if (!since)
    throw new ConfigError([
      'PAYMENTS_SINCE is missing: payments are never pushed without a start date, e.g. PAYMENTS_SINCE=2026-01-01',
    ]);
  const dryRun = input.dryRun ?? false;
  const grace = input.intentGraceSeconds ?? DEFAULT_GRACE_SECONDS;
  const roundTrips = odoo.stats.roundTrips;
  const rcpRequests = rcp.stats.requests;
  const report: PushReport = { dryRun, since, results: [], failed: [], odooRoundTrips: 0, rcpRequests: 0 };
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
  const payments: PaymentRow[] = [];
  for await (const page of odoo.searchReadPages<PaymentRow>('account.payment', domain, PAYMENT_FIELDS)) {
    payments.push(...page);
  }
  const rows = new Map(payments.map((p) => [p.id, p]));
  const ledger = await loadLedger(deps, rows, dryRun);
  const inRun = new Set(payments.map((p) => p.id));

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
    report.results.push({ ...base, outcome, detail });
    report.failed.push({
      kind: 'payment',
      record: `payment ${base.payment} (${paymentId})`,
      error: `${outcome}: ${detail}`,
    });
  };

  // 1. What the ledger already says: settled reviews applied, edits since a push flagged, intents
  //    whose run stopped flagged; all in one transaction, each write checked against the state it
  //    was decided on (another run may have moved the record since it was read).
  const upkeep: Array<{ op: LedgerOp; onAnswer: (answer: LedgerAnswer | undefined) => void }> = [];
  const claimable = new Set<number>();
  for (const record of ledger.values()) {
    const row = rows.get(record.paymentId);
    const changes = changesSincePush(record.pushedAs, seenOf(row), caps.paymentDoneStates);
    if (record.state === 'not_pushed') {
      claimable.add(record.paymentId);
    } else if (record.state === 'pushed') {
      if (changes.length > 0) {
        const reason = `changed after its push: ${changes.join('; ')}`;
        upkeep.push({
          op: {
            op: 'set',
            id: record.id,
            from: ['pushed'],
            vals: { x_state: 'review', x_reason: reason },
            clear_resolution: true,
          },
          onAnswer: (answer) =>
            answer?.done === false && answer.state === 'pushed'
              ? report.results.push({ ...baseOf(record.paymentId), outcome: 'already pushed' })
              : flag(record.paymentId, 'changed after push', `${reason}; ${resolveHint(record.paymentId)}`),
        });
      } else if (inRun.has(record.paymentId)) {
        report.results.push({ ...baseOf(record.paymentId, record.amountKopecks), outcome: 'already pushed' });
      }
    } else if (record.state === 'review' && record.resolution === 'pushed') {
      const settled = `settled by ${record.resolvedBy ?? 'an accountant'} at ${record.resolvedAt ?? '?'}: RCP has it`;
      upkeep.push({
        op: {
          op: 'set',
          id: record.id,
          from: ['review'],
          resolution: 'pushed',
          vals: {
            x_state: 'pushed',
            x_reason: [record.reason, settled].filter(Boolean).join('; '),
            ...(record.pushedAt ? {} : { x_pushed_at: odooDatetime(new Date()) }),
            ...(row ? pushedAsValues(row) : {}),
          },
        },
        onAnswer: () =>
          report.results.push({
            ...baseOf(record.paymentId, record.amountKopecks),
            outcome: 'already pushed',
            detail: settled,
          }),
      });
    } else if (record.state === 'review' && record.resolution === 'not_pushed') {
      // Settled "RCP does not have it": not pushed, and sent again only through a fresh claim below
      // (when the payment is still one to send: a cancelled one is not).
      claimable.add(record.paymentId);
      upkeep.push({
        op: {
          op: 'set',
          id: record.id,
          from: ['review'],
          resolution: 'not_pushed',
          vals: {
            x_state: 'not_pushed',
            x_reason: [
              record.reason,
              `settled by ${record.resolvedBy ?? 'an accountant'} at ${record.resolvedAt ?? '?'}: RCP does not have it`,
            ]
              .filter(Boolean)
              .join('; '),
          },
        },
        onAnswer: () => undefined,
      });
    } else if (record.state === 'review') {
      const edited = record.pushedAt !== undefined && changes.length > 0;
      const reason = edited ? `changed after its push: ${changes.join('; ')}` : record.reason;
      if (edited && reason !== record.reason) {
        upkeep.push({
          op: {
            op: 'set',
            id: record.id,
            from: ['review'],
            resolution: false,
            vals: { x_reason: reason },
          },
          onAnswer: () => undefined,
        });
      }
      flag(
        record.paymentId,
        edited ? 'changed after push' : 'needs review',
        `${reason || 'needs review'}; ${resolveHint(record.paymentId)}`,
      );
    } else {
      const reason = `an attempt of ${record.writtenAt} UTC has no recorded outcome: ${whereToCheck(record.target, record.details, record.amountKopecks)}`;
      upkeep.push({
        op: {
          op: 'set',
          id: record.id,
          from: ['intent'],
          older_than: grace,
          vals: { x_state: 'review', x_reason: `${reason} (the run that sent it stopped)` },
        },
        onAnswer: (answer) => {
          if (answer?.done === false && answer.state === 'intent') {
            report.results.push({
              ...baseOf(record.paymentId),
              outcome: 'being sent by another run',
              detail: `claimed at ${record.writtenAt} UTC; flagged for review if no outcome is recorded within ${grace} s`,
            });
          } else if (answer?.done === false && answer.state === 'pushed') {
            report.results.push({ ...baseOf(record.paymentId), outcome: 'already pushed' });
          } else {
            flag(record.paymentId, 'needs review', `${reason}; ${resolveHint(record.paymentId)}`);
          }
        },
      });
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

  // 2. Payments not in the ledger (or settled "not pushed"): claimed one by one, and only the
  //    claimer calls RCP.
  const fresh = payments.filter((p) => !ledger.has(p.id) || claimable.has(p.id));
  const targets = await mappedCounterparties(
    deps,
    fresh.flatMap((p) => (p.partner_id ? [p.partner_id[0]] : [])),
  );
  const writer = new LedgerWriter(odoo);
  const queue: Array<{ payment: PaymentRow; base: Omit<PushResult, 'outcome'>; target: Target }> = [];
  const group = Math.min(CLAIM_GROUP, odoo.config.batchSize);

  /**
   * The queued payments are claimed in one call (with the outcomes before them), then each one
   * this run holds goes to RCP in turn. Should the run stop half-way, the claimed payments not yet
   * sent are recorded as not pushed (a later run claims them again).
   */
  async function pushQueued() {
    const batch = queue.splice(0);
    if (batch.length === 0) return;
    const claims = await writer.claim(batch.map((b) => claimOf(b.payment, b.base, b.target)));
    for (const [index, b] of batch.entries()) {
      const claim = claims[index];
      const lost = lostClaim(claim, b.base, report);
      if (lost || claim?.id === undefined || claim.id === false) {
        if (lost) report.results.push(lost);
        continue;
      }
      try {
        report.results.push(await pushOne(deps, writer, claim.id, b.payment, b.base, b.target, report));
      } catch (error) {
        for (const held of claims.slice(index + 1)) {
          if (!held?.done || held.id === false) continue;
          writer.later({
            op: 'set',
            id: held.id,
            from: ['intent'],
            vals: {
              x_state: 'not_pushed',
              x_reason: `not sent: the run stopped before it (${messageOf(error)})`,
            },
          });
        }
        throw error;
      }
    }
  }

  try {
    for (const [index, payment] of fresh.entries()) {
      deps.progress?.({ phase: 'payments', done: index, total: fresh.length });
      const base = baseOf(payment.id);
      const target = targets.get(payment.partner_id ? payment.partner_id[0] : 0);
      if (!target) {
        report.results.push({
          ...base,
          outcome: 'not an RCP counterparty',
          detail: 'the partner is not linked to an RCP partner or client',
        });
        continue;
      }
      if (payment.currency_id && payment.currency_id[0] !== currency) {
        report.results.push({
          ...base,
          outcome: 'other currency',
          detail: `paid in ${payment.currency_id[1]}: not sent`,
        });
        report.failed.push({
          kind: 'payment',
          record: `payment ${base.payment} (${payment.id})`,
          error: `paid in ${payment.currency_id[1]}; RCP balances are in the company currency`,
        });
        continue;
      }
      if (dryRun) {
        report.results.push({ ...base, outcome: 'would push', detail: `to ${target.kind} ${target.uuid}` });
        continue;
      }
      queue.push({ payment, base, target });
      if (queue.length >= group) await pushQueued();
    }
    await pushQueued();
  } catch (error) {
    // What RCP already took is recorded if Odoo still answers; otherwise those intents become reviews.
    await writer.flush().catch(() => undefined);
    throw error;
  }
  await writer.flush();
  deps.progress?.({ phase: 'payments', done: fresh.length, total: fresh.length });
  report.odooRoundTrips = odoo.stats.roundTrips - roundTrips;
  report.rcpRequests = rcp.stats.requests - rcpRequests;
  return report;
}

/**
 * The ledger, with any payment of the old ledger (an `rcp-push.json` attachment, before the
 * workspace) imported first, so that an upgrade never re-sends; and the payments the ledger knows
 * that the run did not read (cancelled, reset, re-dated) read into `rows`, to compare.
 */
async function loadLedger(
  deps: ProcessDeps,
  rows: Map<number, PaymentRow>,
  dryRun: boolean,
): Promise<Map<number, LedgerRecord>> {
  const ledger = await readPaymentLedger(deps.odoo);
  const legacy = await readLegacyLedger(deps.odoo);
  const unknown = [...new Set([...ledger.keys(), ...legacy.keys()])].filter((id) => !rows.has(id));
  for (const row of await readPayments(deps.odoo, unknown)) rows.set(row.id, row);
  // A payment deleted since has nothing left to send or compare.
  const imports = [...legacy.entries()].filter(
    ([paymentId]) => !ledger.has(paymentId) && rows.has(paymentId),
  );
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

async function readPayments(odoo: OdooClient, ids: readonly number[]): Promise<PaymentRow[]> {
  const found: PaymentRow[] = [];
  for (const batch of batchesOf([...ids], odoo.config.batchSize)) {
    found.push(...(await odoo.read<PaymentRow>('account.payment', batch, PAYMENT_FIELDS)));
  }
  return found;
}

type Target = { kind: 'client' | 'partner'; uuid: string };

/** Payments claimed together, in one Odoo call, before the first of them goes to RCP. */
const CLAIM_GROUP = 50;

/** The claim of one payment: its ledger record in state intent, with the payment as it is sent. */
function claimOf(payment: PaymentRow, base: Omit<PushResult, 'outcome'>, target: Target): LedgerOp {
  return {
    op: 'claim',
    payment_id: payment.id,
    vals: {
      ...pushedAsValues(payment),
      x_name: payment.name || `#${payment.id}`,
      x_amount: kopecksToDecimal(base.amountKopecks).toNumber(),
      x_details: detailsOf(payment),
      x_target: `${target.kind}:${target.uuid}`,
      x_reason: false,
      x_rcp_reference: false,
      x_pushed_at: false,
    },
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

/** Sends one payment this run has claimed, and queues its outcome for the ledger. */
async function pushOne(
  deps: ProcessDeps,
  writer: LedgerWriter,
  ledgerId: number,
  payment: PaymentRow,
  base: Omit<PushResult, 'outcome'>,
  target: Target,
  report: PushReport,
): Promise<PushResult> {
  const details = detailsOf(payment);
  const record = `payment ${base.payment} (${payment.id})`;
  let verdict: ReceiptVerdict;
  try {
    verdict = await sendPayment(deps, target, base.amountKopecks, details);
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      const reason = `RCP's answer was lost (${messageOf(error)}): ${whereToCheck(`${target.kind}:${target.uuid}`, details, base.amountKopecks)}`;
      writer.later({
        op: 'set',
        id: ledgerId,
        from: ['intent'],
        vals: { x_state: 'review', x_reason: reason },
      });
      writer.note(
        payment.id,
        `RCP не подтвердил платёж (${messageOf(error)}): не отправляется повторно, нужна проверка.`,
      );
      report.failed.push({ kind: 'payment', record, error: `needs review: ${messageOf(error)}` });
      return { ...base, outcome: 'needs review', detail: `${reason}; ${resolveHint(payment.id)}` };
    }
    // RCP refused it (4xx) or never took it (busy, unreachable): nothing was credited; a later run
    // claims it again.
    const refused = error instanceof PermanentError;
    writer.later({
      op: 'set',
      id: ledgerId,
      from: ['intent', 'review'],
      vals: {
        x_state: 'not_pushed',
        x_reason: `${refused ? 'refused by RCP' : 'not sent'}: ${messageOf(error)}`,
      },
    });
    report.failed.push({ kind: 'payment', record, error: messageOf(error) });
    return { ...base, outcome: refused ? 'rejected by RCP' : 'not sent', detail: messageOf(error) };
  }
  if (verdict.kind !== 'receipt')
    return settleNotReceipt(writer, ledgerId, payment, base, target, verdict, report);
  const rcpPaymentId = verdict.rcpId;
  // RCP has it. Recorded with the next claim (or at the end); if that write is lost, the intent
  // stays and a later run flags it for review.
  writer.later({
    op: 'set',
    id: ledgerId,
    from: ['intent', 'review'],
    vals: {
      x_state: 'pushed',
      x_pushed_at: odooDatetime(new Date()),
      x_reason: false,
      ...(rcpPaymentId ? { x_rcp_reference: rcpPaymentId } : {}),
    },
    clear_resolution: true,
  });
  writer.note(
    payment.id,
    `Отправлено в RCP: ${formatRubles(base.amountKopecks)} ₽ на баланс ${target.kind === 'client' ? 'клиента' : 'партнёра'} ${target.uuid}${rcpPaymentId ? `, платёж RCP ${rcpPaymentId}` : ''}; details «${details}».`,
  );
  return { ...base, outcome: 'pushed', detail: `to ${target.kind} ${target.uuid}` };
}

/**
 * RCP answered, but not with a receipt: refused (status failed; nothing credited) or not what was
 * sent. Either way the payment waits in review: a refusal is sent again only when the accountant
 * settles it "RCP does not have it"; an odd answer is checked in RCP first.
 */
function settleNotReceipt(
  writer: LedgerWriter,
  ledgerId: number,
  payment: PaymentRow,
  base: Omit<PushResult, 'outcome'>,
  target: Target,
  verdict: Exclude<ReceiptVerdict, { kind: 'receipt' }>,
  report: PushReport,
): PushResult {
  const refused = verdict.kind === 'refused';
  const where = whereToCheck(`${target.kind}:${target.uuid}`, detailsOf(payment), base.amountKopecks);
  const reason = refused
    ? `refused by RCP: ${verdict.reason}; sent again only when settled "RCP does not have it"`
    : `${verdict.words}: ${where}`;
  writer.later({ op: 'set', id: ledgerId, from: ['intent'], vals: { x_state: 'review', x_reason: reason } });
  writer.note(
    payment.id,
    refused
      ? `RCP отклонил платёж (${verdict.reason}): повторно отправляется только по решению бухгалтера.`
      : `Ответ RCP не подтверждает платёж (${verdict.words}): не отправляется повторно, нужна проверка.`,
  );
  const record = `payment ${base.payment} (${payment.id})`;
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

/**
 * The RCP partner or client each paying company is linked to. The sync puts the RCP uuid in `ref`;
 * the link counts only when the external ID `client_<ref>` or `partner_<ref>` points at that very
 * company, so a `ref` typed by hand links nothing. Only the payers are looked up, not all of RCP.
 */
async function mappedCounterparties(
  deps: ProcessDeps,
  partnerIds: number[],
): Promise<Map<number, { kind: 'client' | 'partner'; uuid: string }>> {
  const unique = [...new Set(partnerIds)];
  const companies: Array<OdooRecord & { ref: string | false }> = [];
  for (const batch of batchesOf(unique, deps.odoo.config.batchSize)) {
    companies.push(
      ...(await deps.odoo.read<OdooRecord & { ref: string | false }>('res.partner', batch, ['ref'])),
    );
  }
  const own = new Set(deps.config.ownPartnerIds);
  const candidates = companies.flatMap((c) =>
    c.ref
      ? [
          { id: c.id, kind: 'client' as const, uuid: c.ref },
          ...(own.has(c.ref) ? [] : [{ id: c.id, kind: 'partner' as const, uuid: c.ref }]),
        ]
      : [],
  );
  const found = await externalIds(deps.odoo).resolve(candidates.map((c) => xmlidOf(c.kind, c.uuid)));
  const map = new Map<number, { kind: 'client' | 'partner'; uuid: string }>();
  for (const candidate of candidates) {
    const target = found.get(xmlidOf(candidate.kind, candidate.uuid));
    if (target?.model === 'res.partner' && target.id === candidate.id) {
      map.set(candidate.id, { kind: candidate.kind, uuid: candidate.uuid });
    }
  }
  return map;
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
  const record = (await loadLedger(deps, rows, false)).get(id);
  if (!record) throw new ConfigError([`payment ${payment} was never sent to RCP: nothing to resolve`]);
  if (record.state !== 'review' && record.state !== 'intent') {
    throw new ConfigError([`payment ${payment} is "${record.state}", not waiting for review`]);
  }
  const row = rows.get(id);
  const verdict = pushed ? 'RCP has it' : 'RCP does not have it';
  const [answer] = await writePaymentLedger(odoo, [
    {
      op: 'resolve',
      id: record.id,
      from: [record.state],
      resolution: pushed ? 'pushed' : 'not_pushed',
      vals: {
        x_state: pushed ? 'pushed' : 'not_pushed',
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
