/**
 * The one slicing loop: `items` in consecutive batches of at most `size` (Odoo's `ODOO_BATCH_SIZE`
 * for calls, or a multiple of it for what is held in memory at once).
 */
export function* batchesOf<T>(items: readonly T[], size: number): Generator<T[]> {
  const step = Math.max(1, Math.floor(size));
  for (let start = 0; start < items.length; start += step) yield items.slice(start, start + step);
}

/** What a run holds at once (a chunk's clients, a slice's payments): ten Odoo batches. */
export const heldAtOnce = (batchSize: number): number => batchSize * 10;

/** The pages of a paged read, regrouped into slices of `size` items (the last one shorter). */
export async function* slicesOf<T>(pages: AsyncIterable<readonly T[]>, size: number): AsyncGenerator<T[]> {
  const step = Math.max(1, Math.floor(size));
  const slice: T[] = [];
  for await (const page of pages) {
    slice.push(...page);
    while (slice.length >= step) yield slice.splice(0, step);
  }
  if (slice.length > 0) yield slice.splice(0);
}
