import type { ImageInfo, ImageRecord } from '../store/imageRecord.js';
import type { RecordBatch, RecordColumns } from '../store/recordColumns.js';
import { RecordTable } from './recordTable.js';
import { VectorIndex, type Ranked, type SearchFilter, type SearchStats, type VectorIndexOptions } from '../search/vectorIndex.js';

/** Where a record lives in memory. */
export interface RowRef {
  table: RecordTable;
  row: number;
}

/**
 * One collection's records in memory. Records of the loaded model are searchable: their
 * metadata rows and vectors share row numbers. Records of any other model (or unusable as
 * this model's: wrong length, non-finite values) are kept as metadata only, so they are
 * counted, can be deleted with their message, and are re-embedded by a reindex; their vectors
 * are never held or compared.
 */
export class CollectionRecords {
  readonly searchable: RecordTable;
  readonly others: RecordTable;
  private readonly vectors: VectorIndex;

  constructor(
    readonly collection: string,
    readonly modelId: string,
    readonly dimensions: number,
    options: VectorIndexOptions = {},
    /** Older stamps known to mean this same model (see LibraryLoadOptions.adoptedModelIds). */
    private readonly adoptedModelIds: ReadonlySet<string> = new Set(),
  ) {
    const channelCounts = new Map<string, number>();
    this.searchable = new RecordTable(collection, modelId, channelCounts);
    this.others = new RecordTable(collection, null, channelCounts);
    const table = this.searchable;
    this.vectors = new VectorIndex(dimensions, { columns: table, ranksFirst: (a, b) => table.ranksFirst(a, b) }, options);
  }

  get channelCounts(): ReadonlyMap<string, number> {
    return this.searchable.channelCounts;
  }

  /** Makes room for a bulk load of about `records` records. */
  reserve(records: number): void {
    this.searchable.reserve(records);
  }

  /** Adds or replaces a record. */
  put(record: ImageRecord): void {
    this.remove(record.id);
    if (this.usable(record.modelId, record.embedding)) {
      this.searchable.append(record);
      this.vectors.append(record.embedding);
    } else {
      this.others.append(record);
    }
  }

  /** Adds or replaces every record of a loaded batch, without making record objects. */
  putBatch(batch: RecordBatch): void {
    const { columns, entries } = batch;
    const ours = columns.data.dict.models.map((model) => this.isOurs(model));
    for (const i of entries) {
      this.removeAt(this.findFrom(columns, i));
      const embedding = columns.embeddingAt(i);
      if (ours[columns.data.model[i] as number] && this.usableVector(embedding)) {
        this.searchable.appendFrom(columns, i);
        this.vectors.append(embedding);
      } else {
        this.others.appendFrom(columns, i);
      }
    }
  }

  find(id: string): RowRef | null {
    const row = this.searchable.find(id);
    if (row >= 0) return { table: this.searchable, row };
    const other = this.others.find(id);
    return other >= 0 ? { table: this.others, row: other } : null;
  }

  /** Forgets a record; false when there was none. */
  remove(id: string): boolean {
    return this.removeAt(this.find(id));
  }

  /** A copy of a searchable record's stored vector. */
  vectorOf(id: string): Float32Array | undefined {
    const row = this.searchable.find(id);
    return row >= 0 ? this.vectors.vector(row) : undefined;
  }

  /** Ids of a message's records, of any model. */
  idsOfMessage(messageId: string): string[] {
    return [this.searchable, this.others].flatMap((table) => table.rowsOfMessage(messageId).map((row) => table.idAt(row)));
  }

  /** Ids of the records posted in any of these channels, of any model (no record is built for the others). */
  idsInChannels(channelIds: ReadonlySet<string>): string[] {
    return [this.searchable, this.others].flatMap((table) => {
      const wanted = new Uint8Array(table.channels.names.length);
      for (const id of channelIds) {
        const index = table.channels.find(id);
        if (index >= 0) wanted[index] = 1;
      }
      const ids: string[] = [];
      for (let row = 0; row < table.size; row++) if (wanted[table.channel[row] as number] === 1) ids.push(table.idAt(row));
      return ids;
    });
  }

  /** Every record (searchable ones first), built one at a time. */
  *infos(): Generator<ImageInfo> {
    for (const table of [this.searchable, this.others]) {
      for (let row = 0; row < table.size; row++) yield table.infoAt(row);
    }
  }

  /** The k best searchable rows (numbers of `searchable`) for a query, best first. */
  search(query: Float32Array, k: number, filter?: SearchFilter, stats?: SearchStats): Ranked {
    return this.vectors.search(query, k, filter, stats);
  }

  /** A copy of a searchable row's embedding. */
  embeddingAt(row: number): Float32Array {
    return this.vectors.vector(row);
  }

  /** Records the perceptual hash of a record already held (a backfill); false when there is none. */
  setPerceptualHash(id: string, hash: bigint): boolean {
    const ref = this.find(id);
    ref?.table.setPerceptualHash(ref.row, hash);
    return ref !== null;
  }

  /** Records of another model, by model id. */
  otherModels(): Map<string, number> {
    const counts = new Map<string, number>();
    for (let row = 0; row < this.others.size; row++) {
      const model = this.others.modelIdAt(row);
      counts.set(model, (counts.get(model) ?? 0) + 1);
    }
    return counts;
  }

  /** Bytes of metadata columns and of vectors (typed arrays and the int8 scan memory). */
  get bytes(): { metadata: number; vectors: number } {
    return { metadata: this.searchable.bytes + this.others.bytes, vectors: this.vectors.memoryBytes };
  }

  private findFrom(columns: RecordColumns, i: number): RowRef | null {
    const row = this.searchable.findFrom(columns, i);
    if (row >= 0) return { table: this.searchable, row };
    const other = this.others.findFrom(columns, i);
    return other >= 0 ? { table: this.others, row: other } : null;
  }

  private removeAt(ref: RowRef | null): boolean {
    if (ref === null) return false;
    ref.table.removeRow(ref.row);
    if (ref.table === this.searchable) this.vectors.removeRow(ref.row);
    return true;
  }

  private usable(modelId: string, embedding: Float32Array): boolean {
    return this.isOurs(modelId) && this.usableVector(embedding);
  }

  private isOurs(modelId: string): boolean {
    return modelId === this.modelId || this.adoptedModelIds.has(modelId);
  }

  private usableVector(embedding: Float32Array): boolean {
    if (embedding.length !== this.dimensions) return false;
    for (let i = 0; i < embedding.length; i++) if (!Number.isFinite(embedding[i])) return false;
    return true;
  }
}
