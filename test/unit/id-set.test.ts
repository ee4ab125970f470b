import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { IdSet } from '../../connector/id-set.ts';

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
