/**
 * The one slicing loop: `items` in consecutive batches of at most `size` (Odoo's `ODOO_BATCH_SIZE`
 * for calls, or a multiple of it for what is held in memory at once).
 */
export function* batchesOf<T>(items: readonly T[], size: number): Generator<T[]> {
  const step = Math.max(1, Math.floor(size));
  for (let start = 0; start < items.length; start += step) yield items.slice(start, start + step);
}
