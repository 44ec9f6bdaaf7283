import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '../embed/embeddingModel.js';
import { CollectionRecords } from './collectionRecords.js';
import type { ImageInfo, ImageRecord } from '../store/imageRecord.js';
import type { ImageStore } from '../store/imageStore.js';
import type { SearchFilter } from '../search/vectorIndex.js';

export type { ImageInfo } from '../store/imageRecord.js';

/** Where an image came from; the library adds the hashes, model id and embedding. */
export type ImageOrigin = Omit<ImageInfo, 'contentHash' | 'modelId' | 'perceptualHash'>;

export interface SearchHit {
  /** Built for this hit only: the library keeps no object per image. */
  image: ImageInfo;
  score: number;
}

export interface SearchOptions {
  limit: number;
  filter?: SearchFilter;
}

export type AddOutcome = 'indexed' | 'unchanged' | 'updated';

export interface CollectionStats {
  collection: string;
  images: number;
  /** Records embedded by another model: kept in the store, left out of results until re-embedded. */
  otherModel: number;
}

export interface LibraryLoadOptions {
  /** Which collections to load (a shard loads its own guilds); default all. */
  collections?: (collection: string) => boolean;
  /** Records loaded so far, across collections. */
  onProgress?: (loaded: number) => void;
}

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The search engine without Discord: the model turns images and queries into vectors,
 * the store keeps records across restarts, and the in-memory index ranks them.
 * Every write goes to the store first, then to memory, so a crash never leaves memory
 * claiming what the store lost. In memory, records are columns (see recordTable.ts);
 * objects are built only for what a caller reads: hits, a record asked for by id.
 */
export class ImageLibrary {
  private readonly collections = new Map<string, CollectionRecords>();

  private constructor(
    readonly model: EmbeddingModel,
    readonly store: ImageStore,
  ) {}

  /** Opens the library and loads every (wanted) collection's records from the store. */
  static async open(model: EmbeddingModel, store: ImageStore, options: LibraryLoadOptions = {}): Promise<ImageLibrary> {
    const library = new ImageLibrary(model, store);
    const wanted = options.collections ?? (() => true);
    let loaded = 0;
    for (const collection of await store.collections()) {
      if (!wanted(collection)) continue;
      const records = library.recordsOf(collection);
      // The store says how many records to expect before the first batch: room for all at once.
      const reserve = (done: number, total?: number): void => {
        if (done === 0 && total !== undefined) records.reserve(total);
      };
      for await (const batch of store.loadCollection(collection, reserve)) {
        records.putBatch(batch);
        loaded += batch.length;
        options.onProgress?.(loaded);
      }
    }
    return library;
  }

  get modelId(): string {
    return this.model.id;
  }

  /** Embeds and stores an image unless the same bytes are already indexed under this id by this model. */
  async addImage(origin: ImageOrigin, bytes: Uint8Array): Promise<AddOutcome> {
    const hash = contentHash(bytes);
    const existing = this.get(origin.collection, origin.id);
    if (existing?.contentHash === hash && existing.modelId === this.model.id) return 'unchanged';
    const embedding = await this.model.embedImage(bytes);
    await this.put({ ...origin, contentHash: hash, perceptualHash: undefined, modelId: this.model.id, embedding });
    return existing === undefined ? 'indexed' : 'updated';
  }

  /** Stores a record whose embedding is already made (by this model). */
  async put(record: ImageRecord): Promise<void> {
    if (record.modelId !== this.model.id) {
      throw new Error(`record ${record.id} was embedded by ${record.modelId}, not the loaded ${this.model.id}`);
    }
    await this.store.put(record);
    this.recordsOf(record.collection).put(record);
  }

  /** Whether an image is indexed and searchable (embedded by this model). */
  has(collection: string, id: string): boolean {
    return this.collections.get(collection)?.find(id)?.table.modelId === this.model.id;
  }

