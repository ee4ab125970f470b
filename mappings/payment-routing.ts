/**
 * Where a payment's money goes in RCP, and what is left to settle: a payment credits, per RCP card
 * (client or partner contract), the part reconciled with that card's invoices; the rest goes to the
 * company's only card, or to the card the accountant chose when the company has several. What RCP
 * received is the sum of the ledger's sends per card; any difference between the two is either sent
 * (a new payment, or the accountant's "Send the difference") or said in a review. Pure: no I/O.
 */
import { formatAmount } from './payment-changes.ts';

/** `client:<uuid>` or `partner:<uuid>`: one RCP card (contract), as the ledger's `x_target` says it. */
export type Card = string;

export const cardKind = (card: Card): 'client' | 'partner' =>
  card.startsWith('partner:') ? 'partner' : 'client';
export const cardUuid = (card: Card): string => card.slice(card.indexOf(':') + 1);

/** One RCP call of a payment (or an amount taken back in RCP by hand, confirmed by the accountant). */
export interface Send {
  card: Card;
  kopecks: number;
  /** intent: called, no answer recorded (yet); pushed: RCP took it; by_hand: taken back in RCP by hand. */
  state: 'intent' | 'pushed' | 'by_hand';
  /** RCP's payment id, when RCP answers one (client payments). */
  rcp?: string;
  at?: string;
}

/** One line of what remains to settle: an amount to send (positive or, to a partner, negative) or to take back by hand. */
export interface PlanPart {
  card: Card;
  kopecks: number;
  how: 'send' | 'by_hand';
}

/** What RCP is recorded to hold for a payment, per card (sends whose answer is known). */
export function receivedByCard(sends: readonly Send[]): Map<Card, number> {
  const held = new Map<Card, number>();
  for (const s of sends) {
    if (s.state === 'intent') continue;
    held.set(s.card, (held.get(s.card) ?? 0) + s.kopecks);
  }
  return held;
}

export const totalOf = (byCard: ReadonlyMap<Card, number>) => [...byCard.values()].reduce((a, b) => a + b, 0);

export type Route =
  | { ok: true; allocation: Map<Card, number> }
  | { ok: false; allocation: Map<Card, number>; restKopecks: number; reason: string };

/**
 * The payment's amount split over RCP cards: the parts reconciled with RCP invoices go to those
 * invoices' cards; the rest to the company's only card, or to `chosen` when it is one of the
 * company's cards; otherwise the rest waits for the accountant's choice.
 */
export function routePayment(input: {
  amountKopecks: number;
  invoiceParts: ReadonlyArray<{ card: Card; kopecks: number }>;
  companyCards: readonly Card[];
  chosen: Card | undefined;
}): Route {
  const allocation = new Map<Card, number>();
  let allocated = 0;
  for (const part of input.invoiceParts) {
    const kopecks = Math.min(part.kopecks, input.amountKopecks - allocated);
    if (kopecks <= 0) continue;
    allocation.set(part.card, (allocation.get(part.card) ?? 0) + kopecks);
    allocated += kopecks;
  }
  const rest = input.amountKopecks - allocated;
  if (rest <= 0) return { ok: true, allocation };
  const cards = [...new Set(input.companyCards)];
  const target =
    cards.length === 1 ? cards[0] : input.chosen && cards.includes(input.chosen) ? input.chosen : undefined;
  if (target) {
    allocation.set(target, (allocation.get(target) ?? 0) + rest);
    return { ok: true, allocation };
  }
  return {
    ok: false,
    allocation,
    restKopecks: rest,
    reason:
      cards.length === 0
        ? `${formatAmount(rest)} is reconciled with no RCP invoice and the company has no RCP card`
        : `${formatAmount(rest)} is reconciled with none of the company's RCP invoices and the company has ${cards.length} RCP cards: choose the card to credit`,
  };
}

/**
 * What remains between what the payment should have credited and what RCP holds, per card: a
 * positive part is sent; a negative one is a balance correction for a partner, and for a client
 * (RCP documents no way to take a payment back) an amount to take back in RCP by hand.
 */
export function planOf(desired: ReadonlyMap<Card, number>, held: ReadonlyMap<Card, number>): PlanPart[] {
  const cards = [...new Set([...desired.keys(), ...held.keys()])].sort();
  return cards.flatMap((card) => {
    const kopecks = (desired.get(card) ?? 0) - (held.get(card) ?? 0);
    if (kopecks === 0) return [];
    const how: PlanPart['how'] = kopecks < 0 && cardKind(card) === 'client' ? 'by_hand' : 'send';
    return [{ card, kopecks, how }];
  });
}

export type ReviewKind = 'lost' | 'choose_card' | 'difference' | 'take_back';

/** The review a plan needs: something to send (or correct) → difference; only by hand → take_back. */
export const reviewKindOf = (plan: readonly PlanPart[]): ReviewKind =>
  plan.some((p) => p.how === 'send') ? 'difference' : 'take_back';

const signed = (kopecks: number) => `${kopecks > 0 ? '+' : ''}${formatAmount(kopecks)}`;

/** `client Alpha (uuid) 600.00`: cards with amounts, for reasons and reconcile. */
export function describeByCard(byCard: ReadonlyMap<Card, number>, nameOf: (card: Card) => string): string {
  const parts = [...byCard.entries()].filter(([, k]) => k !== 0);
  if (parts.length === 0) return 'nothing';
  return parts.map(([card, k]) => `${nameOf(card)} ${formatAmount(k)}`).join(', ');
}

/** The words of a review: what RCP holds, what the payment is now, and what to do about the difference. */
export function describeDifference(input: {
  held: ReadonlyMap<Card, number>;
  amountKopecks: number;
  paymentState: string;
  plan: readonly PlanPart[];
  nameOf: (card: Card) => string;
}): string {
  const holds = totalOf(input.held);
  const steps = input.plan.map((p) =>
    p.how === 'by_hand'
      ? `take back ${formatAmount(-p.kopecks)} from ${input.nameOf(p.card)} in RCP by hand, then confirm "Taken back in RCP"`
      : p.kopecks > 0
        ? `${signed(p.kopecks)} to send to ${input.nameOf(p.card)} ("Send the difference")`
        : `${signed(p.kopecks)} balance correction to send to ${input.nameOf(p.card)} ("Send the difference")`,
  );
  return [
    `RCP is recorded to hold ${formatAmount(holds)} for this payment (${describeByCard(input.held, input.nameOf)})`,
    `the payment is now ${formatAmount(input.amountKopecks)}${input.paymentState ? ` (${input.paymentState})` : ''}`,
    `difference ${signed(input.amountKopecks - holds)}: ${steps.join('; ')}`,
  ].join('; ');
}

/** What a review of a lost answer adds: what RCP holds for sure, what awaits a check, and the payment now. */
export function describeLost(sends: readonly Send[], amountKopecks: number): string {
  const unknown = sends.filter((s) => s.state === 'intent').reduce((sum, s) => sum + s.kopecks, 0);
  return `RCP is recorded to hold ${formatAmount(totalOf(receivedByCard(sends)))} for this payment, and ${formatAmount(unknown)} more if the send to check reached it; the payment is now ${formatAmount(amountKopecks)}`;
}
