import { describe, expect, it } from 'vitest';
import { type UsageAmount, correctionCsv, correctionOf } from '../../mappings/invoice-corrections.ts';
import { Decimal } from '../../mappings/money.ts';

const u = (client: string, productId: number, quantity: string, amountKopecks: number): UsageAmount => ({
  client,
  clientName: `Client ${client}`,
  productId,
  name: `class ${productId}`,
  quantity: new Decimal(quantity),
  amountKopecks,
});

describe('the correction of a posted invoice', () => {
  it('nothing when RCP now is what was invoiced, per client and class', () => {
    const invoiced = [u('a', 1, '10', 1000), u('a', 2, '1.5', 333), u('b', 1, '2', 200)];
    expect(correctionOf([...invoiced].reverse(), invoiced, '2024-05')).toBeUndefined();
  });

  it('more usage: an additional invoice for exactly the difference, one line per class', () => {
    const plan = correctionOf(
      [u('a', 1, '15', 1500), u('a', 2, '1.5', 333)],
      [u('a', 1, '10', 1000), u('a', 2, '1.5', 333)],
      '2024-05',
    );
    expect(plan?.moveType).toBe('out_invoice');
    expect(plan?.differenceKopecks).toBe(500);
    expect(plan?.invoicedKopecks).toBe(1333);
    expect(plan?.nowKopecks).toBe(1833);
    expect(plan?.lines.map((l) => [l.productId, l.amountKopecks])).toEqual([[1, 500]]);
    expect(plan?.records.map((r) => [r.client, r.productId, r.quantity.toString(), r.amountKopecks])).toEqual(
      [['a', 1, '5', 500]],
    );
    expect(plan?.lines[0]?.label).toContain('было 10,00 ₽, стало 15,00 ₽');
  });

  it('less usage: a credit note, its lines positive, its records negative; a client gone counts too', () => {
    const plan = correctionOf(
      [u('a', 1, '4', 401)],
      [u('a', 1, '10', 1000), u('b', 1, '1', 99), u('b', 2, '1', 1)],
      '2024-05',
    );
    expect(plan?.moveType).toBe('out_refund');
    expect(plan?.differenceKopecks).toBe(401 - 1100);
    expect(plan?.lines.map((l) => [l.productId, l.amountKopecks])).toEqual([
      [1, 698],
      [2, 1],
    ]);
    expect(plan?.records.reduce((s, r) => s + r.amountKopecks, 0)).toBe(-699);
  });

  it('earlier corrections are part of what was invoiced: only the new difference', () => {
    const original = [u('a', 1, '10', 1000)];
    const firstCorrection = [u('a', 1, '5', 500)];
    expect(
      correctionOf([u('a', 1, '15', 1500)], [...original, ...firstCorrection], '2024-05'),
    ).toBeUndefined();
    const plan = correctionOf([u('a', 1, '12', 1200)], [...original, ...firstCorrection], '2024-05');
    expect(plan?.moveType).toBe('out_refund');
    expect(plan?.differenceKopecks).toBe(-300);
    expect(plan?.lines[0]?.amountKopecks).toBe(300);
  });

  it('one class up and another down in one invoice: one document, the opposite line negative', () => {
    const plan = correctionOf(
      [u('a', 1, '12', 1200), u('a', 2, '1', 50)],
      [u('a', 1, '10', 1000), u('a', 2, '2', 100)],
      '2024-05',
    );
    expect(plan?.moveType).toBe('out_invoice');
    expect(plan?.differenceKopecks).toBe(150);
    expect(plan?.lines.map((l) => l.amountKopecks)).toEqual([200, -50]);
  });

  it('the CSV gives the signed differences, spreadsheet-safe', () => {
    const csv = correctionCsv([u('a', 1, '-1.25', -125)]);
    expect(csv.split('\n')[1]).toBe("Client a,a,class 1,'-1.25,'-1.25");
  });
});
