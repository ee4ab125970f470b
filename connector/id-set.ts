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
