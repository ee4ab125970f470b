import { describe, expect, it } from 'vitest';
import {
  describeDifference,
  planOf,
  receivedByCard,
  reviewKindOf,
  routePayment,
} from '../../mappings/payment-routing.ts';

const A = 'client:aaaaaaaa-0000-0000-0000-000000000001';
const B = 'client:bbbbbbbb-0000-0000-0000-000000000002';
const P = 'partner:cccccccc-0000-0000-0000-000000000003';

describe('routePayment: a payment credits the cards whose invoices it pays', () => {
  it.each([
    {
      name: "B's invoice paid in full: all to B",
      input: {
        amountKopecks: 60000,
        invoiceParts: [{ card: B, kopecks: 60000 }],
        companyCards: [A, B],
        chosen: undefined,
      },
      allocation: [[B, 60000]],
    },
    {
      name: 'A and B invoices paid by one payment: each its part',
      input: {
        amountKopecks: 100000,
        invoiceParts: [
          { card: A, kopecks: 40000 },
          { card: B, kopecks: 60000 },
        ],
        companyCards: [A, B],
        chosen: undefined,
      },
      allocation: [
        [A, 40000],
        [B, 60000],
      ],
    },
    {
      name: 'one-card company, advance: to its card (as before)',
      input: { amountKopecks: 123456, invoiceParts: [], companyCards: [A], chosen: undefined },
      allocation: [[A, 123456]],
    },
    {
      name: 'two-card company, advance, card chosen: to the chosen card',
      input: { amountKopecks: 123456, invoiceParts: [], companyCards: [A, B], chosen: B },
      allocation: [[B, 123456]],
    },
    {
      name: 'overpaid invoice of a one-card company: the rest to the card too',
      input: {
        amountKopecks: 70000,
        invoiceParts: [{ card: A, kopecks: 60000 }],
        companyCards: [A],
        chosen: undefined,
      },
      allocation: [[A, 70000]],
    },
  ])('$name', ({ input, allocation }) => {
    const route = routePayment(input);
    expect(route.ok).toBe(true);
    expect([...route.allocation.entries()]).toEqual(allocation);
  });

  it('two-card company, advance, no choice (or a card not of the company): waits, nothing allocated, the reason says to choose', () => {
    for (const chosen of [undefined, P]) {
      const route = routePayment({ amountKopecks: 123456, invoiceParts: [], companyCards: [A, B], chosen });
      expect(route.ok).toBe(false);
      expect(route.allocation.size).toBe(0);
      expect(route.ok ? '' : route.reason).toContain('2 RCP cards: choose the card to credit');
    }
  });

  it('never allocates more than the payment, whatever the reconciliations say', () => {
    const route = routePayment({
      amountKopecks: 50000,
      invoiceParts: [
        { card: A, kopecks: 40000 },
        { card: B, kopecks: 40000 },
      ],
      companyCards: [A, B],
      chosen: undefined,
    });
    expect([...route.allocation.entries()]).toEqual([
      [A, 40000],
      [B, 10000],
    ]);
  });
});

describe('planOf: what settles the difference between where the money should be and what RCP holds', () => {
  it.each([
    {
      name: 'raised by 100.00: send +100.00',
      desired: [[A, 3969900]],
      held: [[A, 3959900]],
      plan: [{ card: A, kopecks: 10000, how: 'send' }],
      kind: 'difference',
    },
    {
      name: 'client lowered: take back by hand',
      desired: [[A, 30000]],
      held: [[A, 50000]],
      plan: [{ card: A, kopecks: -20000, how: 'by_hand' }],
      kind: 'take_back',
    },
    {
      name: 'client cancelled: take it all back by hand',
      desired: [],
      held: [[A, 50000]],
      plan: [{ card: A, kopecks: -50000, how: 'by_hand' }],
      kind: 'take_back',
    },
    {
      name: 'partner lowered: a negative correction to send',
      desired: [[P, 60000]],
      held: [[P, 100000]],
      plan: [{ card: P, kopecks: -40000, how: 'send' }],
      kind: 'difference',
    },
    { name: 'equal: nothing', desired: [[A, 100]], held: [[A, 100]], plan: [], kind: undefined },
  ] as const)('$name', ({ desired, held, plan, kind }) => {
    const result = planOf(new Map(desired), new Map(held));
    expect(result).toEqual(plan);
    if (kind) expect(reviewKindOf(result)).toBe(kind);
  });

  it('RCP holds the sends whose answer is known, per card (an answer lost counts for nothing until settled)', () => {
    const held = receivedByCard([
      { card: A, kopecks: 3959900, state: 'pushed' },
      { card: A, kopecks: 10000, state: 'intent' },
      { card: B, kopecks: 50000, state: 'pushed' },
      { card: B, kopecks: -50000, state: 'by_hand' },
    ]);
    expect([...held.entries()]).toEqual([
      [A, 3959900],
      [B, 0],
    ]);
  });

  it('a review says what RCP holds, what the payment is now, and exactly what to do', () => {
    const text = describeDifference({
      held: new Map([[A, 3959900]]),
      amountKopecks: 3969900,
      paymentState: 'paid',
      plan: [{ card: A, kopecks: 10000, how: 'send' }],
      nameOf: () => 'client Alpha',
    });
    expect(text).toBe(
      'RCP is recorded to hold 39,599.00 for this payment (client Alpha 39,599.00); the payment is now 39,699.00 (paid); difference +100.00: +100.00 to send to client Alpha ("Send the difference")',
    );
  });
});
