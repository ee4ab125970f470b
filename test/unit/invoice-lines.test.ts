import { describe, expect, it } from 'vitest';
import { prng } from '../../connector/simulator/data.ts';
import {
  planInvoiceLines,
  priceAsCharged,
  repriceForPartner,
  usageDetailCsv,
} from '../../mappings/invoice-lines.ts';
import { Decimal, allocateKopecks, formatRubles, roundHalfUpToKopecks } from '../../mappings/money.ts';

const ssd = { id: 'kvm_hdd_ultrafast', name: 'SSD (KVM)', measure: 'ГБ' };
const cpu = { id: 'kvm_cpu', name: 'vCPU (KVM)', measure: 'шт.' };
const client = { id: 'c-1', name: 'ООО "Ромашка"' };
const precision = { quantityDigits: 2, priceDigits: 2 };

/** What Odoo stores and computes for a line: rounded quantity × rounded price, rounded half-up. */
const odooSubtotal = (line: { odooQuantity: number; odooPriceUnit: number }) =>
  roundHalfUpToKopecks(
    new Decimal(line.odooQuantity)
      .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
      .times(new Decimal(line.odooPriceUnit).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)),
  );

describe('invoice lines of a direct client', () => {
  it('the total is RCP’s cost summed exactly and rounded once, and Odoo’s own arithmetic lands on it', () => {
    const random = prng(42);
    const rows = Array.from({ length: 300 }, (_, i) => {
      const quantity = Math.round(random() * 1e6) / 1e4;
      const price = [0.0107, 0.85, 24, 0.0048][i % 4] as number;
      return {
        billing_class: i % 2 ? ssd : cpu,
        paid_seconds: quantity * 3600,
        quantity,
        cost: Number(new Decimal(quantity).times(price)),
        period: 'hour' as const,
        date: '2024-02-10',
      };
    });
    const plan = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', precision);
    const exact = rows.reduce((sum, r) => sum.plus(String(r.cost)), new Decimal(0));
    expect(plan.totalKopecks).toBe(roundHalfUpToKopecks(exact));
    expect(plan.lines.reduce((sum, l) => sum + l.amountKopecks, 0)).toBe(plan.totalKopecks);
    expect(plan.lines.reduce((sum, l) => sum + odooSubtotal(l), 0)).toBe(plan.totalKopecks);
  });

  it('one line per billing class and price; a price change within the month makes a second line', () => {
    const rows = [
      {
        billing_class: ssd,
        paid_seconds: 100 * 86400,
        quantity: 2400,
        cost: 25.68,
        period: 'hour' as const,
        date: '2024-02-01',
      },
      {
        billing_class: ssd,
        paid_seconds: 100 * 86400,
        quantity: 2400,
        cost: 25.68,
        period: 'hour' as const,
        date: '2024-02-02',
      },
      {
        billing_class: ssd,
        paid_seconds: 100 * 86400,
        quantity: 2400,
        cost: 28.8,
        period: 'hour' as const,
        date: '2024-02-03',
      },
    ];
    const plan = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', precision);
    expect(plan.lines.map((l) => [l.unitPrice.toString(), l.quantity.toString(), l.amountKopecks])).toEqual([
      ['0.0107', '4800', 5136],
      ['0.012', '2400', 2880],
    ]);
    expect(plan.lines[0]?.label).toBe('SSD (KVM): 4800 ГБ×час × 0,0107 ₽ за февраль 2024');
  });

  it('a quantity or price Odoo would round is sent as one unit at the exact line amount', () => {
    const rows = [
      {
        billing_class: ssd,
        paid_seconds: 0,
        quantity: 1234.5678,
        cost: 13.20957546,
        period: 'hour' as const,
        date: '2024-02-01',
      },
    ];
    const [line] = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', precision).lines;
    expect(line?.amountKopecks).toBe(1321);
    expect([line?.odooQuantity, line?.odooPriceUnit]).toEqual([1, 13.21]);
    expect(line?.label).toContain('1234,5678 ГБ×час');
  });

  it('a quantity and price Odoo keeps exactly are sent as they are', () => {
    const rows = [
      {
        billing_class: cpu,
        paid_seconds: 54 * 3600,
        quantity: 54,
        cost: 45.9,
        period: 'hour' as const,
        date: '2024-02-01',
      },
    ];
    const [line] = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', precision).lines;
    expect([line?.odooQuantity, line?.odooPriceUnit, line?.amountKopecks]).toEqual([54, 0.85, 4590]);
  });

  it('no usage, no lines', () => {
    expect(planInvoiceLines([], '2024-02', precision)).toMatchObject({ lines: [], totalKopecks: 0 });
  });
});

