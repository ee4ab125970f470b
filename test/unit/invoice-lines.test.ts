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
const ram = { id: 'kvm_ram', name: 'RAM (KVM)', measure: 'ГБ' };
const ip = { id: 'public_ip', name: 'IP (сеть)', measure: 'шт.' };
const client = { id: 'c-1', name: 'ООО "Ромашка"' };
const precision = { quantityDigits: 2, priceDigits: 2 };
const raised = { quantityDigits: 6, priceDigits: 6 };
type Precision = typeof precision;

const roundTo = (value: number | Decimal, digits: number) =>
  new Decimal(value).toDecimalPlaces(digits, Decimal.ROUND_HALF_UP);

/**
 * Odoo's two untaxed totals for the lines the connector sends (quantity and price rounded to their
 * precisions as Odoo stores them): `round_per_line` sums the rounded subtotals (17 and 18);
 * `round_globally` rounds the sum of unrounded quantity × price (19's default). Both are proven on
 * real servers in test/odoo-real/invoice-rounding.test.ts; this model only keeps the unit tests fast.
 */
function odooTotals(
  lines: ReadonlyArray<{ odooQuantity: number; odooPriceUnit: number }>,
  p: Precision,
): { perLine: number; globally: number } {
  const amounts = lines.map((l) =>
    roundTo(l.odooQuantity, p.quantityDigits).times(roundTo(l.odooPriceUnit, p.priceDigits)),
  );
  return {
    perLine: amounts.reduce((sum, a) => sum + roundHalfUpToKopecks(a), 0),
    globally: roundHalfUpToKopecks(amounts.reduce((sum, a) => sum.plus(a), new Decimal(0))),
  };
}

/** One usage row a day, at a unit price: RCP's cost is exactly quantity × price. */
const row = (billingClass: typeof ssd, quantity: string, price: string, date = '2024-02-01') => ({
  billing_class: billingClass,
  paid_seconds: 0,
  quantity: Number(quantity),
  cost: new Decimal(quantity).times(price).toNumber(),
  period: 'hour' as const,
  date,
});

const random = prng(42);
const manyRows = Array.from({ length: 300 }, (_, i) =>
  row(
    [ssd, cpu, ram, ip][i % 4] as typeof ssd,
    String(Math.round(random() * 1e6) / 1e4),
    ['0.0107', '0.85', '24', '0.0048'][i % 4] as string,
    `2024-02-${String(1 + (i % 28)).padStart(2, '0')}`,
  ),
);

