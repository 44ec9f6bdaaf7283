/**
 * In-memory vector index: one partition (VectorIndex) per guild, exact cosine top-k.
 *
 * Vectors arrive L2-normalised, so cosine is the dot product. Search is exact (equal to scoring
 * every allowed row in float32 and sorting), with filters applied inside the scan. From
 * `int8From` vectors on, an int8 copy scanned by a WebAssembly SIMD kernel finds the candidates
 * and an error bound proves nothing else can rank (see vectorSearch.ts): 1 M x 256 takes ~30 ms
 * on one core, where a plain float32 scan takes ~500 ms.
 * Memory per vector: 4 bytes x dimensions (float32) + 1 byte x dimensions (int8, when on) + ~28
 * bytes of columns, plus the id string and its map entry.
 * Each collection with an int8 copy owns one WebAssembly.Memory, and V8 reserves ~10 GB of address
 * space for each (about 13 000 per process); small collections stay on the float32 scan, which is
 * why the int8 copy starts at `int8From` (4096) vectors.
 */
import { InvalidVectorError, VectorDimensionError } from './vectorErrors.js';
import { VectorCodes, VectorCodesFullError } from './vectorCodes.js';
import { resolveFilter, type SearchFilter } from './vectorFilter.js';
import { exactTopK, int8TopK, type SearchStats } from './vectorSearch.js';
import { VectorTable } from './vectorTable.js';

export type { SearchFilter } from './vectorFilter.js';
export type { SearchStats } from './vectorSearch.js';
export { InvalidVectorError, VectorDimensionError } from './vectorErrors.js';

export interface VectorMeta {
  channelId: string;
  authorId: string;
  /** ms since epoch */
  createdAt: number;
}

export interface ScoredId {
  id: string;
  score: number;
}

export interface VectorIndexOptions {
  /**
   * Size from which searches use the int8 pre-scan (default 4096). Below half of it the int8 copy
   * is dropped again and searches score float32 directly. Both give the same results.
   */
  int8From?: number;
}

const DEFAULT_INT8_FROM = 4096;
const MAX_DIMENSIONS = 65536; // keeps int8 dot products inside int32

function checkDimensions(dimensions: number): void {
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
    options: VectorIndexOptions = {},
  ) {
    checkDimensions(dimensions);
    this.table = new VectorTable(dimensions);
    this.int8From = options.int8From ?? DEFAULT_INT8_FROM;
  }

  get size(): number {
    return this.table.size;
  }

  has(id: string): boolean {
    return this.table.rowOf.has(id);
  }

  /** Adds a record, or replaces the vector and metadata of an existing one. */
  upsert(id: string, vector: Float32Array, meta: VectorMeta): void {
    this.checkVector(vector, id);
    if (!Number.isFinite(meta.createdAt)) throw new InvalidVectorError(`createdAt of ${id} is ${meta.createdAt}`);
    const existing = this.table.rowOf.get(id);
    const row = existing ?? this.table.append(id, vector, meta.channelId, meta.authorId, meta.createdAt);
    if (existing !== undefined) this.table.write(row, vector, meta.channelId, meta.authorId, meta.createdAt);
    if (this.codes !== null) this.keepCodes(() => this.codes?.set(row, vector));
    else if (this.table.size >= this.int8From && !this.int8Unavailable) this.keepCodes(() => this.buildCodes());
  }

  /** Removes a record; false when there was none. */
  remove(id: string): boolean {
    const row = this.table.rowOf.get(id);
    if (row === undefined) return false;
    const movedFrom = this.table.removeRow(row);
    if (this.codes !== null) {
      if (this.table.size < this.int8From / 2) this.codes = null;
      else if (movedFrom !== row) this.codes.move(movedFrom, row);
    }
    return true;
  }

  /** The k best records by dot product with `query` among those the filter allows, best first. */
  search(query: Float32Array, k: number, filter?: SearchFilter, stats?: SearchStats): ScoredId[] {
    this.checkVector(query, null);
    if (!(k >= 0)) throw new RangeError(`k must be a number >= 0, got ${k}`);
    const count = Math.min(Math.floor(k), this.table.size);
    const rowFilter = resolveFilter(this.table, filter);
    if (count === 0 || rowFilter === null) {
      if (stats) Object.assign(stats, { path: this.codes === null ? 'exact' : 'int8', rescored: 0, certified: true });
      return [];
    }
    const ranked =
      this.codes !== null
        ? int8TopK(this.table, this.codes, query, count, rowFilter, stats)
        : exactTopK(this.table, query, count, rowFilter, stats);
    const ids = this.table.ids;
    return ranked.rows.map((row, i) => ({ id: ids[row] as string, score: ranked.scores[i] as number }));
  }

  ids(): IterableIterator<string> {
    return this.table.rowOf.keys();
  }

  /** A copy of a record's vector, e.g. to search for images similar to one already indexed. */
  getVector(id: string): Float32Array | undefined {
    const row = this.table.rowOf.get(id);
    return row === undefined ? undefined : this.table.vector(row).slice();
  }

  getMeta(id: string): VectorMeta | undefined {
    const row = this.table.rowOf.get(id);
    return row === undefined ? undefined : this.metaOf(row);
  }

  /** Removes every record the predicate selects (e.g. a channel's) and returns their ids. */
  removeWhere(predicate: (id: string, meta: VectorMeta) => boolean): string[] {
    const doomed: string[] = [];
    const ids = this.table.ids;
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row] as string;
      if (predicate(id, this.metaOf(row))) doomed.push(id);
    }
    for (const id of doomed) this.remove(id);
    return doomed;
  }

  /** Bytes in typed arrays and the int8 scan memory (not counting id strings and the id map). */
  get memoryBytes(): number {
    return this.table.typedBytes + (this.codes?.bytes ?? 0);
  }

  private metaOf(row: number): VectorMeta {
    const t = this.table;
    return {
      channelId: t.channels.names[t.channel[row] as number] as string,
      authorId: t.authors.names[t.author[row] as number] as string,
      createdAt: t.createdAt[row] as number,
    };
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

  /** Checks a record's vector (id given) or the query (id null). */
  private checkVector(vector: Float32Array, id: string | null): void {
    if (vector.length !== this.dimensions) throw new VectorDimensionError(this.dimensions, vector.length);
    for (let i = 0; i < vector.length; i++) {
      if (!Number.isFinite(vector[i])) {
        throw new InvalidVectorError(`${id === null ? 'query' : `vector of ${id}`} has ${vector[i]} at index ${i}`);
      }
    }
  }
}

/** Guild (collection) to its VectorIndex. */
export class CollectionIndexes {
  private readonly indexes = new Map<string, VectorIndex>();

  constructor(
    readonly dimensions: number,
    private readonly options: VectorIndexOptions = {},
  ) {
    checkDimensions(dimensions);
  }

  get(collection: string): VectorIndex | undefined {
    return this.indexes.get(collection);
  }

  getOrCreate(collection: string): VectorIndex {
    let index = this.indexes.get(collection);
    if (index === undefined) {
      index = new VectorIndex(this.dimensions, this.options);
      this.indexes.set(collection, index);
    }
    return index;
  }

  drop(collection: string): boolean {
    return this.indexes.delete(collection);
  }

  collections(): string[] {
    return [...this.indexes.keys()];
  }

  totalSize(): number {
    let total = 0;
    for (const index of this.indexes.values()) total += index.size;
    return total;
  }
}
