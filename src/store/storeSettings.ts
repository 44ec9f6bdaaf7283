import type { Keyv } from 'keyv';
import { checkCollection, storeKeys } from './storeKeys.js';
import { Mutex } from './storeState.js';

/**
 * Per-collection settings (one JSON value) and progress cursors (one JSON value
 * holding every cursor of the collection, so that dropping a collection can find
 * them all; one writer per collection keeps the read-modify-write safe).
 */
export class StoreSettings {
  private readonly cursorLocks = new Map<string, Mutex>();

  constructor(private readonly keyv: Keyv) {}

  async get<T>(collection: string): Promise<T | undefined> {
    return await this.keyv.get(storeKeys.settings(checkCollection(collection)));
  }

  async set<T>(collection: string, value: T): Promise<void> {
    await this.keyv.set(storeKeys.settings(checkCollection(collection)), value);
  }

  async cursors(collection: string): Promise<Record<string, unknown>> {
    return ((await this.keyv.get(storeKeys.cursors(checkCollection(collection)))) as Record<string, unknown> | undefined) ?? {};
  }

  async getCursor<T>(collection: string, key: string): Promise<T | undefined> {
    const cursors = await this.cursors(collection);
    return Object.hasOwn(cursors, key) ? (cursors[key] as T) : undefined;
  }

  async setCursor<T>(collection: string, key: string, value: T): Promise<void> {
    await this.updateCursors(collection, (cursors) => (cursors[key] = value));
  }

  async deleteCursor(collection: string, key: string): Promise<void> {
    await this.updateCursors(collection, (cursors) => delete cursors[key]);
  }

  /** Deletes the collection's settings and cursors. */
  async drop(collection: string): Promise<void> {
    await this.keyv.deleteMany([storeKeys.settings(checkCollection(collection)), storeKeys.cursors(collection)]);
  }

  private async updateCursors(collection: string, change: (cursors: Record<string, unknown>) => void): Promise<void> {
    checkCollection(collection);
    let lock = this.cursorLocks.get(collection);
    if (lock === undefined) this.cursorLocks.set(collection, (lock = new Mutex()));
    await lock.run(async () => {
      const key = storeKeys.cursors(collection);
      const cursors = await this.cursors(collection);
      change(cursors);
      if (Object.keys(cursors).length === 0) await this.keyv.delete(key);
      else await this.keyv.set(key, cursors);
    });
  }
}
