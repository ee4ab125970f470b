import { describe, expect, it } from 'vitest';
import { failureRowOf } from '../../connector/workspace/runs.ts';
import { type InvoicedCounterparty, selectUnits } from '../../mappings/invoiced-counterparties.ts';

const A = 'aaaaaaaa-1111-4111-8111-111111111111';
const B = 'bbbbbbbb-2222-4222-8222-222222222222';
const C = 'cccccccc-3333-4333-8333-333333333333';

describe('a failed record as a line of RCP → Runs (failureRowOf)', () => {
  it.each([
    [
      { kind: 'invoice', record: `client ООО "Ромашка" (${A.toUpperCase()})`, error: 'usage not read' },
      { rcp_id: A, payment_id: false },
    ],
    [
      { kind: 'invoice', record: `partner Reseller (${B}), invoice INV/1`, error: 'x' },
      { rcp_id: B, payment_id: false },
    ],
    [
      { kind: 'payment', record: 'payment PBNK1/2024/00007 (42)', error: 'rejected' },
      { rcp_id: false, payment_id: 42 },
    ],
    // A client listed with id "42": no uuid to retry it by, and no Odoo payment either.
    [
      { kind: 'client', record: 'client 42', error: 'id: Invalid uuid' },
      { rcp_id: false, payment_id: false },
    ],
  ])('%o → its RCP id and Odoo payment', (failed, expected) => {
    expect(failureRowOf(failed)).toEqual({
      name: failed.record,
      kind: failed.kind,
      reason: failed.error,
      ...expected,
    });
  });
});

describe('a retry’s counterparties (selectUnits with only)', () => {
  const unit = (kind: 'client' | 'partner', uuid: string, clients: string[] = []): InvoicedCounterparty => ({
    kind,
    uuid,
    name: uuid.slice(0, 4),
    clients: clients.map((id) => ({ id, name: id.slice(0, 4) })),
    paymentModel: 'postpay',
  });
  const units = [
    unit('client', A, [A]),
    unit('partner', B, [C]),
    unit('client', 'dddddddd-4444-4444-8444-444444444444'),
  ];

  it('takes the named counterparties, and the reseller that invoices a named client; nothing else', () => {
    expect(selectUnits(units, { only: [A.toUpperCase()] })).toEqual({ units: [units[0]] });
    expect(selectUnits(units, { only: [C] })).toEqual({ units: [units[1]] });
    expect(selectUnits(units, { only: ['eeeeeeee-5555-4555-8555-555555555555'] })).toEqual({ units: [] });
    expect(selectUnits(units, {})).toEqual({ units });
  });
});
