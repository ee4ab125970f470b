import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Listing } from '../../connector/rcp/listing.ts';

const Item = z.object({ id: z.string(), n: z.number() }).passthrough();

/** A list served by offset pages of `limit`, read through `serve` so a test can change it between pages. */
function listingOf(serve: (page: number) => { items: unknown[]; total: number; limit: number }) {
  return new Listing({ what: 'item', schema: Item, fetchPage: async (page) => serve(page) });
}

const items = (ids: string[]) => ids.map((id) => ({ id, n: 1 }));

describe('reading an RCP list', () => {
  it('reports a shortfall when RCP counts more items than it ever shows', async () => {
    const listing = listingOf((page) => ({ items: page === 1 ? items(['a', 'b']) : [], total: 3, limit: 2 }));
    const read = await listing.all();
    expect(read.map((i) => i.id)).toEqual(['a', 'b']);
    expect(listing.shortfall).toBe(1);
  });

  it('an item deleted while reading shifts the next page: the second pass finds what was skipped', async () => {
    let list = ['a', 'b', 'c', 'd', 'e'];
    const listing = listingOf((page) => {
      if (page === 2 && list.length === 5) list = list.filter((id) => id !== 'a');
      return { items: items(list.slice((page - 1) * 2, page * 2)), total: list.length, limit: 2 };
    });
    const read = await listing.all();
    expect(read.map((i) => i.id).sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(listing.shortfall).toBe(0);
  });

  it('a record without an id that breaks the schema is reported once, not read again', async () => {
    const listing = listingOf(() => ({ items: [{ n: 'x' }, { id: 'a', n: 1 }], total: 2, limit: 10 }));
    const read = await listing.all();
    expect(read.map((i) => i.id)).toEqual(['a']);
    expect(listing.skipped).toEqual([
      { what: 'item', id: undefined, problem: expect.stringContaining('id: Required') },
    ]);
  });

  it('an answer without the list envelope stops with a clear error', async () => {
    const listing = listingOf(() => ({ rows: [] }) as never);
    await expect(listing.all()).rejects.toThrow(/page 1 of the item list without items\/total\/limit/);
  });
});
