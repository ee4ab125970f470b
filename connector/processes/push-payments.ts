import { paymentPushXmlid, xmlidOf } from '../../mappings/external-ids.ts';
import { formatRubles, toKopecks } from '../../mappings/money.ts';
import { batchesOf } from '../batches.ts';
import { ConfigError, OutcomeUnknownError, PermanentError, messageOf } from '../errors.ts';
import type { OdooRecord } from '../odoo/client.ts';
import { OdooError } from '../odoo/errors.ts';
import { externalIds } from '../odoo/external-ids.ts';
import type { FailedRecord, ProcessDeps } from './deps.ts';
import { companyOf } from './odoo-refs.ts';

/**
 * Payments back: customer payments recorded in Odoo raise RCP balances, each at most once. The ledger
 * lives in Odoo, one `ir.attachment` per payment on the payment itself, keyed by the external ID
 * `rcp_connector.payment_push_<id>` and written through `load()` (so it is unique and needs no
 * special rights). Its state goes `intent` (written before the RCP call) → `pushed` (after it), or
 * `review` when a run finds an intent without completion: the call may have reached RCP, so it is
 * never resent; the accountant settles it with `payments resolve`.
 */
export type LedgerState = 'intent' | 'pushed' | 'review' | 'rejected' | 'not-pushed';

export interface LedgerEntry {
  state: LedgerState;
  target: string;
  amountKopecks: number;
  details: string;
  at: string;
  rcpPaymentId?: string;
  note?: string;
}

export type PushOutcome =
  | 'pushed'
  | 'would push'
  | 'already pushed'
  | 'needs review'
  | 'rejected by RCP'
  | 'not sent'
  | 'not an RCP counterparty'
  | 'other currency'
  | 'cancelled after push';

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

interface PaymentRow extends OdooRecord {
  name: string | false;
  amount: number;
  date: string;
  state: string;
  partner_id: [number, string] | false;
  currency_id: [number, string] | false;
}

interface LedgerRow extends OdooRecord {
  res_id: number;
  description: string | false;
}

const LEDGER_NAME = 'rcp-push.json';

/** `Odoo PBNK1/2026/00001 #17`: what RCP records as the payment's details, the same on every run. */
export const detailsOf = (payment: { id: number; name: string | false }) =>
  `Odoo ${payment.name || 'payment'} #${payment.id}`;