describe('re-pricing a reseller’s usage at its own plan', () => {
  it('the spec’s example row (194400 s billed per hour) at a per-day partner price', () => {
    const rows = [
      {
        billing_class: cpu,
        paid_seconds: 194400,
        quantity: 54,
        cost: 54,
        period: 'hour' as const,
        date: '2023-06-05',
      },
    ];
    const { rows: priced, problems } = repriceForPartner(
      [{ client, rows }],
      new Map([[cpu.id, { cost: 20, period: 'day' }]]),
    );
    expect(problems).toEqual([]);
    expect(priced[0]?.quantity.toString()).toBe('2.25');
    expect(priced[0]?.amount.toString()).toBe('45');
  });

  it('same period: quantity × partner price', () => {
    const rows = [
      {
        billing_class: ssd,
        paid_seconds: 50 * 12 * 3600,
        quantity: 600,
        cost: 480,
        period: 'hour' as const,
        date: '2024-02-01',
      },
    ];
    const { rows: priced } = repriceForPartner(
      [{ client, rows }],
      new Map([[ssd.id, { cost: 0.5, period: 'hour' }]]),
    );
    expect(priced[0]?.amount.toString()).toBe('300');
  });

  it('a month is its calendar length: February 2024 has 29 days', () => {
    const rows = [
      {
        billing_class: ssd,
        paid_seconds: 10 * 29 * 86400,
        quantity: 6960,
        cost: 74.472,
        period: 'hour' as const,
        date: '2024-02-01',
      },
    ];
    const { rows: priced } = repriceForPartner(
      [{ client, rows }],
      new Map([[ssd.id, { cost: 3, period: 'month' }]]),
    );
    expect(priced[0]?.quantity.toString()).toBe('10');
    expect(priced[0]?.amount.toString()).toBe('30');
  });

  it('a class without a partner price is named with its client, never priced', () => {
    const rows = [
      {
        billing_class: cpu,
        paid_seconds: 3600,
        quantity: 1,
        cost: 1,
        period: 'hour' as const,
        date: '2024-02-01',
      },
      {
        billing_class: cpu,
        paid_seconds: 3600,
        quantity: 1,
        cost: 1,
        period: 'hour' as const,
        date: '2024-02-02',
      },
    ];
    const { rows: priced, problems } = repriceForPartner([{ client, rows }], new Map());
    expect(priced).toEqual([]);
    expect(problems).toEqual([{ clientId: 'c-1', clientName: 'ООО "Ромашка"', billingClassId: 'kvm_cpu' }]);
  });
});

describe('money', () => {
  it.each([
    [['0.333', '0.333', '0.334'], 100, [33, 33, 34]],
    [['1.005', '2.005'], 301, [101, 200]],
    [['-0.5', '1.5'], 100, [-50, 150]],
  ])('allocates kopecks of %j to total %i as %j', (exact, total, expected) => {
    const result = allocateKopecks(
      exact.map((e) => new Decimal(e)),
      total,
    );
    expect(result.reduce((a, b) => a + b, 0)).toBe(total);
    expect(result).toEqual(expected);
  });

  it('formats rubles for Russian documents', () => {
    expect(formatRubles(123456789)).toBe('1\u00a0234\u00a0567,89');
    expect(formatRubles(-5)).toBe('-0,05');
  });

  it('the usage detail CSV quotes names with quotes and commas', () => {
    const rows = priceAsCharged([
      {
        client,
        rows: [
          {
            billing_class: cpu,
            paid_seconds: 3600,
            quantity: 1,
            cost: 0.85,
            period: 'hour',
            date: '2024-02-01',
            target: { id: 't', type: 'vm', name: 'web, 1' },
          },
        ],
      },
    ]);
    expect(usageDetailCsv(rows).split('\n')[1]).toBe(
      '"ООО ""Ромашка""",c-1,"web, 1 (vm t)",kvm_cpu,шт.,hour,1,0.85,0.85',
    );
  });
});
