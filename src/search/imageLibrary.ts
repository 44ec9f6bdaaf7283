import { createHash } from 'node:crypto';
import type { EmbeddingModel } from '../embed/embeddingModel.js';
import type { ImageRecord } from './imageRecord.js';
import type { ImageStore } from './imageStore.js';
import { CollectionIndexes, type SearchFilter } from './vectorIndex.js';

/** Everything about an indexed image but its vector: what a search hit shows. */
export type ImageInfo = Omit<ImageRecord, 'embedding'>;

/** Where an image came from; the library adds the hash, model id and embedding. */
export type ImageOrigin = Omit<ImageInfo, 'contentHash' | 'modelId'>;

export interface SearchHit {
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

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * The search engine without Discord: the model turns images and queries into vectors,
 * the store keeps records across restarts, and the in-memory index ranks them.
 * Every write goes to the store first, then to memory, so a crash never leaves memory
 * claiming what the store lost.
 */
export class ImageLibrary {
  private readonly infos = new Map<string, Map<string, ImageInfo>>();
  private readonly otherModel = new Map<string, Map<string, ImageInfo>>();
  /** collection → message id → record ids, for forgetting a deleted message's images. */
  private readonly byMessage = new Map<string, Map<string, Set<string>>>();
  /** collection → channel id → image count, for permission checks and stats. */
  private readonly channelCounts = new Map<string, Map<string, number>>();
  private readonly indexes: CollectionIndexes;

  private constructor(
    readonly model: EmbeddingModel,
    readonly store: ImageStore,
  ) {
    this.indexes = new CollectionIndexes(model.dimensions);
  }

  /** Opens the library and loads every collection's records from the store. */
  static async open(
    model: EmbeddingModel,
    store: ImageStore,
    options: { collections?: (collection: string) => boolean; onProgress?: (loaded: number) => void } = {},
  ): Promise<ImageLibrary> {
    const library = new ImageLibrary(model, store);
    const wanted = options.collections ?? (() => true);
    let loaded = 0;
    for (const collection of await store.collections()) {
      if (!wanted(collection)) continue;
      for await (const batch of store.loadCollection(collection)) {
        for (const record of batch) library.remember(record);
        loaded += batch.length;
        options.onProgress?.(loaded);
      }
    }
    return library;
  }

  get modelId(): string {
    return this.model.id;
  }

  /** Embeds and stores an image unless the same bytes are already indexed under this id. */
  async addImage(origin: ImageOrigin, bytes: Uint8Array): Promise<AddOutcome> {
    const hash = contentHash(bytes);
    const existing = this.get(origin.collection, origin.id);
    if (existing?.contentHash === hash && existing.modelId === this.model.id) return 'unchanged';
    const embedding = await this.model.embedImage(bytes);
    await this.put({ ...origin, contentHash: hash, modelId: this.model.id, embedding });
    return existing === undefined ? 'indexed' : 'updated';
  }

  /** Stores a record whose embedding is already made (by this model). */
  async put(record: ImageRecord): Promise<void> {
    if (record.modelId !== this.model.id) {
      throw new Error(`record ${record.id} was embedded by ${record.modelId}, not the loaded ${this.model.id}`);
    }
    await this.store.put(record);
    this.remember(record);
  }

  has(collection: string, id: string): boolean {
    return this.infos.get(collection)?.has(id) ?? false;
  }

  get(collection: string, id: string): ImageInfo | undefined {
    return this.infos.get(collection)?.get(id) ?? this.otherModel.get(collection)?.get(id);
  }

  /** Every image of a collection (including other models' records). */
  *images(collection: string): IterableIterator<ImageInfo> {
    yield* this.infos.get(collection)?.values() ?? [];
    yield* this.otherModel.get(collection)?.values() ?? [];
  }

  /** Records of a collection made by another model; reindexing re-embeds them. */
  otherModelImages(collection: string): ImageInfo[] {
    return [...(this.otherModel.get(collection)?.values() ?? [])];
  }

  /** Ids of the indexed images of one message. */
  idsOfMessage(collection: string, messageId: string): string[] {
    return [...(this.byMessage.get(collection)?.get(messageId) ?? [])];
  }

