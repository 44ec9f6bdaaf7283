import type { Keyv } from 'keyv';
import type { StoreBackend } from './keyvFactory.js';
import { StoreCorruptError } from './storeErrors.js';
import { listKeys } from './storeKeyListing.js';
import { COLLECTION_MARKER_PREFIX, storeKeys } from './storeKeys.js';
import { Mutex } from './storeState.js';

/**
 * Which collections a store holds: one marker key per collection, written only by that
 * collection's single writer and listed by prefix, so shards registering guilds at the same
 * moment never overwrite each other (a shared list read, extended and written back would).
 * Stores written before the markers kept one list; it is still read, and pruned on drops.
 */
export class CollectionRegistry {
  private readonly legacyWrites = new Mutex();

  constructor(
    private readonly keyv: Keyv,
    private readonly backend: StoreBackend,
  ) {}

  async register(collection: string): Promise<void> {
    await this.keyv.set(storeKeys.collectionMarker(collection), true);
  }

  async unregister(collection: string): Promise<void> {
    await this.keyv.delete(storeKeys.collectionMarker(collection));
    await this.legacyWrites.run(async () => {
      const legacy = await this.legacyList();
      if (legacy.includes(collection))
        await this.keyv.set(
          storeKeys.collections,
          legacy.filter((c) => c !== collection),
        );
    });
  }

  /** Every registered collection, sorted. */
  async list(): Promise<string[]> {
    const markers = await listKeys(this.keyv, this.backend, COLLECTION_MARKER_PREFIX);
    const named = markers.map((key) => key.slice(COLLECTION_MARKER_PREFIX.length));
    return [...new Set([...named, ...(await this.legacyList())])].sort();
  }

  private async legacyList(): Promise<string[]> {
    const listed = await this.keyv.get<unknown>(storeKeys.collections);
    if (listed === undefined) return [];
    if (!Array.isArray(listed)) throw new StoreCorruptError(`the ${storeKeys.collections} key does not hold a list`);
    return listed as string[];
  }
}
