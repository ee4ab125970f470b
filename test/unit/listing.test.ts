import { existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { RcpListChangedError } from '../../connector/rcp/errors.ts';
import { Listing } from '../../connector/rcp/listing.ts';

const Item = z.object({ id: z.string(), n: z.number() }).passthrough();

/** A list served by offset pages of `limit`, read through `serve` so a test can change it between pages. */
function listingOf(serve: (page: number) => { items: unknown[]; total: number; limit: number }) {
  return new Listing({
    what: 'item',
    call: 'GET /item',
    schema: Item,
    fetchPage: async (page) => serve(page),
  });
}

const items = (ids: string[]) => ids.map((id) => ({ id, n: 1 }));
/** Offset pages of 2 over `list`, `total` as RCP says it. */
const pagesOf =
  (list: () => string[], total: (page: number) => number = () => list().length) =>
  (page: number) => ({ items: items(list().slice((page - 1) * 2, page * 2)), total: total(page), limit: 2 });

/** a, b, c, d, e in pages of 2, where `a` is deleted as page 2 is asked for (the first time). */
function aDeletedWhileRead() {
  let list = ['a', 'b', 'c', 'd', 'e'];
  return listingOf((page) => {
    if (page === 2 && list.length === 5) list = list.filter((id) => id !== 'a');
    return pagesOf(() => list)(page);
  });
}

describe('reading an RCP list: whole, or the read fails', () => {
  it('reads every page and checks that the page after the last is empty', async () => {
    const asked: number[] = [];
    const listing = listingOf((page) => {
      asked.push(page);
      return pagesOf(() => ['a', 'b', 'c'])(page);
    });
    expect((await listing.all()).map((i) => i.id)).toEqual(['a', 'b', 'c']);
    expect(asked).toEqual([1, 2, 3]);
    expect(listing.passes).toBe(1);
  });

  it('fails, naming what changed, when RCP counts more items than it ever shows', async () => {
    const listing = listingOf((page) => ({ items: page === 1 ? items(['a', 'b']) : [], total: 3, limit: 2 }));
    const read = listing.all();
    await expect(read).rejects.toThrow(RcpListChangedError);
    await expect(
      listingOf((page) => ({ items: page === 1 ? items(['a', 'b']) : [], total: 3, limit: 2 })).all(),
    ).rejects.toThrow(
      /item list \(GET \/item\) changed while it was read, 3 times over: page 2 held 0 item\(s\) where total 3 and limit 2 make 1/,
    );
  });

  it('a page without items in the middle of the list is never taken for its end', async () => {
    const list = ['a', 'b', 'c', 'd', 'e'];
    const listing = listingOf((page) =>
      page === 2 ? { items: [], total: 5, limit: 2 } : pagesOf(() => list)(page),
    );
    await expect(listing.all()).rejects.toThrow(/page 2 held 0 item\(s\) where total 5 and limit 2 make 2/);
    expect(listing.passes).toBe(3);
  });

  it('a total that shrinks from page to page fails the read with both numbers', async () => {
    const list = ['a', 'b', 'c', 'd', 'e'];
    const listing = listingOf(
      pagesOf(
        () => list,
        (page) => 5 - (page - 1),
      ),
    );
    await expect(listing.all()).rejects.toThrow(/total was 5 on page 1 and 4 on page 2/);
  });

  it('an item deleted while reading is a changed list: read again from the start, and given as it is then', async () => {
    const listing = aDeletedWhileRead();
    const read = await listing.all();
    expect(read.map((i) => i.id)).toEqual(['b', 'c', 'd', 'e']);
    expect(listing.passes).toBe(2);
  });

  it('an item shifted onto the next page (seen twice) makes the pass void', async () => {
    let served = 0;
    const listing = listingOf((page) => {
      served++;
      // First pass: page 2 repeats 'b' (an item inserted at the head pushed it along); then still.
      if (served === 2) return { items: items(['b', 'c']), total: 4, limit: 2 };
      return pagesOf(() => ['a', 'b', 'c', 'd'])(page);
    });
    expect((await listing.all()).map((i) => i.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(listing.passes).toBe(2);
  });

  it('a page after the last that holds items fails the pass', async () => {
    const listing = listingOf((page) => ({ items: items([`x${page}`]), total: 1, limit: 2 }));
    await expect(listing.all()).rejects.toThrow(/page 2, after the last of 1, held 1 item/);
  });

  it('a page with more items than its limit is refused at once', async () => {
    const listing = listingOf(() => ({ items: items(['a', 'b', 'c']), total: 3, limit: 2 }));
    await expect(listing.all()).rejects.toThrow(
      /page 1 of the item list \(GET \/item\) with 3 items, more than its limit 2/,
    );
    expect(listing.passes).toBe(1);
  });

  it('a record without an id that breaks the schema is reported once, not read again', async () => {
    const listing = listingOf((page) => ({
      items: page === 1 ? [{ n: 'x' }, { id: 'a', n: 1 }] : [],
      total: 2,
      limit: 10,
    }));
    const read = await listing.all();
    expect(read.map((i) => i.id)).toEqual(['a']);
    expect(listing.skipped).toEqual([
      { what: 'item', id: undefined, problem: expect.stringContaining('id: Required') },
    ]);
  });

  it('an answer without the list envelope stops with a clear error', async () => {
    const listing = listingOf(() => ({ rows: [] }) as never);
    await expect(listing.all()).rejects.toThrow(
      /page 1 of the item list \(GET \/item\) without items\/total\/limit/,
    );
  });
});

describe('a list kept on disk (Listing.spill): the same read, held in a file, not in memory', () => {
  it('keeps only the pass found whole, in RCP’s order, read again in slices as often as needed; dispose removes the file', async () => {
    const listing = aDeletedWhileRead();
    const spilled = await listing.spill();
    const dir = (spilled as unknown as { dir: string }).dir;
    try {
      expect(listing.passes).toBe(2);
      expect(spilled.size).toBe(4);
      const read = async (size: number) => {
        const slices: string[][] = [];
        for await (const slice of spilled.slices(size)) slices.push(slice.map((i) => i.id));
        return slices;
      };
      // The first pass's items (a, b) are not kept beside the second's.
      expect(await read(3)).toEqual([['b', 'c', 'd'], ['e']]);
      expect(await read(2)).toEqual([
        ['b', 'c'],
        ['d', 'e'],
      ]);
      expect(existsSync(dir)).toBe(true);
    } finally {
      await spilled.dispose();
    }
    expect(existsSync(dir)).toBe(false);
  });

  it('a read that fails leaves no file behind', async () => {
    const before = new Set(readdirSync(tmpdir()).filter((n) => n.startsWith('rcp-list-')));
    const listing = listingOf((page) => ({ items: page === 1 ? items(['a', 'b']) : [], total: 3, limit: 2 }));
    await expect(listing.spill()).rejects.toThrow(RcpListChangedError);
    const after = readdirSync(tmpdir()).filter((n) => n.startsWith('rcp-list-') && !before.has(n));
    expect(after).toEqual([]);
  });
});
