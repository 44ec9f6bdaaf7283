/**
 * Rows by message: an open-addressing hash table (linear probing) of row numbers, placed by a
 * hash of the row's message id, so that one probe sequence finds a record by (message,
 * attachment) and every record of a message. 4 bytes a slot, at most 70 % full: about 6–11
 * bytes a record, where a Map of id strings costs well over a hundred.
 */
const MAX_LOAD = 0.7;
const EMPTY = 0;

export class MessageIndex {
  /** row + 1 per occupied slot; EMPTY elsewhere. */
  private slots = new Int32Array(16);
  private mask = 15;
  private count = 0;

  /** @param homeOf a row's message hash (32 bits); rows move, so it is read from the table each time. */
  constructor(private readonly homeOf: (row: number) => number) {}

  /** Sizes the table for `rows` entries at once (a bulk load), so it never rehashes during it. */
  reserve(rows: number): void {
    if (rows > this.slots.length * MAX_LOAD) this.rehash(capacityFor(rows));
  }

  add(row: number): void {
    if (this.count + 1 > this.slots.length * MAX_LOAD) this.rehash(this.slots.length * 2);
    this.place(row);
    this.count++;
  }

  /** The first row whose message hash is `home` that `matches` accepts, or -1. */
  find(home: number, matches: (row: number) => boolean): number {
    for (let slot = home & this.mask; this.slots[slot] !== EMPTY; slot = (slot + 1) & this.mask) {
      const row = (this.slots[slot] as number) - 1;
      if (matches(row)) return row;
    }
    return -1;
  }

  /** Rows whose message hash is `home` and which `matches` accepts, in probe order. */
  *rows(home: number, matches: (row: number) => boolean): Generator<number> {
    for (let slot = home & this.mask; this.slots[slot] !== EMPTY; slot = (slot + 1) & this.mask) {
      const row = (this.slots[slot] as number) - 1;
      if (matches(row)) yield row;
    }
  }

  remove(row: number): void {
    let hole = this.slotOf(row);
    this.slots[hole] = EMPTY;
    this.count--;
    // Backward-shift: pull later entries of the run into the hole unless that would put one before its home.
    for (let slot = (hole + 1) & this.mask; this.slots[slot] !== EMPTY; slot = (slot + 1) & this.mask) {
      const home = this.homeOf((this.slots[slot] as number) - 1) & this.mask;
      const movable = hole <= slot ? home <= hole || home > slot : home <= hole && home > slot;
      if (!movable) continue;
      this.slots[hole] = this.slots[slot] as number;
      this.slots[slot] = EMPTY;
      hole = slot;
    }
  }

  /** Row `from` is now row `to` (the table moved it to fill a hole). */
  renumber(from: number, to: number): void {
    this.slots[this.slotOf(from)] = to + 1;
  }

  get bytes(): number {
    return this.slots.byteLength;
  }

  private slotOf(row: number): number {
    for (let slot = this.homeOf(row) & this.mask; this.slots[slot] !== EMPTY; slot = (slot + 1) & this.mask) {
      if (this.slots[slot] === row + 1) return slot;
    }
    throw new Error(`row ${row} is not in the message index`);
  }

  private place(row: number): void {
    let slot = this.homeOf(row) & this.mask;
    while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
    this.slots[slot] = row + 1;
  }

  private rehash(size: number): void {
    const old = this.slots;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (const value of old) if (value !== EMPTY) this.place(value - 1);
  }
}

/** 32-bit hash of a 64-bit message id given as halves. */
export function messageHash(low: number, high: number): number {
  let h = Math.imul(low ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ high, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function capacityFor(rows: number): number {
  let size = 16;
  while (size * MAX_LOAD < rows) size *= 2;
  return size;
}
