import { Decimal } from 'decimal.js';

/**
 * Money, exactly: RCP's floats become decimals at once (through their shortest printed form, which
 * is what RCP wrote), sums are exact, and rounding to kopecks happens once, where a rule says so.
 */
export { Decimal };

/** A float from RCP's JSON as the decimal RCP wrote. */
export function decimalOf(value: number | string): Decimal {
  return new Decimal(typeof value === 'number' ? String(value) : value);
}

export function sumDecimals(values: Iterable<Decimal>): Decimal {
  let total = new Decimal(0);
  for (const value of values) total = total.plus(value);
  return total;
}

/** Round half away from zero to whole kopecks: the one rounding of an amount. */
export function roundHalfUpToKopecks(amount: Decimal): number {
  return amount.times(100).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** A float balance (RCP's) as integer kopecks. */
export function toKopecks(amount: number): number {
  return roundHalfUpToKopecks(decimalOf(amount));
}

export function kopecksToDecimal(kopecks: number): Decimal {
  return new Decimal(kopecks).div(100);
}

/** `1 234,56` for people reading Russian documents. */
export function formatRubles(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  const rubles = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0');
  return `${sign}${rubles},${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Splits `totalKopecks` over parts proportional to exact amounts so that each part is its exact
 * amount rounded down or up, and the parts add up to the total (largest remainder method).
 */
export function allocateKopecks(exact: readonly Decimal[], totalKopecks: number): number[] {
  const scaled = exact.map((amount) => amount.times(100));
  const floors = scaled.map((amount) => amount.floor().toNumber());
  let left = totalKopecks - floors.reduce((a, b) => a + b, 0);
  const order = scaled
    .map((amount, index) => ({ index, remainder: amount.minus(amount.floor()) }))
    .sort((a, b) => b.remainder.comparedTo(a.remainder) || a.index - b.index);
  const result = [...floors];
  for (let i = 0; left !== 0 && order.length > 0; i = (i + 1) % order.length) {
    const index = (order[i] as { index: number }).index;
    result[index] = (result[index] as number) + Math.sign(left);
    left -= Math.sign(left);
  }
  return result;
}
