import { describe, expect, it } from 'vitest';
import { mergeFailures } from '../../connector/processes/failures.ts';
import { invoicedCounterparties } from '../../mappings/invoiced-counterparties.ts';

const P = '3f6c1a2b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

describe('the failure summary names each counterparty once, with every reason', () => {
  it('a broken partner record and its held invoice are one entry under the fuller name', () => {
    expect(
      mergeFailures([
        { kind: 'partner', record: `partner ${P}`, error: 'contract.balance: Expected number' },
        { kind: 'invoice', record: `partner Ромашка (${P})`, error: 'not invoiced: …' },
        { kind: 'invoice', record: `partner Ромашка (${P.toUpperCase()})`, error: 'not invoiced: …' },
        { kind: 'client', record: 'client (no id)', error: 'id: Required' },
      ]),
    ).toEqual([
      {
        kind: 'partner',
        record: `partner Ромашка (${P})`,
        error: 'contract.balance: Expected number; not invoiced: …',
      },
      { kind: 'client', record: 'client (no id)', error: 'id: Required' },
    ]);
  });

  it('the clients of a partner RCP does not list make one counterparty, not one per client', () => {
    const clients = ['a', 'b', 'c'].map((id) => ({
      id,
      name: id,
      payment_model: 'postpay' as const,
      partner: { id: P },
    }));
    const units = invoicedCounterparties([], clients, []);
    expect(units).toHaveLength(1);
    expect(units[0]?.clients.map((c) => c.id)).toEqual(['a', 'b', 'c']);
  });
});
