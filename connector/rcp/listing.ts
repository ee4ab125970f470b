import type { z } from 'zod';
import { PermanentError } from '../errors.ts';
import { RcpAnswerError, type SkippedRecord, describeIssues } from './errors.ts';
import { Page, idOf } from './schemas.ts';

/** Passes over a list when it changed while being read, before a shortfall is reported. */
const MAX_PASSES = 3;

interface ListingSource<T, S extends z.ZodTypeAny> {
  what: string;
  /** `GET /client`: how failures name the call. */
  call?: string;
  schema: S;
  fetchPage: (page: number) => Promise<unknown>;
  /** Applied to each valid record (ids to lower case). */
  normalise?: (item: T) => T;
  /** Who a broken record belongs to, as far as it can be read (see `SkippedRecord.partner`). */
  ownerOf?: (item: unknown) => string | null;
}

/**
 * An RCP list read page by page (`?page=N`, `ceil(total / limit)` pages), as an async iterator of
 * validated pages. RCP pages by offset, so a list that changes while it is read shifts items
 * between pages: an item seen twice is given once, and when `total` moved during a pass or fewer
 * items than `total` were seen, the list is read again (new items only), up to three passes; what
 * is still missing then is `shortfall`.
 */
export class Listing<T> implements AsyncIterable<T[]> {
  /** Records that broke the schema: skipped, with id and field path. */
  readonly skipped: SkippedRecord[] = [];
  /** Items RCP counts in `total` that were never read. */
  shortfall = 0;
  /** `total` as RCP last said it. */
  total = 0;
  pages = 0;

  constructor(private readonly source: ListingSource<T, z.ZodType<T, z.ZodTypeDef, unknown>>) {}

  async *[Symbol.asyncIterator](): AsyncIterator<T[]> {
    // Lower-case key → the id as RCP wrote it; a record listed again under another case of its
    // uuid is a copy in RCP's data, not an item shifted by paging: it counts towards `total`.
    const seen = new Map<string, string | undefined>();
    const broken = new Set<string>();
    const copies = new Set<string>();
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      let lastPage = 1;
      let totalAtStart: number | undefined;
      let changed = false;
      for (let page = 1; page <= lastPage; page++) {
        let body: unknown;
        try {
          body = await this.source.fetchPage(page);
        } catch (error) {
          // The list shrank under us: the page we computed is gone. The pass ends here.
          if (page > 1 && error instanceof PermanentError && error.status === 404) break;
          throw error;
        }
        const envelope = Page.safeParse(body);
        this.pages++;
        if (!envelope.success) {
          throw new RcpAnswerError(
            this.source.call ?? `the ${this.source.what} list`,
            `RCP answered page ${page} of the ${this.source.what} list without items/total/limit: ${describeIssues(envelope.error)}`,
          );
        }
        this.total = envelope.data.total;
        totalAtStart ??= this.total;
        changed ||= totalAtStart !== this.total;
        lastPage = Math.ceil(envelope.data.total / envelope.data.limit);
        const fresh = this.#validate(envelope.data.items, seen, broken, copies);
        if (fresh.length > 0) yield fresh;
        if (envelope.data.items.length === 0) break;
      }
      // A count that moved during the pass may hide an item shifted past us by a deletion: read again.
      if (!changed && seen.size + broken.size + copies.size >= this.total) break;
    }
    this.shortfall = Math.max(0, this.total - seen.size - broken.size - copies.size);
  }

  /** All items, for callers that need the whole list at once. */
  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this) items.push(...page);
    return items;
  }

  #validate(
    items: unknown[],
    seen: Map<string, string | undefined>,
    broken: Set<string>,
    copies: Set<string>,
  ): T[] {
    const fresh: T[] = [];
    items.forEach((item, index) => {
      const id = idOf(item);
      // Ids are uuids, compared lower-case: an upper-case copy is the same record, given once.
      const key = id?.toLowerCase() ?? `#${this.pages}:${index}`;
      if (seen.has(key) || broken.has(key)) {
        if (id !== undefined && seen.has(key) && seen.get(key) !== id) copies.add(id);
        return;
      }
      const parsed = this.source.schema.safeParse(item);
      if (parsed.success) {
        seen.set(key, id);
        fresh.push(this.source.normalise ? this.source.normalise(parsed.data) : parsed.data);
      } else {
        broken.add(key);
        this.skipped.push({
          what: this.source.what,
          id,
          problem: describeIssues(parsed.error),
          ...(this.source.ownerOf ? { partner: this.source.ownerOf(item) } : {}),
        });
      }
    });
    return fresh;
  }
}
