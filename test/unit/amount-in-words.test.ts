import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { amountInWords, amountInWordsPython, pluralForm } from '../../mappings/amount-in-words.ts';
import { hasPython3 } from '../support/python.ts';

const CASES: ReadonlyArray<readonly [number, string]> = [
  [12345, 'Сто двадцать три рубля 45 копеек'],
  [0, 'Ноль рублей 00 копеек'],
  [1, 'Ноль рублей 01 копейка'],
  [100, 'Один рубль 00 копеек'],
  [202, 'Два рубля 02 копейки'],
  [511, 'Пять рублей 11 копеек'],
  [1112, 'Одиннадцать рублей 12 копеек'],
  [1421, 'Четырнадцать рублей 21 копейка'],
  [1900, 'Девятнадцать рублей 00 копеек'],
  [2100, 'Двадцать один рубль 00 копеек'],
  [2200, 'Двадцать два рубля 00 копеек'],
  [11100, 'Сто одиннадцать рублей 00 копеек'],
  // thousands are feminine: одна тысяча, две тысячи, пять тысяч, одиннадцать тысяч
  [100000, 'Одна тысяча рублей 00 копеек'],
  [200000, 'Две тысячи рублей 00 копеек'],
  [500000, 'Пять тысяч рублей 00 копеек'],
  [1100000, 'Одиннадцать тысяч рублей 00 копеек'],
  [2100100, 'Двадцать одна тысяча один рубль 00 копеек'],
  [2200200, 'Двадцать две тысячи два рубля 00 копеек'],
  [99999999, 'Девятьсот девяносто девять тысяч девятьсот девяносто девять рублей 99 копеек'],
  // millions are masculine: один миллион, два миллиона, пять миллионов
  [100000000, 'Один миллион рублей 00 копеек'],
  [200000000, 'Два миллиона рублей 00 копеек'],
  [500000000, 'Пять миллионов рублей 00 копеек'],
  [1200000000, 'Двенадцать миллионов рублей 00 копеек'],
  [100100000, 'Один миллион одна тысяча рублей 00 копеек'],
  [
    123456789012,
    'Один миллиард двести тридцать четыре миллиона пятьсот шестьдесят семь тысяч восемьсот девяносто рублей 12 копеек',
  ],
  [300000000000, 'Три миллиарда рублей 00 копеек'],
  [-12345, 'Минус сто двадцать три рубля 45 копеек'],
];

describe('amount in Russian words', () => {
  it.each(CASES)('%i kopecks → %s', (kopecks, words) => {
    expect(amountInWords(kopecks)).toBe(words);
  });

  it.each([
    [1, 0],
    [2, 1],
    [4, 1],
    [5, 2],
    [11, 2],
    [12, 2],
    [14, 2],
    [21, 0],
    [22, 1],
    [111, 2],
    [101, 0],
  ] as const)('%i takes form %i', (n, form) => {
    expect(pluralForm(n)).toBe(form);
  });

  it('refuses a fractional kopeck (a float that slipped through)', () => {
    expect(() => amountInWords(12.5)).toThrow(RangeError);
  });

  // The Python Odoo runs for the printed documents says the same words (when a python3 is here).
  it.runIf(hasPython3)('the Python in Odoo gives the same words for every case', () => {
    const code = amountInWordsPython('words', 'amount');
    const script = [
      'import json, sys',
      'class Rec(dict):',
      '    pass',
      'out = []',
      'for cents in json.loads(sys.argv[1]):',
      '    r = Rec()',
      '    r.amount = cents / 100',
      '    self = [r]',
      ...code.split('\n'),
      "    out.append(r['words'])",
      'print(json.dumps(out, ensure_ascii=False))',
    ]
      // the compute body runs inside the cases loop
      .map((line, i) => (i >= 8 && i < 8 + code.split('\n').length ? `    ${line}` : line))
      .join('\n');
    const answer = execFileSync('python3', ['-c', script, JSON.stringify(CASES.map(([k]) => k))], {
      encoding: 'utf8',
    });
    expect(JSON.parse(answer)).toEqual(CASES.map(([, words]) => words));
  });
});
