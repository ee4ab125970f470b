import { createReadStream } from 'node:fs';
import { type FileHandle, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { z } from 'zod';
import { withoutControlsDeep } from '../../mappings/safe-text.ts';
import { PermanentError } from '../errors.ts';
import { IdSet } from '../id-set.ts';
import { RcpAnswerError, RcpListChangedError, type SkippedRecord, describeIssues } from './errors.ts';
import { Page, idOf } from './schemas.ts';

/** The keys a pass has read, and the ids RCP wrote otherwise than their key (upper case). */
interface Seen {
  keys: IdSet;
  written: Map<string, string>;
}

/** Passes over a list that changed while it was read, before the run fails with what changed. */
const MAX_PASSES = 3;

interface ListingSource<T, S extends z.ZodTypeAny> {
  what: string;
  /** `GET /client`: how failures name the call. */
  call?: string;
  schema: S;
  fetchPage: (page: number) => Promise<unknown>;
  /** Applied to each valid record (ids to lower case; slimming). */
  normalise?: (item: T) => T;
  /** Who a broken record belongs to, as far as it can be read (see `SkippedRecord.partner`). */
  ownerOf?: (item: unknown) => string | null;
}

/** One pass over the list: what it skipped, and each sign that the list moved under it. */
interface Pass<T> {
  skipped: SkippedRecord[];
  total: number;
  changes: string[];
}

/** Where a pass puts its pages: started again with each pass, given each page as it is validated. */
interface PassSink<T> {
  start(): void | Promise<void>;
  keep(page: T[]): void | Promise<void>;
}

/**
 * An RCP list read page by page (`?page=N`, `ceil(total / limit)` pages), as an async iterator of
 * validated pages. A run's view of a list is whole or there is none: `total` must be the same on
 * every page, each page must hold what `total` and `limit` make it hold, the page after the last
 * must be empty, and the items read must number `total`. A pass that finds otherwise (RCP pages by
 * offset, so a list that changes while it is read shifts items between pages) is thrown away and
 * the list read again from the start; after three such passes the read fails with what changed
 * (`RcpListChangedError`). Pages are given only once a pass is found whole.
 */
export class Listing<T> implements AsyncIterable<T[]> {
  /** Records that broke the schema: skipped, with id and field path. */
  skipped: SkippedRecord[] = [];
  /** `total` as RCP said it on the pass that was kept. */
  total = 0;
  /** Pages fetched, over all passes. */
  pages = 0;
  /** Passes made (more than one when the list moved while it was read). */
  passes = 0;

  constructor(private readonly source: ListingSource<T, z.ZodType<T, z.ZodTypeDef, unknown>>) {}

  async *[Symbol.asyncIterator](): AsyncIterator<T[]> {
    const pages: T[][] = [];
    await this.#read({
      start: () => {
        pages.length = 0;
      },
      keep: (page) => {
        pages.push(page);
      },
    });
    for (const page of pages) if (page.length > 0) yield page;
  }

  /**
   * The list read whole, as the iterator reads it, and kept on disk (one JSON line per item, in a
   * temporary directory of its own): read again in slices as often as needed, its memory that of
   * one slice however long the list. A pass found moved is written over by the next.
   */
  async spill(): Promise<SpilledList<T>> {
    const dir = await mkdtemp(join(tmpdir(), 'rcp-list-'));
    const file = join(dir, `${this.source.what}.jsonl`);
    let handle: FileHandle | undefined;
    let count = 0;
    try {
      await this.#read({
        start: async () => {
          await handle?.close();
          handle = await open(file, 'w');
          count = 0;
        },
        keep: async (page) => {
          if (page.length === 0) return;
          count += page.length;
          await handle?.write(`${page.map((item) => JSON.stringify(item)).join('\n')}\n`);
        },
      });
      await handle?.close();
      return new SpilledList<T>(dir, file, count);
    } catch (error) {
      await handle?.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** Passes until one is whole, each page given to `sink` as it is read (a pass starts it again). */
  async #read(sink: PassSink<T>): Promise<void> {
    let changes: string[] = [];
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      this.passes++;
      await sink.start();
      const read = await this.#pass(sink);
      if (read.changes.length === 0) {
        this.skipped = read.skipped;
        this.total = read.total;
        return;
      }
      changes = read.changes;
    }
    throw new RcpListChangedError(
      this.#call,
      `RCP's ${this.source.what} list (${this.#call}) changed while it was read, ${MAX_PASSES} times over: ${changes.slice(0, 5).join('; ')}. Nothing was taken from it; run again when RCP's list holds still.`,
    );
  }

  /** All items, for callers that need the whole list at once. */
  async all(): Promise<T[]> {
    const items: T[] = [];
    for await (const page of this) items.push(...page);
    return items;
  }

  get #call(): string {
    return this.source.call ?? `the ${this.source.what} list`;
  }

  async #pass(sink: PassSink<T>): Promise<Pass<T>> {
    // Each lower-case key read, and the id as RCP wrote it where that was not the key; a record
    // listed again under another case of its uuid is a copy in RCP's data, not an item shifted by
    // paging: it counts towards `total`. One compact id per client (`IdSet`) while the list is read.
    const seen: Seen = { keys: new IdSet(), written: new Map() };
    const broken = new Set<string>();
    const copies = new Set<string>();
    const pass: Pass<T> = { skipped: [], total: 0, changes: [] };
    let lastPage = 1;
    let limit = 0;
    for (let page = 1; page <= lastPage; page++) {
      const envelope = await this.#page(page);
      if (envelope === 'gone') {
        pass.changes.push(`page ${page} of ${lastPage} was gone (404)`);
        return pass;
      }
      if (page === 1) {
        pass.total = envelope.total;
        limit = envelope.limit;
        lastPage = Math.max(1, Math.ceil(envelope.total / envelope.limit));
      } else if (envelope.total !== pass.total) {
        pass.changes.push(`total was ${pass.total} on page 1 and ${envelope.total} on page ${page}`);
        return pass;
      }
      const expected = page < lastPage ? limit : pass.total - (lastPage - 1) * limit;
      if (envelope.items.length !== expected) {
        pass.changes.push(
          `page ${page} held ${envelope.items.length} item(s) where total ${pass.total} and limit ${limit} make ${expected}`,
        );
        return pass;
      }
      const shifted: string[] = [];
      await sink.keep(this.#validate(envelope.items, seen, broken, copies, pass.skipped, shifted));
      if (shifted.length > 0) {
        pass.changes.push(`${shifted.slice(0, 3).join(', ')} came again on page ${page}`);
        return pass;
      }
    }
    const after = await this.#page(lastPage + 1);
    if (after !== 'gone' && after.items.length > 0) {
      pass.changes.push(
        `page ${lastPage + 1}, after the last of ${pass.total}, held ${after.items.length} item(s)`,
      );
      return pass;
    }
    const read = seen.keys.size + broken.size + copies.size;
    if (read !== pass.total) pass.changes.push(`${read} item(s) read where total says ${pass.total}`);
    return pass;
  }

  /** One page's envelope, or `gone` when RCP answers 404 for a page past the first. */
  async #page(page: number): Promise<z.infer<typeof Page> | 'gone'> {
    let body: unknown;
    try {
      body = await this.source.fetchPage(page);
    } catch (error) {
      if (page > 1 && error instanceof PermanentError && error.status === 404) return 'gone';
      throw error;
    }
    this.pages++;
    const envelope = Page.safeParse(body);
    if (!envelope.success) {
      throw new RcpAnswerError(
        this.#call,
        `RCP answered page ${page} of the ${this.source.what} list (${this.#call}) without items/total/limit: ${describeIssues(envelope.error)}`,
      );
    }
    if (envelope.data.items.length > envelope.data.limit) {
      throw new RcpAnswerError(
        this.#call,
        `RCP answered page ${page} of the ${this.source.what} list (${this.#call}) with ${envelope.data.items.length} items, more than its limit ${envelope.data.limit}`,
      );
    }
    return envelope.data;
  }

  #validate(
    items: unknown[],
    seen: Seen,
    broken: Set<string>,
    copies: Set<string>,
    skipped: SkippedRecord[],
    shifted: string[],
  ): T[] {
    const fresh: T[] = [];
    items.forEach((item, index) => {
      const id = idOf(item);
      // Ids are uuids, compared lower-case: an upper-case copy is the same record, given once.
      const key = id?.toLowerCase() ?? `#${this.pages}:${index}`;
      const known = seen.keys.has(key);
      if (known || broken.has(key)) {
        if (id !== undefined && known && (seen.written.get(key) ?? key) !== id) copies.add(id);
        else shifted.push(`${this.source.what} ${id ?? key}`);
        return;
      }
      const parsed = this.source.schema.safeParse(item);
      if (parsed.success) {
        seen.keys.add(key);
        if (id !== undefined && id !== key) seen.written.set(key, id);
        const data = withoutControlsDeep(parsed.data);
        fresh.push(this.source.normalise ? this.source.normalise(data) : data);
      } else {
        broken.add(key);
        skipped.push({
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

/**
 * A list read whole and kept on disk by `Listing.spill`: `slices(n)` reads it again, n items at a
 * time, in RCP's order; `dispose()` removes the file.
 */
export class SpilledList<T> {
  constructor(
    private readonly dir: string,
    private readonly file: string,
    /** Items kept (those that broke the schema are the listing's `skipped`). */
    readonly size: number,
  ) {}

  async *slices(size: number): AsyncGenerator<T[]> {
    let slice: T[] = [];
    const lines = createInterface({
      input: createReadStream(this.file, 'utf8'),
      crlfDelay: Number.POSITIVE_INFINITY,
    });
    for await (const line of lines) {
      if (line === '') continue;
      slice.push(JSON.parse(line) as T);
      if (slice.length >= size) {
        yield slice;
        slice = [];
      }
    }
    if (slice.length > 0) yield slice;
  }

  async dispose(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