  /** Channels that hold images in a collection, with how many each. */
  imagesPerChannel(collection: string): ReadonlyMap<string, number> {
    return this.channelCounts.get(collection) ?? new Map();
  }

  async remove(collection: string, ids: readonly string[]): Promise<number> {
    const present = ids.flatMap((id) => {
      const image = this.get(collection, id);
      return image === undefined ? [] : [image];
    });
    if (present.length === 0) return 0;
    await this.store.remove(
      collection,
      present.map((image) => image.id),
    );
    for (const image of present) this.forget(image);
    return present.length;
  }

  /** Removes every image of a collection that matches, e.g. all of a deleted channel's. */
  async removeWhere(collection: string, predicate: (image: ImageInfo) => boolean): Promise<number> {
    const ids = [...this.images(collection)].filter(predicate).map((image) => image.id);
    return this.remove(collection, ids);
  }

  async dropCollection(collection: string): Promise<void> {
    await this.store.dropCollection(collection);
    for (const maps of [this.infos, this.otherModel, this.byMessage, this.channelCounts]) maps.delete(collection);
    this.indexes.drop(collection);
  }

  async searchText(collection: string, text: string, options: SearchOptions): Promise<SearchHit[]> {
    return this.searchVector(collection, await this.model.embedText(text), options);
  }

  async searchImage(collection: string, bytes: Uint8Array, options: SearchOptions): Promise<SearchHit[]> {
    return this.searchVector(collection, await this.model.embedImage(bytes), options);
  }

  async searchVector(collection: string, vector: Float32Array, options: SearchOptions): Promise<SearchHit[]> {
    const index = this.indexes.get(collection);
    const infos = this.infos.get(collection);
    if (index === undefined || infos === undefined) return [];
    const scored = await index.search(vector, options.limit, options.filter);
    return scored.flatMap(({ id, score }) => {
      const image = infos.get(id);
      return image === undefined ? [] : [{ image, score }];
    });
  }

  stats(): CollectionStats[] {
    const collections = new Set([...this.infos.keys(), ...this.otherModel.keys()]);
    return [...collections].sort().map((collection) => ({
      collection,
      images: this.infos.get(collection)?.size ?? 0,
      otherModel: this.otherModel.get(collection)?.size ?? 0,
    }));
  }

  private remember(record: ImageRecord): void {
    const { embedding, ...info } = record;
    const { collection, id } = record;
    const previous = this.get(collection, id);
    if (previous !== undefined) this.forget(previous);
    if (record.modelId === this.model.id) {
      mapFor(this.infos, collection).set(id, info);
      this.indexes
        .getOrCreate(collection)
        .upsert(id, embedding, { channelId: record.channelId, authorId: record.authorId, createdAt: record.createdAt });
    } else {
      mapFor(this.otherModel, collection).set(id, info);
    }
    if (info.messageId !== '') {
      const ids = mapFor(this.byMessage, collection).get(info.messageId) ?? new Set<string>();
      ids.add(id);
      mapFor(this.byMessage, collection).set(info.messageId, ids);
    }
    const counts = mapFor(this.channelCounts, collection);
    counts.set(info.channelId, (counts.get(info.channelId) ?? 0) + 1);
  }

  /** Drops an image from every in-memory structure (the store is the caller's business). */
  private forget(image: ImageInfo): void {
    const { collection, id } = image;
    this.infos.get(collection)?.delete(id);
    this.otherModel.get(collection)?.delete(id);
    this.indexes.get(collection)?.remove(id);
    const ids = this.byMessage.get(collection)?.get(image.messageId);
    ids?.delete(id);
    if (ids?.size === 0) this.byMessage.get(collection)?.delete(image.messageId);
    const counts = this.channelCounts.get(collection);
    const count = (counts?.get(image.channelId) ?? 0) - 1;
    if (count > 0) counts?.set(image.channelId, count);
    else counts?.delete(image.channelId);
  }
}

function mapFor<V>(maps: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let map = maps.get(key);
  if (map === undefined) {
    map = new Map();
    maps.set(key, map);
  }
  return map;
}
