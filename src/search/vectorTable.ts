/**
 * Dense rows of float32 vectors, numbered like the rows of the collection's RecordTable.
 *
 * Rows stay dense (0..size-1): removal moves the last row into the hole, so scans never skip.
 * Vectors live in blocks of BLOCK_ROWS rows, so growing never copies the big arrays (only the
 * newest block doubles until it is full) and unused capacity stays under one block.
 */

export const BLOCK_SHIFT = 11;
export const BLOCK_ROWS = 1 << BLOCK_SHIFT; // 2048 rows: 2 MB of float32 at 256 dimensions
const BLOCK_MASK = BLOCK_ROWS - 1;
const FIRST_BLOCK_ROWS = 8;

export class VectorTable {
  /** blocks[b] holds rows b*BLOCK_ROWS .. as float32, `dimensions` values per row. */
  readonly blocks: Float32Array[] = [];
  size = 0;

  constructor(readonly dimensions: number) {}

  /** Appends a row and returns its index. */
  append(vector: Float32Array): number {
    const row = this.size;
    this.ensureRow(row);
    this.size++;
    this.write(row, vector);
    return row;
  }

  write(row: number, vector: Float32Array): void {
    const block = this.blocks[row >>> BLOCK_SHIFT] as Float32Array;
    block.set(vector, (row & BLOCK_MASK) * this.dimensions);
  }

  /**
   * Removes a row by moving the last row into it.
   * Returns the index the moved row came from (equal to `row` when `row` was the last).
   */
  removeRow(row: number): number {
    const last = this.size - 1;
    if (row !== last) this.write(row, this.vector(last));
    this.size--;
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

  /** Bytes held by the blocks (capacity, not size). */
  get typedBytes(): number {
    let bytes = 0;
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
  }

  /** Drops a trailing block once it is empty, so a shrinking collection gives memory back. */
  private releaseTail(): void {
    const blocksNeeded = Math.ceil(this.size / BLOCK_ROWS);
    while (this.blocks.length > Math.max(blocksNeeded, 1)) this.blocks.pop();
  }
}
