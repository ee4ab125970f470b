import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdBits, IdSet } from '../../connector/id-set.ts';

describe('IdSet: the compact set of one id per client', () => {
  it('answers as a Set of the same ids would, through growth, for uuids and for any other id', () => {
    const ids = [
      ...Array.from({ length: 5_000 }, () => randomUUID()),
      // Made by hand, as fixtures make them: alike but for one digit.
      ...Array.from({ length: 300 }, (_, i) => `aaaaaaaa-1111-4111-8111-${String(i).padStart(12, '0')}`),
      'AAAAAAAA-1111-4111-8111-000000000001',
      'not-a-uuid',
      '#3:7',
      '',
    ];
    const set = new IdSet();
    const plain = new Set<string>();
    for (const [i, id] of ids.entries()) {
      if (i % 3 === 0) continue;
      set.add(id).add(id);
      plain.add(id);
    }
    expect(set.size).toBe(plain.size);
    for (const id of [...ids, randomUUID(), 'aaaaaaaa-1111-4111-8111-99999999999'])
      expect(set.has(id), id).toBe(plain.has(id));
    expect(new IdSet(plain).size).toBe(plain.size);
  });

  it('holds 200,000 uuids in 17 to 44 bytes each (a Set of strings: about 100)', () => {
    const set = new IdSet(Array.from({ length: 200_000 }, () => randomUUID()));
    expect(set.size).toBe(200_000);
    // 16 bytes and a flag a slot, the table at most 5/8 full and at least 5/16 just after it grew.
    expect(set.uuidBytes / set.size).toBeGreaterThanOrEqual(17 * (8 / 5));
    expect(set.uuidBytes / set.size).toBeLessThanOrEqual(17 * (16 / 5));
  });
});

describe('IdBits: the Odoo ids a run has seen, a bit each', () => {
  it('answers as a Set of the same ids would, through growth, and lists them ascending', () => {
    const ids = [0, 1, 31, 32, 33, 1_000, 65_535, 65_536, 2_000_000, 17, 1_000, 31];
    const bits = new IdBits();
    for (const id of ids) bits.add(id);
    const plain = new Set(ids);
    expect(bits.size).toBe(plain.size);
    for (const id of [...ids, 2, 30, 34, 999, 1_001, 2_000_001, 9_999_999, -1, 1.5])
      expect(bits.has(id), String(id)).toBe(plain.has(id));
    expect([...bits]).toEqual([...plain].sort((a, b) => a - b));
    expect(new IdBits(plain).size).toBe(plain.size);
  });

  it('takes a bit per id up to the largest, whatever the number held; refuses what is not an id', () => {
    const bits = new IdBits();
    for (let id = 1; id <= 1_000_000; id += 1) bits.add(id);
    expect(bits.size).toBe(1_000_000);
    expect(bits.bytes).toBeLessThanOrEqual(2 * 125_000 + 4_096);
    expect(() => bits.add(-3)).toThrow(RangeError);
    expect(() => bits.add(2.5)).toThrow(RangeError);
  });
});
