/**
 * A sum in Russian words, roubles and kopecks, as primary documents print it:
 * 123.45 → "Сто двадцать три рубля 45 копеек". Pure, on whole kopecks (no float arithmetic).
 *
 * The same tables drive the Python that Odoo runs for the printed documents (a computed field on
 * the invoice, see connector/workspace/documents.ts), so the TypeScript and the Odoo side cannot
 * disagree on a word; the real-Odoo test compares both on every invoice it prints.
 */

export const WORDS = {
  onesMasculine: ['', 'один', 'два', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'],
  onesFeminine: ['', 'одна', 'две', 'три', 'четыре', 'пять', 'шесть', 'семь', 'восемь', 'девять'],
  teens: [
    'десять',
    'одиннадцать',
    'двенадцать',
    'тринадцать',
    'четырнадцать',
    'пятнадцать',
    'шестнадцать',
    'семнадцать',
    'восемнадцать',
    'девятнадцать',
  ],
  tens: [
    '',
    '',
    'двадцать',
    'тридцать',
    'сорок',
    'пятьдесят',
    'шестьдесят',
    'семьдесят',
    'восемьдесят',
    'девяносто',
  ],
  hundreds: [
    '',
    'сто',
    'двести',
    'триста',
    'четыреста',
    'пятьсот',
    'шестьсот',
    'семьсот',
    'восемьсот',
    'девятьсот',
  ],
  /**
   * Groups of three digits from the lowest: [forms for 1, 2–4, 5–20, feminine?]. The lowest group
   * is the roubles themselves (masculine).
   */
  scales: [
    ['рубль', 'рубля', 'рублей', false],
    ['тысяча', 'тысячи', 'тысяч', true],
    ['миллион', 'миллиона', 'миллионов', false],
    ['миллиард', 'миллиарда', 'миллиардов', false],
    ['триллион', 'триллиона', 'триллионов', false],
  ] as ReadonlyArray<readonly [string, string, string, boolean]>,
  kopecks: ['копейка', 'копейки', 'копеек'],
  zero: 'ноль',
  minus: 'минус',
} as const;

/** Which of the three forms a count takes: 1 рубль, 2 рубля, 5 рублей, 11 рублей, 21 рубль. */
export function pluralForm(n: number): 0 | 1 | 2 {
  const lastTwo = n % 100;
  if (lastTwo >= 11 && lastTwo <= 14) return 2;
  const last = n % 10;
  if (last === 1) return 0;
  if (last >= 2 && last <= 4) return 1;
  return 2;
}

/** Words of 1..999 in the given gender (no trailing unit). */
function tripletWords(n: number, feminine: boolean): string[] {
  const out: string[] = [];
  const h = Math.floor(n / 100);
  const rest = n % 100;
  if (h > 0) out.push(WORDS.hundreds[h] as string);
  if (rest >= 10 && rest <= 19) {
    out.push(WORDS.teens[rest - 10] as string);
  } else {
    const t = Math.floor(rest / 10);
    const o = rest % 10;
    if (t >= 2) out.push(WORDS.tens[t] as string);
    if (o > 0) out.push((feminine ? WORDS.onesFeminine : WORDS.onesMasculine)[o] as string);
  }
  return out;
}

const MAX_KOPECKS = 10n ** 17n; // below a quadrillion roubles: the scales above cover it

/**
 * "Сто двадцать три рубля 45 копеек" for 12345 kopecks. Takes kopecks as an integer (or bigint)
 * so that no float ever reaches it; money elsewhere is already in kopecks.
 */
export function amountInWords(kopecks: number | bigint): string {
  const total = BigInt(kopecks);
  if (typeof kopecks === 'number' && !Number.isSafeInteger(kopecks)) {
    throw new RangeError(`amountInWords takes whole kopecks, got ${kopecks}`);
  }
  const negative = total < 0n;
  const abs = negative ? -total : total;
  if (abs >= MAX_KOPECKS) throw new RangeError(`amount too large for words: ${kopecks} kopecks`);
  const roubles = abs / 100n;
  const kop = Number(abs % 100n);

  const words: string[] = [];
  if (roubles === 0n) {
    words.push(WORDS.zero, WORDS.scales[0]?.[2] as string);
  } else {
    const groups: number[] = [];
    for (let n = roubles; n > 0n; n /= 1000n) groups.push(Number(n % 1000n));
    for (let i = groups.length - 1; i >= 0; i--) {
      const group = groups[i] as number;
      const [one, few, many, feminine] = WORDS.scales[i] as readonly [string, string, string, boolean];
      if (group === 0 && i > 0) continue;
      words.push(...tripletWords(group, feminine));
      words.push([one, few, many][pluralForm(group)] as string);
    }
  }
  const text = `${negative ? `${WORDS.minus} ` : ''}${words.join(' ')} ${String(kop).padStart(2, '0')} ${
    WORDS.kopecks[pluralForm(kop)]
  }`;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The same algorithm in the Python subset Odoo's safe_eval runs (no imports, no nested
 * functions), as the body of a computed field on `account.move`: `self` is the invoices. Reads the
 * invoice's own total, so the words follow every edit an accountant makes to a draft.
 */
export function amountInWordsPython(target: string, amountField: string): string {
  const t = JSON.stringify;
  return [
    '# Installed by rcp-odoo setup: the invoice total in Russian words (mappings/amount-in-words.ts).',
    `ONES_M = ${t(WORDS.onesMasculine)}`,
    `ONES_F = ${t(WORDS.onesFeminine)}`,
    `TEENS = ${t(WORDS.teens)}`,
    `TENS = ${t(WORDS.tens)}`,
    `HUNDREDS = ${t(WORDS.hundreds)}`,
    `SCALES = ${t(WORDS.scales.map(([a, b, c, f]) => [a, b, c, f ? 1 : 0]))}`,
    `KOPECKS = ${t(WORDS.kopecks)}`,
    'for rec in self:',
    `    cents = int(round(rec.${amountField} * 100))`,
    '    negative = cents < 0',
    '    cents = abs(cents)',
    '    roubles = cents // 100',
    '    kop = cents % 100',
    '    words = []',
    '    if roubles == 0:',
    `        words = [${t(WORDS.zero)}, SCALES[0][2]]`,
    '    groups = []',
    '    n = roubles',
    '    for i in range(len(SCALES)):',
    '        groups.append(n % 1000)',
    '        n = n // 1000',
    '    for i in range(len(SCALES) - 1, -1, -1):',
    '        g = groups[i]',
    '        if g == 0 and (i > 0 or roubles == 0):',
    '            continue',
    '        h = g // 100',
    '        rest = g % 100',
    '        if h:',
    '            words.append(HUNDREDS[h])',
    '        if 10 <= rest <= 19:',
    '            words.append(TEENS[rest - 10])',
    '        else:',
    '            if rest // 10 >= 2:',
    '                words.append(TENS[rest // 10])',
    '            if rest % 10:',
    '                words.append((ONES_F if SCALES[i][3] else ONES_M)[rest % 10])',
    '        form = 2 if 11 <= g % 100 <= 14 else (0 if g % 10 == 1 else (1 if 2 <= g % 10 <= 4 else 2))',
    '        words.append(SCALES[i][form])',
    '    kform = 2 if 11 <= kop <= 14 else (0 if kop % 10 == 1 else (1 if 2 <= kop % 10 <= 4 else 2))',
    `    text = (${t(`${WORDS.minus} `)} if negative else '') + ' '.join(words) + ' ' + ('%02d' % kop) + ' ' + KOPECKS[kform]`,
    `    rec['${target}'] = text[:1].upper() + text[1:]`,
  ].join('\n');
}
