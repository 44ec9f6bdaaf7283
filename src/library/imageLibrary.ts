import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '../embed/embeddingModel.js';
import { CollectionRecords } from './collectionRecords.js';
import {
  duplicateGroupsIn,
  earlierCopies,
  foldNearCopies,
  imagesWithoutHash,
  type HitWithCopies,
  type RepostHit,
  type RepostQuery,
} from './collectionReposts.js';
import { embedWithHash, hashForBackfill } from '../reposts/ingestHash.js';
import type { RepostThresholds } from '../reposts/repostMatcher.js';
import { KeywordLibrary } from './keywordLibrary.js';
import { searchCollection, type LibraryHit, type LibrarySearchOptions } from './librarySearch.js';
import { ImageTextReader } from '../ocr/imageTextReader.js';
import type { ImageInfo, ImageRecord } from '../store/imageRecord.js';
import type { ImageStore } from '../store/imageStore.js';
import type { SearchFilter } from '../search/vectorIndex.js';

export type { ImageInfo } from '../store/imageRecord.js';
export type { HitWithCopies, RepostHit, RepostQuery } from './collectionReposts.js';

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
  /**
   * Model stamps written before models were known by their files, which mean the loaded model
   * (engine.ts decides which): such records stay searchable instead of waiting for a reindex.
   */
  adoptedModelIds?: readonly string[];
  /** Reads the words in images (default: a reader with OCR off everywhere). */
  ocr?: ImageTextReader;
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
 *
 * The library also owns each image's words (`words`: OCR text, message text, file name, alt
 * text), so that every way an image leaves the index (a deleted message, channel or server,
 * a deleted file) is one call here that removes its record and its words.
 */
export class ImageLibrary {
  private readonly collections = new Map<string, CollectionRecords>();
  /** The words of each image, for search by words (see ingest/imageIndexing.ts for how they get here). */
  readonly words: KeywordLibrary;

  private readonly adoptedModelIds: ReadonlySet<string>;

  private constructor(
    readonly model: EmbeddingModel,
    readonly store: ImageStore,
    /** Reads the words in images, in the background. */
    readonly ocr: ImageTextReader,
    adoptedModelIds: readonly string[] = [],
  ) {
    this.words = new KeywordLibrary(store.keywords);
    this.adoptedModelIds = new Set(adoptedModelIds);
  }

  /** Opens the library and loads every (wanted) collection's records from the store. */
  static async open(model: EmbeddingModel, store: ImageStore, options: LibraryLoadOptions = {}): Promise<ImageLibrary> {
    const library = new ImageLibrary(model, store, options.ocr ?? new ImageTextReader(), options.adoptedModelIds);
    const wanted = options.collections ?? (() => true);
    let loaded = 0;
    const collections = (await store.collections()).filter(wanted);
    for (const collection of collections) {
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
    await library.words.load(collections, { exists: (collection, id) => library.get(collection, id) !== undefined });
    return library;
  }

  get modelId(): string {
    return this.model.id;
  }

  /**
   * Embeds, hashes and stores an image unless the same bytes are already indexed under this id by
   * this model; such an image still gets its perceptual hash if it lacks one (no re-embedding).
   */
  async addImage(origin: ImageOrigin, bytes: Uint8Array): Promise<AddOutcome> {
    const hash = contentHash(bytes);
    const existing = this.get(origin.collection, origin.id);
    if (existing?.contentHash === hash && existing.modelId === this.model.id) {
      if (existing.perceptualHash === undefined) await this.backfillPerceptualHash(existing, bytes);
      return 'unchanged';
    }
    const { embedding, perceptualHash } = await embedWithHash(this.model, bytes, origin.id);
    await this.put({ ...origin, contentHash: hash, perceptualHash, modelId: this.model.id, embedding });
    return existing === undefined ? 'indexed' : 'updated';
  }

  /** Whether an image is indexed by this model with every signal made, so nothing is left to do for it. */
  isComplete(collection: string, id: string): boolean {
    const image = this.get(collection, id);
    return image !== undefined && image.modelId === this.model.id && image.perceptualHash !== undefined;
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
    if (records !== undefined && present.length > 0) {
      await this.store.remove(collection, present);
      for (const id of present) records.remove(id);
    }
    // All the ids': words stored for an image removed while they were being written must not outlive it.
    await this.words.remove(collection, ids);
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
    await this.words.dropCollection(collection);
  }

  /** A text query by meaning, words or both (see librarySearch.ts), with filters and permissions applied to both sides. */
  async search(collection: string, options: LibrarySearchOptions): Promise<LibraryHit[]> {
    const records = this.collections.get(collection);
    if (records === undefined) return [];
    const searchWords = this.words.search.bind(this.words, collection);
    return searchCollection({ records, embedText: (text) => this.model.embedText(text), searchWords }, options);
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

  /** Near-copies of an indexed image posted before it, earliest first (src/reposts/README.md). */
  repostsOf(collection: string, id: string, query: RepostQuery): RepostHit[] {
    const records = this.collections.get(collection);
    return records === undefined ? [] : earlierCopies(records, id, query, this.imageTextOf(collection));
  }

  /** Ranked hits with each near-copy folded into the best-ranked hit it copies ("and 2 near-copies"). */
  nearCopies<H extends SearchHit>(collection: string, hits: readonly H[], thresholds: RepostThresholds): Array<HitWithCopies<H>> {
    const records = this.collections.get(collection);
    return records === undefined
      ? hits.map((hit) => ({ hit, nearCopies: [] }))
      : foldNearCopies(records, hits, thresholds, this.imageTextOf(collection));
  }

  /** Groups of near-duplicates among a collection's images (those the filter allows), largest first. */
  duplicateGroups(collection: string, thresholds: RepostThresholds, filter?: SearchFilter): ImageInfo[][] {
    const records = this.collections.get(collection);
    return records === undefined ? [] : duplicateGroupsIn(records, thresholds, this.imageTextOf(collection), filter);
  }

  /** The words OCR read in a collection's images, by id (undefined: not read), for the repost decision. */
  private imageTextOf(collection: string): (id: string) => string | undefined {
    return (id) => this.words.get(collection, id)?.imageText;
  }

  /** Searchable images that have no perceptual hash yet (a reindex fills them in without re-embedding). */
  imagesWithoutHash(collection: string): number {
    const records = this.collections.get(collection);
    return records === undefined ? 0 : imagesWithoutHash(records);
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

  /** Stores the perceptual hash of an image indexed before hashes were made: one small write, no inference. */
  private async backfillPerceptualHash(image: ImageInfo, bytes: Uint8Array): Promise<void> {
    const perceptualHash = await hashForBackfill(bytes, this.model.imageLimits, image.id);
    const records = this.collections.get(image.collection);
    const row = records?.searchable.find(image.id) ?? -1;
    // Removed, replaced or hashed meanwhile; or kept as metadata only (no vector to write back).
    if (perceptualHash === undefined || records === undefined || row < 0) return;
    const now = records.searchable.infoAt(row);
    if (now.contentHash !== image.contentHash || now.perceptualHash !== undefined) return;
    await this.store.put({ ...now, perceptualHash, embedding: records.embeddingAt(row) });
    records.setPerceptualHash(image.id, perceptualHash);
  }

  private recordsOf(collection: string): CollectionRecords {
    let records = this.collections.get(collection);
    if (records === undefined) {
      records = new CollectionRecords(collection, this.model.id, this.model.dimensions, {}, this.adoptedModelIds);
      this.collections.set(collection, records);
    }
    return records;
  }
}
