/**
 * Dense rows of one collection: float32 vectors, ids and columnar metadata.
 *
 * Rows stay dense (0..size-1): removal moves the last row into the hole, so scans never skip.
 * Vectors live in blocks of BLOCK_ROWS rows, so growing never copies the big arrays (only the
 * newest block doubles until it is full) and unused capacity stays under one block.
 * Channel and author ids are interned to small integers; timestamps are a Float64Array (ms).
 */

export const BLOCK_SHIFT = 11;
export const BLOCK_ROWS = 1 << BLOCK_SHIFT; // 2048 rows: 2 MB of float32 at 256 dimensions
const BLOCK_MASK = BLOCK_ROWS - 1;
const FIRST_BLOCK_ROWS = 8;

/** Strings to dense integer ids, and back. */
export class Interner {
  private readonly idOf = new Map<string, number>();
  readonly names: string[] = [];
  private lastName: string | undefined;
  private lastId = -1;

  intern(name: string): number {
    if (name === this.lastName) return this.lastId; // bulk loads come channel by channel
    let id = this.idOf.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.names.push(name);
      this.idOf.set(name, id);
    }
    this.lastName = name;
    this.lastId = id;
    return id;
  }

  /** The id of a name already seen, or -1. */
  find(name: string): number {
    return this.idOf.get(name) ?? -1;
  }
}

function grown<T extends Float64Array | Uint32Array>(array: T, minLength: number, make: (n: number) => T): T {
  if (array.length >= minLength) return array;
  const next = make(Math.max(minLength, Math.ceil(array.length * 1.5), 16));
  next.set(array);
  return next;
}

export class VectorTable {
  readonly ids: string[] = [];
  readonly rowOf = new Map<string, number>();
  readonly channels = new Interner();
  readonly authors = new Interner();
  /** blocks[b] holds rows b*BLOCK_ROWS .. as float32, `dimensions` values per row. */
  readonly blocks: Float32Array[] = [];
  channel = new Uint32Array(0);
  author = new Uint32Array(0);
  createdAt = new Float64Array(0);

  constructor(readonly dimensions: number) {}

  get size(): number {
    return this.ids.length;
  }

  /** Appends a row and returns its index. */
  append(id: string, vector: Float32Array, channelId: string, authorId: string, createdAt: number): number {
    const row = this.ids.length;
    this.ensureRow(row);
    this.ids.push(id);
    this.rowOf.set(id, row);
    this.write(row, vector, channelId, authorId, createdAt);
    return row;
  }

  write(row: number, vector: Float32Array, channelId: string, authorId: string, createdAt: number): void {
    const block = this.blocks[row >>> BLOCK_SHIFT] as Float32Array;
    block.set(vector, (row & BLOCK_MASK) * this.dimensions);
    this.channel[row] = this.channels.intern(channelId);
    this.author[row] = this.authors.intern(authorId);
    this.createdAt[row] = createdAt;
  }

  /**
   * Removes a row by moving the last row into it.
   * Returns the index the moved row came from (equal to `row` when `row` was the last).
   */
  removeRow(row: number): number {
    const last = this.ids.length - 1;
    const removedId = this.ids[row] as string;
    if (row !== last) {
      const lastId = this.ids[last] as string;
      const d = this.dimensions;
      const from = this.blocks[last >>> BLOCK_SHIFT] as Float32Array;
      const to = this.blocks[row >>> BLOCK_SHIFT] as Float32Array;
      const start = (last & BLOCK_MASK) * d;
      to.set(from.subarray(start, start + d), (row & BLOCK_MASK) * d);
      this.channel[row] = this.channel[last] as number;
      this.author[row] = this.author[last] as number;
      this.createdAt[row] = this.createdAt[last] as number;
      this.ids[row] = lastId;
      this.rowOf.set(lastId, row);
    }
    this.ids.pop();
    this.rowOf.delete(removedId);
    this.releaseTail();
    return last;
  }

  /** The stored vector of a row (a view, valid until the next write). */
  vector(row: number): Float32Array {
    const start = (row & BLOCK_MASK) * this.dimensions;
    return (this.blocks[row >>> BLOCK_SHIFT] as Float32Array).subarray(start, start + this.dimensions);
  }

  /**
   * The exact score of a row: float32 inputs, products and a left-to-right sum in float64, the same
   * arithmetic as a plain `s += v[d] * q[d]` loop, so rankings match it bit for bit.
   */
  dot(row: number, query: Float32Array): number {
    const block = this.blocks[row >>> BLOCK_SHIFT] as Float32Array;
    const d = this.dimensions;
    let offset = (row & BLOCK_MASK) * d;
    let sum = 0;
    for (let i = 0; i < d; i++) sum += (block[offset++] as number) * (query[i] as number);
    return sum;
  }

  /** Bytes held by typed arrays (capacity, not size). */
  get typedBytes(): number {
    let bytes = this.channel.byteLength + this.author.byteLength + this.createdAt.byteLength;
    for (const block of this.blocks) bytes += block.byteLength;
    return bytes;
  }

  private ensureRow(row: number): void {
    const b = row >>> BLOCK_SHIFT;
    const rowsNeeded = (row & BLOCK_MASK) + 1;
    const block = this.blocks[b];
    const d = this.dimensions;
    if (block === undefined) {
      // Earlier blocks are full; the newest starts small and doubles, to keep little unused capacity.
      this.blocks.push(new Float32Array((b === 0 ? FIRST_BLOCK_ROWS : BLOCK_ROWS / 4) * d));
    } else if (block.length < rowsNeeded * d) {
      const next = new Float32Array(Math.min(BLOCK_ROWS, (block.length / d) * 2) * d);
      next.set(block);
      this.blocks[b] = next;
    }
    if (row >= this.createdAt.length) {
      const n = row + 1;
      this.channel = grown(this.channel, n, (len) => new Uint32Array(len));
      this.author = grown(this.author, n, (len) => new Uint32Array(len));
      this.createdAt = grown(this.createdAt, n, (len) => new Float64Array(len));
    }
  }

  /** Drops a trailing block once it is empty, so a shrinking collection gives memory back. */
  private releaseTail(): void {
    const blocksNeeded = Math.ceil(this.ids.length / BLOCK_ROWS);
    while (this.blocks.length > Math.max(blocksNeeded, 1)) this.blocks.pop();
  }
}