export async function pushPayments(deps: ProcessDeps, input: { dryRun?: boolean } = {}): Promise<PushReport> {
  const { odoo, rcp, config } = deps;
  const since = config.payments.since;
  if (!since)
    throw new ConfigError([
      'PAYMENTS_SINCE is missing: payments are never pushed without a start date, e.g. PAYMENTS_SINCE=2026-01-01',
    ]);
  const dryRun = input.dryRun ?? false;
  const roundTrips = odoo.stats.roundTrips;
  const rcpRequests = rcp.stats.requests;
  const report: PushReport = { dryRun, since, results: [], failed: [], odooRoundTrips: 0, rcpRequests: 0 };

  const currency = (await companyOf(odoo)).currencyId;
  const caps = odoo.capabilities;
  const domain: unknown[] = [
    ['payment_type', '=', 'inbound'],
    ['partner_type', '=', 'customer'],
    ['state', 'in', [...caps.paymentDoneStates]],
    ['date', '>=', since],
  ];
  if (config.payments.mode === 'reconciled') domain.push(['is_reconciled', '=', true]);
  const payments: PaymentRow[] = [];
  for await (const page of odoo.searchReadPages<PaymentRow>('account.payment', domain, [
    'name',
    'amount',
    'date',
    'state',
    'partner_id',
    'currency_id',
  ])) {
    payments.push(...page);
  }
  const targets = await mappedCounterparties(
    deps,
    payments.flatMap((p) => (p.partner_id ? [p.partner_id[0]] : [])),
  );
  const ledger = await readLedger(deps);
  const writer = new LedgerWriter(deps);
  const queue: Array<{ payment: PaymentRow; base: Omit<PushResult, 'outcome'>; target: Target }> = [];
  const group = Math.min(PUSH_GROUP, odoo.config.batchSize);
  try {
    await pushAll();
  } catch (error) {
    // What RCP already took is recorded if Odoo still answers; otherwise those intents become reviews.
    await writer.flush().catch(() => undefined);
    throw error;
  }
  await writer.flush();

  async function pushAll() {
    for (const [index, payment] of payments.entries()) {
      deps.progress?.({ phase: 'payments', done: index, total: payments.length });
      const partnerId = payment.partner_id ? payment.partner_id[0] : 0;
      const target = targets.get(partnerId);
      const base = {
        paymentId: payment.id,
        payment: payment.name || `#${payment.id}`,
        counterparty: payment.partner_id ? payment.partner_id[1] : '(none)',
        amountKopecks: toKopecks(payment.amount),
      };
      const entry = ledger.get(payment.id)?.entry;
      if (entry?.state === 'pushed') {
        report.results.push({ ...base, outcome: 'already pushed' });
        continue;
      }
      if (entry?.state === 'intent' || entry?.state === 'review') {
        const detail = `an attempt on ${entry.at} has no recorded outcome: check RCP for "${entry.details}", then run \`rcp-odoo payments resolve ${payment.id} --pushed\` or \`--not-pushed\``;
        if (!dryRun && entry.state === 'intent')
          writer.later(payment.id, { ...entry, state: 'review', note: 'no outcome recorded' });
        report.results.push({ ...base, outcome: 'needs review', detail });
        report.failed.push({
          kind: 'payment',
          record: `payment ${base.payment} (${payment.id})`,
          error: `needs review: ${detail}`,
        });
        continue;
      }
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
  }

  /**
   * The queued payments' intents are committed in one load() (with the outcomes before them), then
   * each goes to RCP in turn. A payment is never sent without its committed intent; should the run
   * stop half-way, the intents of payments not yet sent are recorded as not pushed.
   */
  async function pushQueued() {
    const batch = queue.splice(0).map((q) => ({ ...q, intent: intentOf(q.payment, q.base, q.target) }));
    if (batch.length === 0) return;
    await writer.now(batch.map((b) => [b.payment.id, b.intent] as const));
    for (const [index, b] of batch.entries()) {
      try {
        report.results.push(await pushOne(deps, writer, b.payment, b.base, b.target, b.intent, report));
      } catch (error) {
        for (const rest of batch.slice(index + 1))
          writer.later(rest.payment.id, {
            ...rest.intent,
            state: 'not-pushed',
            note: 'the run stopped before it',
          });
        throw error;
      }
    }
  }

  deps.progress?.({ phase: 'payments', done: payments.length, total: payments.length });
  // A payment pushed earlier and since cancelled or reset to draft: RCP still has the money.
  const live = new Set(payments.map((p) => p.id));
  const gone = [...ledger.values()].filter((l) => l.entry.state === 'pushed' && !live.has(l.paymentId));
  if (gone.length > 0) {
    const rows = await odoo.read<PaymentRow>(
      'account.payment',
      gone.map((g) => g.paymentId),
      ['name', 'amount', 'state', 'partner_id', 'date', 'currency_id'],
    );
    for (const row of rows.filter((r) => !caps.paymentDoneStates.includes(r.state))) {
      const detail = `pushed to RCP but now ${row.state} in Odoo: correct the balance in RCP by hand if the payment is void`;
      report.results.push({
        paymentId: row.id,
        payment: row.name || `#${row.id}`,
        counterparty: row.partner_id ? row.partner_id[1] : '(none)',
        amountKopecks: toKopecks(row.amount),
        outcome: 'cancelled after push',
        detail,
      });
      report.failed.push({ kind: 'payment', record: `payment ${row.name} (${row.id})`, error: detail });
    }
  }
  report.odooRoundTrips = odoo.stats.roundTrips - roundTrips;
  report.rcpRequests = rcp.stats.requests - rcpRequests;
  return report;
}

type Target = { kind: 'client' | 'partner'; uuid: string };

/** Payments whose intents are committed together, before the first of them goes to RCP. */
const PUSH_GROUP = 50;

function intentOf(payment: PaymentRow, base: Omit<PushResult, 'outcome'>, target: Target): LedgerEntry {
  return {
    state: 'intent',
    target: `${target.kind}:${target.uuid}`,
    amountKopecks: base.amountKopecks,
    details: detailsOf(payment),
    at: new Date().toISOString(),
  };
}

/** Sends one payment whose intent is committed, and queues its outcome for the ledger. */
async function pushOne(
  deps: ProcessDeps,
  writer: LedgerWriter,
  payment: PaymentRow,
  base: Omit<PushResult, 'outcome'>,
  target: Target,
  intent: LedgerEntry,
  report: PushReport,
): Promise<PushResult> {
  const details = intent.details;
  const record = `payment ${base.payment} (${payment.id})`;
  let rcpPaymentId: string | undefined;
  try {
    if (target.kind === 'client') {
      rcpPaymentId = (
        await deps.rcp.bankPayment({ client: target.uuid, amountKopecks: base.amountKopecks, details })
      ).id;
    } else {
      await deps.rcp.correctPartnerBalance(target.uuid, base.amountKopecks);
    }
  } catch (error) {
    if (error instanceof OutcomeUnknownError) {
      writer.later(payment.id, { ...intent, state: 'review', note: messageOf(error) });
      writer.note(
        payment.id,
        `RCP не подтвердил платёж (${messageOf(error)}): не отправляется повторно, нужна проверка.`,
      );
      report.failed.push({ kind: 'payment', record, error: `needs review: ${messageOf(error)}` });
      return { ...base, outcome: 'needs review', detail: messageOf(error) };
    }
    // RCP refused it (4xx) or never took it (busy, unreachable): nothing was credited, a later run tries again.
    const state: LedgerState = error instanceof PermanentError ? 'rejected' : 'not-pushed';
    writer.later(payment.id, { ...intent, state, note: messageOf(error) });
    report.failed.push({ kind: 'payment', record, error: messageOf(error) });
    return {
      ...base,
      outcome: state === 'rejected' ? 'rejected by RCP' : 'not sent',
      detail: messageOf(error),
    };
  }
  // RCP has it. Recorded with the next intent (or at the end); if that write is lost, the intent
  // stays and the next run flags it for review.
  writer.later(payment.id, {
    ...intent,
    state: 'pushed',
    at: new Date().toISOString(),
    ...(rcpPaymentId ? { rcpPaymentId } : {}),
  });
  writer.note(
    payment.id,
    `Отправлено в RCP: ${formatRubles(base.amountKopecks)} ₽ на баланс ${target.kind === 'client' ? 'клиента' : 'партнёра'} ${target.uuid}${rcpPaymentId ? `, платёж RCP ${rcpPaymentId}` : ''}; details «${details}».`,
  );
  return { ...base, outcome: 'pushed', detail: `to ${target.kind} ${target.uuid}` };
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

export async function readLedger(
  deps: ProcessDeps,
): Promise<Map<number, { paymentId: number; entry: LedgerEntry }>> {
  const rows: LedgerRow[] = [];
  for await (const page of deps.odoo.searchReadPages<LedgerRow>(
    'ir.attachment',
    [
      ['res_model', '=', 'account.payment'],
      ['name', '=', LEDGER_NAME],
    ],
    ['res_id', 'description'],
  )) {
    rows.push(...page);
  }
  const ledger = new Map<number, { paymentId: number; entry: LedgerEntry }>();
  for (const row of rows) {
    try {
      ledger.set(row.res_id, {
        paymentId: row.res_id,
        entry: JSON.parse(String(row.description)) as LedgerEntry,
      });
    } catch {
      // An entry that cannot be read is treated as an attempt without outcome: never resent.
      ledger.set(row.res_id, {
        paymentId: row.res_id,
        entry: { state: 'review', target: '?', amountKopecks: 0, details: '?', at: '?' },
      });
    }
  }
  return ledger;
}

/** Creates or updates the payment's ledger entry (one attachment, one external ID) in one call. */
export function writeLedger(deps: ProcessDeps, paymentId: number, entry: LedgerEntry): Promise<void> {
  return writeLedgerEntries(deps, [[paymentId, entry]]);
}

/** Several payments' ledger entries in one `load()`: one transaction, all or none. */
async function writeLedgerEntries(
  deps: ProcessDeps,
  entries: ReadonlyArray<readonly [number, LedgerEntry]>,
): Promise<void> {
  if (entries.length === 0) return;
  const result = await deps.odoo.load(
    'ir.attachment',
    ['id', 'name', 'res_model', 'res_id', 'mimetype', 'description'],
    entries.map(([paymentId, entry]) => [
      paymentPushXmlid(paymentId),
      LEDGER_NAME,
      'account.payment',
      String(paymentId),
      'application/json',
      JSON.stringify(entry),
    ]),
  );
  if (!result.ids) {
    throw new PermanentError(
      `Odoo refused the payment ledger entries of payment(s) ${entries.map(([id]) => id).join(', ')}: ${result.messages.map((m) => m.message).join('; ')}`,
    );
  }
}

/**
 * The ledger and chatter writes of one run, in as few round trips as exactly-once allows: intents
 * are written, and committed, before their RCP calls, in the same `load()` as the outcomes of the
 * payments before them; notes go in one `mail.message` create per batch at the end. One Odoo round
 * trip per group of payments instead of three per payment.
 */
class LedgerWriter {
  #outcomes: Array<readonly [number, LedgerEntry]> = [];
  #notes: Array<{ paymentId: number; body: string }> = [];

  constructor(private readonly deps: ProcessDeps) {}

  /** Written before this call returns, with every outcome waiting. */
  async now(intents: ReadonlyArray<readonly [number, LedgerEntry]>): Promise<void> {
    const entries = [...this.#outcomes, ...intents];
    await writeLedgerEntries(this.deps, entries);
    this.#outcomes = [];
  }

  /** Written with the next intent, or by `flush`. */
  later(paymentId: number, entry: LedgerEntry): void {
    this.#outcomes.push([paymentId, entry]);
  }

  note(paymentId: number, body: string): void {
    this.#notes.push({ paymentId, body });
  }

  async flush(): Promise<void> {
    await writeLedgerEntries(this.deps, this.#outcomes);
    this.#outcomes = [];
    const notes = this.#notes;
    this.#notes = [];
    await postNotes(this.deps, notes);
  }
}

/** Chatter notes on payments, all in one create (internal notes are `mail.message` records). */
async function postNotes(deps: ProcessDeps, notes: Array<{ paymentId: number; body: string }>) {
  if (notes.length === 0) return;
  const subtype = (await externalIds(deps.odoo).resolve(['mail.mt_note'])).get('mail.mt_note')?.id;
  try {
    await deps.odoo.create(
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
  for (const n of notes) await note(deps, n.paymentId, n.body);
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

async function note(deps: ProcessDeps, paymentId: number, body: string): Promise<void> {
  try {
    await deps.odoo.postNote('account.payment', paymentId, body);
  } catch (error) {
    // On 17/18 a user without an email address cannot post; the ledger attachment still tells.
    deps.log.warn({ payment: paymentId, problem: messageOf(error) }, 'could not post the chatter note');
  }
}

/** The accountant's verdict on a payment that needs review, after checking RCP. */
export async function resolvePayment(
  deps: ProcessDeps,
  payment: string,
  pushed: boolean,
): Promise<LedgerEntry> {
  const id = /^\d+$/.test(payment)
    ? Number(payment)
    : (await deps.odoo.search('account.payment', [['name', '=', payment]], { limit: 1 }))[0];
  if (!id)
    throw new ConfigError([
      `Odoo has no payment ${payment}: give its id or its name (e.g. PBNK1/2026/00001)`,
    ]);
  const entry = (await readLedger(deps)).get(id)?.entry;
  if (!entry) throw new ConfigError([`payment ${payment} was never sent to RCP: nothing to resolve`]);
  if (entry.state !== 'review' && entry.state !== 'intent') {
    throw new ConfigError([`payment ${payment} is "${entry.state}", not waiting for review`]);
  }
  const settled: LedgerEntry = {
    ...entry,
    state: pushed ? 'pushed' : 'not-pushed',
    at: new Date().toISOString(),
    note: `resolved by hand: ${pushed ? 'RCP has it' : 'RCP does not have it'}`,
  };
  await writeLedger(deps, id, settled);
  await note(
    deps,
    id,
    pushed
      ? 'Проверено вручную: платёж есть в RCP.'
      : 'Проверено вручную: платежа нет в RCP; будет отправлен при следующем запуске.',
  );
  return settled;
}
