import { kopecksToDecimal, toKopecks } from '../../mappings/money.ts';
/**
 * One payment against what RCP holds for it: what the ledger's sends say RCP received, per card,
 * against where the payment's money should be now (payment-routes.ts). The decision is one of:
 * nothing to do; send the missing parts (a new payment, or one the accountant told to send the
 * difference); or a review that says what RCP holds, what the payment is now and what settles it.
 * Sending goes through the ledger's claim (the record in state intent), each part recorded before
 * its RCP call, so whatever runs at once, each part reaches RCP once.
 */
import { formatAmount } from '../../mappings/payment-changes.ts';
import {
  type Card,
  type PlanPart,
  type ReviewKind,
  type Send,
  cardKind,
  cardUuid,
  describeDifference,
  planOf,
  receivedByCard,
  reviewKindOf,
  totalOf,
} from '../../mappings/payment-routing.ts';
import type { LedgerRecord, LedgerValues } from '../workspace/payments-ledger.ts';
import { type PaymentToRoute, type Routing, desiredRoute } from './payment-routes.ts';

export type Decision =
  | { do: 'nothing'; why: 'already pushed' | 'nothing to send' | 'not an RCP counterparty' }
  | { do: 'send'; parts: PlanPart[] }
  | { do: 'settled'; vals: LedgerValues }
  | {
      do: 'review';
      kind: ReviewKind;
      reason: string;
      vals: LedgerValues;
      /** The same review is already recorded: only reported. */
      unchanged: boolean;
    };

export const money = (kopecks: number) => kopecksToDecimal(kopecks).toNumber();

/** `client Alpha (e2cb…)`: a card as the accountant reads it. */
export function cardName(routing: Routing, card: Card): string {
  const cp = routing.counterpartyOf.get(card);
  return `${cardKind(card)} ${cp ? `${cp.name} ` : ''}(${cardUuid(card)})`;
}

/** The card the record's money goes to when nothing the payment pays says so. */
export function chosenCard(routing: Routing, record: LedgerRecord | undefined): Card | undefined {
  if (!record) return undefined;
  if (record.counterpartyId !== undefined) {
    const card = routing.cardOfCounterparty.get(record.counterpartyId);
    if (card) return card;
  }
  const held = [...receivedByCard(record.sends).entries()].filter(([, k]) => k !== 0);
  return held.length === 1 ? held[0]?.[0] : undefined;
}

/**
 * What to do with a payment (and its ledger record, when it has one, in state pushed, not_pushed
 * or a review that is not a lost answer and has no decision).
 */
