/**
 * In-memory vector index of one collection: exact cosine top-k over rows numbered like the
 * collection's RecordTable (which owns ids and metadata; the index keeps vectors only).
 *
 * Vectors arrive L2-normalised, so cosine is the dot product. Search is exact (equal to scoring
 * every allowed row in float32 and sorting), with filters applied inside the scan. From
 * `int8From` vectors on, an int8 copy scanned by a WebAssembly SIMD kernel finds the candidates
 * and an error bound proves nothing else can rank (see vectorSearch.ts): 1 M x 256 takes ~30 ms
 * on one core, where a plain float32 scan takes ~500 ms.
 * Memory per vector: 4 bytes x dimensions (float32) + 1 byte x dimensions + 8 (int8 codes, scale and
 * residual, when on): 1,288 bytes at 256 dimensions.
 * Each collection with an int8 copy owns one WebAssembly.Memory, and V8 reserves ~10 GB of address
 * space for each (about 13 000 per process); small collections stay on the float32 scan, which is
 * why the int8 copy starts at `int8From` (4096) vectors.
 */
import { InvalidVectorError, VectorDimensionError } from './vectorErrors.js';
import { VectorCodes, VectorCodesFullError } from './vectorCodes.js';
import { resolveFilter, type SearchFilter } from './vectorFilter.js';
import { exactTopK, int8TopK, type Ranked, type RowContext, type SearchStats } from './vectorSearch.js';
import { VectorTable } from './vectorTable.js';

export type { FilterColumns, SearchFilter } from './vectorFilter.js';
export type { Ranked, RowContext, SearchStats } from './vectorSearch.js';
export { InvalidVectorError, VectorDimensionError } from './vectorErrors.js';

export interface VectorIndexOptions {
  /**
   * Size from which searches use the int8 pre-scan (default 4096). Below half of it the int8 copy
   * is dropped again and searches score float32 directly. Both give the same results.
   */
  int8From?: number;
}

const DEFAULT_INT8_FROM = 4096;
const MAX_DIMENSIONS = 65536; // keeps int8 dot products inside int32

export function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    throw new RangeError(`dimensions must be an integer from 1 to ${MAX_DIMENSIONS}, got ${dimensions}`);
  }
}

export class VectorIndex {
  private readonly table: VectorTable;
  private codes: VectorCodes | null = null;
  private int8Unavailable = false;
  private readonly int8From: number;

  constructor(
    readonly dimensions: number,
    /** The collection's per-row columns and tie order, row for row with this index. */
    private readonly rows: RowContext,
    options: VectorIndexOptions = {},
  ) {
    checkDimensions(dimensions);
    this.table = new VectorTable(dimensions);
    this.int8From = options.int8From ?? DEFAULT_INT8_FROM;
  }

  get size(): number {
    return this.table.size;
  }

  /** Checks a vector without storing it (throws VectorDimensionError or InvalidVectorError). */
  check(vector: Float32Array, what: string): void {
    if (vector.length !== this.dimensions) throw new VectorDimensionError(this.dimensions, vector.length);
    for (let i = 0; i < vector.length; i++) {
      if (!Number.isFinite(vector[i])) throw new InvalidVectorError(`${what} has ${vector[i]} at index ${i}`);
    }
  }

  /** Adds a row at the end (the caller adds the same row to its RecordTable); returns its number. */
  append(vector: Float32Array): number {
    this.check(vector, `vector of row ${this.table.size}`);
    const row = this.table.append(vector);
    if (this.codes !== null) this.keepCodes(() => this.codes?.set(row, vector));
    else if (this.table.size >= this.int8From && !this.int8Unavailable) this.keepCodes(() => this.buildCodes());
    return row;
  }

  /** Replaces a row's vector. */
  write(row: number, vector: Float32Array): void {
    this.check(vector, `vector of row ${row}`);
    this.table.write(row, vector);
    if (this.codes !== null) this.keepCodes(() => this.codes?.set(row, vector));
  }

  /** Removes a row by moving the last row into it, as RecordTable.removeRow does; returns the row that moved. */
  removeRow(row: number): number {
    const movedFrom = this.table.removeRow(row);
    if (this.codes !== null) {
      if (this.table.size < this.int8From / 2) this.codes = null;
      else if (movedFrom !== row) this.codes.move(movedFrom, row);
    }
    return movedFrom;
  }

  /** The k best rows by dot product with `query` among those the filter allows, best first. */
  search(query: Float32Array, k: number, filter?: SearchFilter, stats?: SearchStats): Ranked {
    this.check(query, 'query');
    if (!(k >= 0)) throw new RangeError(`k must be a number >= 0, got ${k}`);
    const count = Math.min(Math.floor(k), this.table.size);
    const rowFilter = resolveFilter(this.rows.columns, filter);
    if (count === 0 || rowFilter === null) {
      if (stats) Object.assign(stats, { path: this.codes === null ? 'exact' : 'int8', rescored: 0, certified: true });
      return { rows: [], scores: [] };
    }
    return this.codes !== null
      ? int8TopK(this.table, this.rows, this.codes, query, count, rowFilter, stats)
      : exactTopK(this.table, this.rows, query, count, rowFilter, stats);
  }

  /** A copy of a row's vector, e.g. to search for images similar to one already indexed. */
  vector(row: number): Float32Array {
    return this.table.vector(row).slice();
  }

  /** Bytes in the float32 blocks and the int8 scan memory. */
  get memoryBytes(): number {
    return this.table.typedBytes + (this.codes?.bytes ?? 0);
  }

  /**
   * Runs an update of the int8 copy. If memory for it cannot be had (a 4 GiB WebAssembly memory is
   * full, or the process ran out of address space for new ones), searches fall back to the float32
   * scan for good: slower, same results.
   */
  private keepCodes(update: () => void): void {
    try {
      update();
    } catch (error) {
      if (!(error instanceof RangeError || error instanceof VectorCodesFullError)) throw error;
      this.codes = null;
      this.int8Unavailable = true;
    }
  }

  private buildCodes(): void {
    const codes = new VectorCodes(this.dimensions);
    codes.reserve(this.table.size);
    for (let row = 0; row < this.table.size; row++) codes.set(row, this.table.vector(row));
    this.codes = codes;
  }
}