describe('invoice lines of a direct client: Odoo’s totals equal RCP’s under both rounding methods', () => {
  // name, rows, precision, RCP's total in kopecks, how each line is sent (real, or why 1 × amount)
  const cases: Array<[string, ReturnType<typeof row>[], Precision, number, Array<string | undefined>]> = [
    [
      'NOTES.md’s 19 case: 26.9404 × 6.90 twice + 1880.4712 × 0.79, default precision',
      [row(ssd, '26.9404', '6.90'), row(cpu, '26.9404', '6.90'), row(ram, '1880.4712', '0.79')],
      precision,
      // 185.88876 × 2 + 1485.572248 = 1857.349768; Odoo keeps 26.94 and 1880.47
      185735,
      // the second 26.94 × 6.90 would leave 19 a kopeck short (185.886 × 2 = 371.772)
      [undefined, undefined, 'global rounding'],
    ],
    [
      'the same with the precisions raised: every line keeps its real quantity and price',
      [row(ssd, '26.9404', '6.90'), row(cpu, '26.9404', '6.90'), row(ram, '1880.4712', '0.79')],
      raised,
      185735,
      [undefined, undefined, undefined],
    ],
    [
      'a price below a kopeck (0.0107 per GB-hour) at default precision: 1 × amount, saying why',
      [row(ssd, '1234', '0.0107')],
      precision,
      1320,
      ['price precision'],
    ],
    [
      'a price below a kopeck with the precisions raised: real quantity and price',
      [row(ssd, '1234.5678', '0.0107')],
      raised,
      1321,
      [undefined],
    ],
    [
      'a quantity Odoo would round into another kopeck',
      [row(cpu, '10.125', '3')],
      precision,
      3038,
      ['quantity precision'],
    ],
    [
      'a quantity and price Odoo keeps exactly are sent as they are',
      [row(cpu, '54', '0.85')],
      precision,
      4590,
      [undefined],
    ],
    ['300 random rows at default precision', manyRows, precision, -1, []],
    ['300 random rows with the precisions raised', manyRows, raised, -1, []],
  ];

  it.each(cases)('%s', (_name, rows, p, expectedKopecks, sentAs) => {
    const plan = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', p);
    const exact = rows.reduce((sum, r) => sum.plus(String(r.cost)), new Decimal(0));
    expect(plan.totalKopecks).toBe(roundHalfUpToKopecks(exact));
    if (expectedKopecks >= 0) expect(plan.totalKopecks).toBe(expectedKopecks);
    expect(plan.lines.reduce((sum, l) => sum + l.amountKopecks, 0)).toBe(plan.totalKopecks);
    expect(odooTotals(plan.lines, p)).toEqual({ perLine: plan.totalKopecks, globally: plan.totalKopecks });
    if (sentAs.length > 0) expect(plan.lines.map((l) => l.asAmount)).toEqual(sentAs);
    for (const line of plan.lines) {
      if (line.asAmount) {
        expect([line.odooQuantity, line.odooPriceUnit]).toEqual([1, line.amountKopecks / 100]);
        expect(line.label).toContain('(1 × сумма: ');
      } else {
        expect(line.odooQuantity).toBe(roundTo(line.quantity, p.quantityDigits).toNumber());
        expect(line.label).not.toContain('1 × сумма');
      }
    }
  });

  it('with the precisions raised, nearly every line of real usage carries its real quantity and price', () => {
    const plan = planInvoiceLines(priceAsCharged([{ client, rows: manyRows }]), '2024-02', raised);
    const real = plan.lines.filter((l) => !l.asAmount).length;
    expect(real).toBeGreaterThanOrEqual(plan.lines.length - 1);
  });

  it.each([
    ['a quantity', row(cpu, '10.125', '3'), 'количество в Odoo хранится с 2 знаками'],
    ['a price', row(ssd, '1234', '0.0107'), 'цена в Odoo хранится с 2 знаками'],
  ])('the label of a line sent as 1 × amount keeps %s and says why', (_what, usage, why) => {
    const [line] = planInvoiceLines(priceAsCharged([{ client, rows: [usage] }]), '2024-02', precision).lines;
    expect(line?.label).toBe(
      `${usage.billing_class.name}: ${String(usage.quantity).replace('.', ',')} ${usage.billing_class.measure}×час × ${String(new Decimal(usage.cost).div(usage.quantity)).replace('.', ',')} ₽ за февраль 2024 (1 × сумма: ${why})`,
    );
  });

  it('one line per billing class and price; a price change within the month makes a second line', () => {
    const rows = [
      row(ssd, '2400', '0.0107', '2024-02-01'),
      row(ssd, '2400', '0.0107', '2024-02-02'),
      row(ssd, '2400', '0.012', '2024-02-03'),
    ];
    const plan = planInvoiceLines(priceAsCharged([{ client, rows }]), '2024-02', precision);
    expect(plan.lines.map((l) => [l.unitPrice.toString(), l.quantity.toString(), l.amountKopecks])).toEqual([
      ['0.0107', '4800', 5136],
      ['0.012', '2400', 2880],
    ]);
    expect(plan.lines[0]?.label).toBe(
      'SSD (KVM): 4800 ГБ×час × 0,0107 ₽ за февраль 2024 (1 × сумма: цена в Odoo хранится с 2 знаками)',
    );
  });

  it('no usage, no lines', () => {
    expect(planInvoiceLines([], '2024-02', precision)).toMatchObject({ lines: [], totalKopecks: 0 });
  });
});

describe('re-pricing a reseller’s usage at its own plan', () => {
  // name, row (class, paid seconds, quantity, date), partner price, re-priced quantity and amount
  const cases: Array<
    [
      string,
      typeof cpu,
      number,
      number,
      string,
      { cost: number; period: 'hour' | 'day' | 'month' },
      string,
      string,
    ]
  > = [
    [
      'the spec’s example row (194400 s billed per hour) at a per-day partner price',
      cpu,
      194400,
      54,
      '2023-06-05',
      { cost: 20, period: 'day' },
      '2.25',
      '45',
    ],
    [
      'same period: quantity × partner price',
      ssd,
      50 * 12 * 3600,
      600,
      '2024-02-01',
      { cost: 0.5, period: 'hour' },
      '600',
      '300',
    ],
    [
      'a month is its calendar length: February 2024 has 29 days',
      ssd,
      10 * 29 * 86400,
      6960,
      '2024-02-01',
      { cost: 3, period: 'month' },
      '10',
      '30',
    ],
  ];
  it.each(cases)(
    '%s',
    (_name, billingClass, paidSeconds, quantity, date, price, wantQuantity, wantAmount) => {
      const rows = [
        {
          billing_class: billingClass,
          paid_seconds: paidSeconds,
          quantity,
          cost: 0,
          period: 'hour' as const,
          date,
        },
      ];
      const { rows: priced, problems } = repriceForPartner(
        [{ client, rows }],
        new Map([[billingClass.id, price]]),
      );
      expect(problems).toEqual([]);
      expect([priced[0]?.quantity.toString(), priced[0]?.amount.toString()]).toEqual([
        wantQuantity,
        wantAmount,
      ]);
    },
  );

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