export function decide(
  routing: Routing,
  row: PaymentToRoute | undefined,
  record: LedgerRecord | undefined,
  doneStates: readonly string[],
  /** What changed in the payment since its push, in words (`amount 2,222.22 → 3,000.00`). */
  changes: readonly string[] = [],
): Decision {
  const route = desiredRoute(routing, row, doneStates, chosenCard(routing, record));
  const held = receivedByCard(record?.sends ?? []);
  const nowKopecks = row && doneStates.includes(row.state) ? toKopecks(row.amount) : 0;
  const nameOf = (card: Card) => cardName(routing, card);
  const company = row?.partner_id ? row.partner_id[0] : 0;
  const cards = routing.cardsOf.get(company) ?? [];
  if (!route.ok) {
    if (!record && cards.length === 0 && route.allocation.size === 0)
      return { do: 'nothing', why: 'not an RCP counterparty' };
    const reason = `${route.reason}; RCP is recorded to hold ${formatAmount(totalOf(held))} for this payment; the payment is now ${formatAmount(nowKopecks)}`;
    const cardIds = cards.flatMap((c) => {
      const cp = routing.counterpartyOf.get(c);
      return cp ? [cp.id] : [];
    });
    return {
      do: 'review',
      kind: 'choose_card',
      reason,
      unchanged: record?.state === 'review' && record.review === 'choose_card' && record.reason === reason,
      vals: {
        x_state: 'review',
        x_review: 'choose_card',
        x_reason: reason,
        x_plan: false,
        x_card_ids: [[6, 0, cardIds]],
        x_payment_amount: money(nowKopecks),
        x_difference: money(nowKopecks - totalOf(held)),
      },
    };
  }
  const automatic =
    !record ||
    record.state === 'not_pushed' ||
    (record.state === 'review' && record.review === 'choose_card');
  // Once sent, a payment whose amount RCP holds in full is not moved between cards (its
  // reconciliation may change later; money already on a contract stays there unless it changes).
  const plan =
    !automatic && totalOf(route.allocation) === totalOf(held) ? [] : planOf(route.allocation, held);
  if (plan.length === 0) {
    if (!record || record.state === 'pushed') return { do: 'nothing', why: 'already pushed' };
    if (totalOf(held) === 0 && record.state === 'not_pushed')
      return { do: 'nothing', why: 'nothing to send' };
    return {
      do: 'settled',
      vals: {
        x_state: totalOf(held) === 0 ? 'not_pushed' : 'pushed',
        x_review: false,
        x_plan: false,
        x_difference: 0,
        x_payment_amount: money(nowKopecks),
        x_reason: `RCP holds what the payment is now: ${formatAmount(totalOf(held))}`,
      },
    };
  }
  if (automatic && plan.every((p) => p.how === 'send' && p.kopecks > 0)) return { do: 'send', parts: plan };
  const kind = reviewKindOf(plan);
  const edited = changes.length > 0 ? `changed after its push: ${changes.join('; ')}; ` : '';
  const reason =
    edited +
    describeDifference({
      held,
      amountKopecks: nowKopecks,
      paymentState: row?.state ?? 'deleted',
      plan,
      nameOf,
    });
  const planText = JSON.stringify(plan);
  return {
    do: 'review',
    kind,
    reason,
    unchanged: record?.state === 'review' && record.review === kind && record.planText === planText,
    vals: {
      x_state: 'review',
      x_review: kind,
      x_reason: reason,
      x_plan: planText,
      x_payment_amount: money(nowKopecks),
      x_difference: money(nowKopecks - totalOf(held)),
    },
  };
}

/** The ledger values that say what RCP holds after `sends`: total, cards in words, ids. */
export function holdingValues(routing: Routing, sends: readonly Send[]): LedgerValues {
  const held = receivedByCard(sends);
  const cards = [...new Set(sends.map((s) => s.card))];
  const only = cards.length === 1 && cards[0] ? routing.counterpartyOf.get(cards[0]) : undefined;
  return {
    x_sends: JSON.stringify(sends),
    x_amount: money(totalOf(held)),
    x_cards: sends
      .map(
        (s) =>
          `${cardName(routing, s.card)}: ${formatAmount(s.kopecks)}${s.state === 'by_hand' ? ' (taken back in RCP by hand)' : s.state === 'intent' ? ' (no answer recorded)' : ''}${s.rcp ? `, RCP payment ${s.rcp}` : ''}${s.at ? ` at ${s.at} UTC` : ''}`,
      )
      .join('\n'),
    x_rcp_reference: sends.flatMap((s) => (s.rcp ? [s.rcp] : [])).join(', '),
    x_target: cards[0] ?? '',
    ...(only ? { x_counterparty_id: only.id } : {}),
  };
}

/** The sends after the accountant's verdict on a lost answer: it reached RCP, or it did not. */
export function sendsAfterVerdict(sends: readonly Send[], pushed: boolean): Send[] {
  return sends.flatMap((s) =>
    s.state !== 'intent' ? [s] : pushed ? [{ ...s, state: 'pushed' as const }] : [],
  );
}

/** The sends after the accountant confirmed the plan's amounts taken back in RCP by hand. */
export function sendsAfterTakenBack(sends: readonly Send[], plan: readonly PlanPart[], at: string): Send[] {
  return [
    ...sends,
    ...plan
      .filter((p) => p.how === 'by_hand')
      .map((p) => ({ card: p.card, kopecks: p.kopecks, state: 'by_hand' as const, at })),
  ];
}

/** RCP's `details` for a payment's n-th call (0: the first, as every run before sends it). */
export const detailsOfSend = (details: string, index: number) =>
  index === 0 ? details : `${details} /${index + 1}`;
