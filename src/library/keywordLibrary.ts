/**
 * The keyword side of search, for every collection: an in-memory KeywordIndex each,
 * loaded from the KeywordStore at start, and kept in step with it (store first, then
 * memory, so a crash never leaves memory claiming what the store lost).
 */
import { hasWords, type KeywordDocument } from '../store/keywordDocument.js';
import { KeywordIndex, type KeywordHit, type KeywordSearchOptions } from '../search/keywordIndex.js';
import type { KeywordStore } from '../store/keywordStore.js';

export class KeywordLibrary {
  private readonly indexes = new Map<string, KeywordIndex>();

  private constructor(readonly store: KeywordStore) {}

  static async open(store: KeywordStore, options: { collections?: (collection: string) => boolean } = {}): Promise<KeywordLibrary> {
    const library = new KeywordLibrary(store);
    const wanted = options.collections ?? (() => true);
    for (const collection of await store.collections()) {
      if (!wanted(collection)) continue;
      const index = library.indexOf(collection);
      for (const document of await store.load(collection)) index.put(document);
    }
    return library;
  }

  /** Indexes the document's words, replacing what was there; a document without words is removed. */
  async put(collection: string, document: KeywordDocument): Promise<void> {
    if (!hasWords(document)) {
      await this.remove(collection, [document.id]);
      return;
    }
    await this.store.put(collection, [document]);
    this.indexOf(collection).put(document);
  }

  async remove(collection: string, ids: readonly string[]): Promise<void> {
    const index = this.indexes.get(collection);
    const present = ids.filter((id) => index?.has(id) ?? false);
    if (present.length === 0) return;
    await this.store.remove(collection, present);
    for (const id of present) index?.remove(id);
  }

  async dropCollection(collection: string): Promise<void> {
    await this.store.drop(collection);
    this.indexes.delete(collection);
  }

  has(collection: string, id: string): boolean {
    return this.indexes.get(collection)?.has(id) ?? false;
  }

  size(collection: string): number {
    return this.indexes.get(collection)?.size ?? 0;
  }

  search(collection: string, query: string, options: KeywordSearchOptions): KeywordHit[] {
    return this.indexes.get(collection)?.search(query, options) ?? [];
  }

  private indexOf(collection: string): KeywordIndex {
    let index = this.indexes.get(collection);
    if (index === undefined) this.indexes.set(collection, (index = new KeywordIndex()));
    return index;
  }
}
