import { describe, expect, it } from 'vitest';
import { noInputProblems, problemsOfUnit } from '../../mappings/invoice-inputs.ts';
import { usageDetailCsv } from '../../mappings/invoice-lines.ts';
import { invoiceTotalField, invoiceTotalKopecks } from '../../mappings/invoice-total.ts';
import {
  type InvoicedCounterparty,
  invoicedCounterparties,
  selectUnits,
} from '../../mappings/invoiced-counterparties.ts';
import { Decimal } from '../../mappings/money.ts';
import { periodState } from '../../mappings/period.ts';
import { csvCell } from '../../mappings/usage-csv.ts';

describe('the usage CSV opens in a spreadsheet as text, never as a formula', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+7 495 000', "'+7 495 000"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tTAB', "'\tTAB"],
    ['\rCR', `"'\rCR"`],
    ['ООО "Ромашка"', '"ООО ""Ромашка"""'],
    ['a;b', '"a;b"'],
    ['0.0107', '0.0107'],
    ['Сервер «Вектор» 1', 'Сервер «Вектор» 1'],
  ])('%j → %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it('a client named like a formula is written as text in the attachment', () => {
    const csv = usageDetailCsv([
      {
        clientId: 'c1',
        clientName: '=cmd|"/c calc"!A1',
        target: '@vm',
        billingClass: { id: 'kvm_cpu', name: 'CPU', measure: 'шт.' },
        period: 'hour',
        quantity: new Decimal(2),
        unitPrice: new Decimal('0.85'),
        amount: new Decimal('1.7'),
      },
    ]);
    const [, row] = csv.split('\n');
    expect(row).toBe(`"'=cmd|""/c calc""!A1",c1,'@vm,kvm_cpu,шт.,hour,2,0.85,1.7`);
  });
});

describe('one total for the writer and reconcile', () => {
  const move = { amount_untaxed: 100, amount_total: 120 };
  it.each([
    [[], 'amount_untaxed', 10_000],
    [[{ price_include: true }], 'amount_total', 12_000],
    [[{ price_include: true }, { price_include: false }], 'amount_untaxed', 10_000],
    [[{ price_include: false }], 'amount_untaxed', 10_000],
  ])('taxes %j → %s', (taxes, field, kopecks) => {
    expect(invoiceTotalField(taxes)).toBe(field);
    expect(invoiceTotalKopecks(move, invoiceTotalField(taxes))).toBe(kopecks);
  });
});

describe('which months can be invoiced', () => {
  it.each([
    ['2026-10', '2026-11-01', 'closed'],
    ['2026-10', '2026-10-31', 'open'],
    ['2026-11', '2026-11-25', 'open'],
    ['2026-12', '2026-11-25', 'future'],
    ['2024-02', '2024-02-29', 'open'],
    ['2024-02', '2024-03-01', 'closed'],
  ])('%s on %s is %s', (period, today, state) => {
    expect(periodState(period, today)).toBe(state);
  });
});

const OWN = 'aaaaaaaa-0000-4000-8000-000000000000';
const RESELLER = 'bbbbbbbb-0000-4000-8000-000000000000';
const units = invoicedCounterparties(
  [
    { id: OWN, name: 'Own', contract: { billing_plan: { id: 'p-own' } } },
    { id: RESELLER, name: 'Reseller', contract: { billing_plan: { id: 'p-res' } } },
  ],
  [
    { id: 'c-own', name: 'Direct', payment_model: 'prepay', partner: { id: OWN } },
    { id: 'c-none', name: 'Alone', payment_model: 'postpay', partner: null },
    { id: 'c-res', name: 'Resold', payment_model: 'prepay', partner: { id: RESELLER } },
  ],
  [OWN],
);
const uuids = (r: ReturnType<typeof selectUnits>) => ('units' in r ? r.units.map((u) => u.uuid) : r.problem);

describe('the counterparties chosen by --partner and --client (CLI and worker alike)', () => {
  it.each([
    [{}, ['c-own', 'c-none', RESELLER]],
    [{ partner: OWN }, ['c-own']],
    [{ partner: OWN.toUpperCase() }, ['c-own']],
    [{ partner: RESELLER }, [RESELLER]],
    [{ client: 'c-none' }, ['c-none']],
    [{ client: 'C-OWN' }, ['c-own']],
    [{ partner: OWN, client: 'c-none' }, `client c-none is not a direct client of partner ${OWN} in RCP`],
    [{ client: 'c-res' }, `client c-res is invoiced through its partner Reseller: use --partner ${RESELLER}`],
    [{ client: 'c-gone' }, "client c-gone is not in RCP's client list"],
  ])('%j → %j', (filter, chosen) => {
    expect(uuids(selectUnits(units, filter))).toEqual(chosen);
  });
});

describe('what holds a counterparty’s invoice back', () => {
  const reseller = units.find((u) => u.uuid === RESELLER) as InvoicedCounterparty;
  const direct = units.find((u) => u.uuid === 'c-own') as InvoicedCounterparty;

  it('nothing when nothing failed', () => {
    expect(problemsOfUnit(reseller, noInputProblems())).toEqual([]);
  });

  it('a reseller: its clients’ usage, its broken clients, clients of unknown partner, its prices', () => {
    const problems = noInputProblems();
    problems.byClient.set('c-res', ['usage not read: HTTP 503']);
    problems.brokenClients.push(
      { id: 'c-x', partner: RESELLER, reason: 'contract.billing_plan: Expected object, received null' },
      { id: 'c-y', partner: null, reason: 'partner: Expected object' },
      { id: 'c-z', partner: OWN, reason: 'name: Required' },
    );
    problems.byPlan.set('p-res', ['not read: HTTP 429']);
    problems.byPartner.set(RESELLER, ['contract.balance: Expected number']);
    expect(problemsOfUnit(reseller, problems)).toEqual([
      'partner record: contract.balance: Expected number',
      'client c-x: contract.billing_plan: Expected object, received null',
      'client c-y, whose partner cannot be read: partner: Expected object',
      'prices of the partner’s plan p-res: not read: HTTP 429'.replace('’', "'"),
      'client Resold (c-res): usage not read: HTTP 503',
    ]);
    // A direct client is held back by its own inputs only.
    expect(problemsOfUnit(direct, problems)).toEqual([]);
    problems.byClient.set('c-own', ['usage row #0: cost: negative']);
    expect(problemsOfUnit(direct, problems)).toEqual(['client Direct (c-own): usage row #0: cost: negative']);
  });
});
