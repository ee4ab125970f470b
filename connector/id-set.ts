/**
 * A set of ids that holds one id per client of RCP: a uuid in lower-case canonical form takes a
 * slot of 16 bytes and a flag in typed arrays (open addressing, the table 5/16 to 5/8 full: 27 to
 * 54 bytes an id), where a `Set<string>` holds a string and a hash entry (about 100 bytes). Any
 * other id (upper case, no uuid at all) goes to a plain `Set`: RCP's ids are uuids, so that set
 * stays small.
 */
export class IdSet {
  #slots = new Uint8Array(16 * 1024);
  #used = new Uint8Array(1024);
  #uuids = 0;
  readonly #others = new Set<string>();
  readonly #key = new Uint8Array(16);

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.#uuids + this.#others.size;
  }

  /** What the uuids take: the typed arrays' bytes (the other ids are a plain Set beside). */
  get uuidBytes(): number {
    return this.#slots.byteLength + this.#used.byteLength;
  }

  has(id: string): boolean {
    if (!toBytes(id, this.#key)) return this.#others.has(id);
    return this.#find(this.#key) >= 0;
  }

  add(id: string): this {
    if (!toBytes(id, this.#key)) {
      this.#others.add(id);
      return this;
    }
    if (this.#find(this.#key) >= 0) return this;
    if ((this.#uuids + 1) * 8 > this.#used.length * 5) this.#grow();
    this.#put(this.#key);
    this.#uuids++;
    return this;
  }

  /** The slot holding `key`, or -1. */
  #find(key: Uint8Array): number {
    const mask = this.#used.length - 1;
    for (let slot = hash(key) & mask; this.#used[slot] === 1; slot = (slot + 1) & mask)
      if (equalAt(this.#slots, slot * 16, key)) return slot;
    return -1;
  }

  #put(key: Uint8Array): void {
    const mask = this.#used.length - 1;
    let slot = hash(key) & mask;
    while (this.#used[slot] === 1) slot = (slot + 1) & mask;
    this.#used[slot] = 1;
    this.#slots.set(key, slot * 16);
  }

  #grow(): void {
    const slots = this.#slots;
    const used = this.#used;
    this.#slots = new Uint8Array(slots.length * 2);
    this.#used = new Uint8Array(used.length * 2);
    for (let slot = 0; slot < used.length; slot++)
      if (used[slot] === 1) this.#put(slots.subarray(slot * 16, slot * 16 + 16));
  }
}

const HYPHENS = [8, 13, 18, 23];

/** `id` as 16 bytes into `out` when it is a lower-case canonical uuid; false otherwise. */
function toBytes(id: string, out: Uint8Array): boolean {
  if (id.length !== 36) return false;
  for (const at of HYPHENS) if (id.charCodeAt(at) !== 45) return false;
  let byte = 0;
  for (let i = 0; i < 36; ) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      i++;
      continue;
    }
    const high = nibble(id.charCodeAt(i));
    const low = nibble(id.charCodeAt(i + 1));
    if (high < 0 || low < 0) return false;
    out[byte++] = (high << 4) | low;
    i += 2;
  }
  return true;
}

/** A lower-case hex digit's value, or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** FNV-1a over the 16 bytes: ids made by hand (tests, fixtures) are not random. */
function hash(key: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < 16; i++) h = Math.imul(h ^ (key[i] as number), 0x01000193);
  return h >>> 0;
}

function equalAt(slots: Uint8Array, at: number, key: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (slots[at + i] !== key[i]) return false;
  return true;
}

/**
 * A set of Odoo ids (whole numbers from 0), one bit each in a typed array that grows to the largest
 * id: 125 KB per million of it, whatever the number of ids held, where a `Set<number>` takes some 20
 * bytes an id. For runs that note every record they have seen (the payments of a push).
 */
export class IdBits {
  #words = new Uint32Array(1024);
  #size = 0;

  constructor(ids: Iterable<number> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.#size;
  }

  /** What it takes: the typed array's bytes. */
  get bytes(): number {
    return this.#words.byteLength;
  }

  has(id: number): boolean {
    if (!isId(id)) return false;
    const word = id >>> 5;
    return word < this.#words.length && ((this.#words[word] as number) & (1 << (id & 31))) !== 0;
  }

  add(id: number): this {
    if (!isId(id)) throw new RangeError(`not an Odoo id: ${id}`);
    const word = id >>> 5;
    if (word >= this.#words.length) {
      const grown = new Uint32Array(Math.max(word + 1, this.#words.length * 2));
      grown.set(this.#words);
      this.#words = grown;
    }
    const bit = 1 << (id & 31);
    if (((this.#words[word] as number) & bit) === 0) {
      this.#words[word] = (this.#words[word] as number) | bit;
      this.#size++;
    }
    return this;
  }

  /** The ids, ascending. */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let word = 0; word < this.#words.length; word++) {
      const bits = this.#words[word] as number;
      if (bits === 0) continue;
      for (let bit = 0; bit < 32; bit++) if ((bits & (1 << bit)) !== 0) yield word * 32 + bit;
    }
  }
}

const isId = (id: number) => Number.isInteger(id) && id >= 0 && id <= 0x7fffffff;