  /** An image of any model, built now. */
  get(collection: string, id: string): ImageInfo | undefined {
    const ref = this.collections.get(collection)?.find(id);
    return ref === null || ref === undefined ? undefined : ref.table.infoAt(ref.row);
  }

  /** A searchable image's stored embedding (searching from it needs no download or encoding). */
  vectorOf(collection: string, id: string): Float32Array | undefined {
    return this.collections.get(collection)?.vectorOf(id);
  }

  /** Every image of a collection (including other models' records), built one at a time. */
  *images(collection: string): Generator<ImageInfo> {
    yield* this.collections.get(collection)?.infos() ?? [];
  }

  /** Ids of the indexed images of one message (any model). */
  idsOfMessage(collection: string, messageId: string): string[] {
    return this.collections.get(collection)?.idsOfMessage(messageId) ?? [];
  }

  /** Channels that hold images in a collection, with how many each. */
  imagesPerChannel(collection: string): ReadonlyMap<string, number> {
    return this.collections.get(collection)?.channelCounts ?? new Map();
  }

  async remove(collection: string, ids: readonly string[]): Promise<number> {
    const records = this.collections.get(collection);
    const present = records === undefined ? [] : ids.filter((id) => records.find(id) !== null);
    if (records === undefined || present.length === 0) return 0;
    await this.store.remove(collection, present);
    for (const id of present) records.remove(id);
    return present.length;
  }

  /** Removes every image posted in these channels (a deleted channel and its threads). */
  async removeFromChannels(collection: string, channelIds: ReadonlySet<string>): Promise<number> {
    return this.remove(collection, this.collections.get(collection)?.idsInChannels(channelIds) ?? []);
  }

  /**
   * Removes every image of a collection that matches. Each record is built to be tested: for
   * small collections (the CLI's folders); a channel's images go with removeFromChannels.
   */
  async removeWhere(collection: string, predicate: (image: ImageInfo) => boolean): Promise<number> {
    const ids: string[] = [];
    for (const image of this.images(collection)) if (predicate(image)) ids.push(image.id);
    return this.remove(collection, ids);
  }

  async dropCollection(collection: string): Promise<void> {
    await this.store.dropCollection(collection);
    this.collections.delete(collection);
  }

  async searchText(collection: string, text: string, options: SearchOptions): Promise<SearchHit[]> {
    return this.searchVector(collection, await this.model.embedText(text), options);
  }

  async searchImage(collection: string, bytes: Uint8Array, options: SearchOptions): Promise<SearchHit[]> {
    return this.searchVector(collection, await this.model.embedImage(bytes), options);
  }

  async searchVector(collection: string, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]> {
    const records = this.collections.get(collection);
    if (records === undefined) return [];
    const { rows, scores } = records.search(vector, options.limit, options.filter);
    return rows.map((row, i) => ({ image: records.searchable.infoAt(row), score: scores[i] as number }));
  }

  stats(): CollectionStats[] {
    return [...this.collections.keys()].sort().map((collection) => this.statsOf(collection));
  }

  statsOf(collection: string): CollectionStats {
    const records = this.collections.get(collection);
    return { collection, images: records?.searchable.size ?? 0, otherModel: records?.others.size ?? 0 };
  }

  /** Bytes held in memory for records: metadata columns, and vectors (float32 and the int8 scan copy). */
  memoryBytes(): { metadata: number; vectors: number } {
    const total = { metadata: 0, vectors: 0 };
    for (const records of this.collections.values()) {
      const { metadata, vectors } = records.bytes;
      total.metadata += metadata;
      total.vectors += vectors;
    }
    return total;
  }

  private recordsOf(collection: string): CollectionRecords {
    let records = this.collections.get(collection);
    if (records === undefined) {
      records = new CollectionRecords(collection, this.model.id, this.model.dimensions);
      this.collections.set(collection, records);
    }
    return records;
  }
}
