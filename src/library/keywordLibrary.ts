/**
 * The keyword side of search, for every collection: an in-memory KeywordIndex each,
 * loaded from the KeywordStore at start, and kept in step with it (store first, then
 * memory, so a crash never leaves memory claiming what the store lost). The image
 * library owns it and removes an image's words whenever it removes the image.
 */
import { worthKeeping, type KeywordDocument, type SurroundingWords } from '../store/keywordDocument.js';
import { KeywordIndex, type KeywordHit, type KeywordSearchOptions } from '../search/keywordIndex.js';
import type { KeywordStore } from '../store/keywordStore.js';

export interface KeywordLoadOptions {
  /**
   * Whether an image is still indexed. Words of images that are not (left by a crash between
   * removing an image and its words) are dropped at load, and from the store when it is writable.
   */
  exists?: (collection: string, id: string) => boolean;
}

export class KeywordLibrary {
  private readonly indexes = new Map<string, KeywordIndex>();

  constructor(readonly store: KeywordStore) {}

  /** Loads the documents of these collections from the store. */
  async load(collections: readonly string[], options: KeywordLoadOptions = {}): Promise<void> {
    for (const collection of collections) {
      const index = this.indexOf(collection);
      const orphans: string[] = [];
      for (const document of await this.store.load(collection)) {
        if (options.exists?.(collection, document.id) === false) orphans.push(document.id);
        else index.put(document);
      }
      if (orphans.length > 0 && this.store.writable) await this.store.remove(collection, orphans);
    }
  }

  /**
   * The words around an image (message text, file name, alt text), as they are now. What OCR
   * read is kept, unless the image itself changed (then it must be read again). Writes only
   * when something changed, so indexing the same images again costs nothing here.
   */
  async describe(collection: string, id: string, words: SurroundingWords, options: { imageChanged: boolean }): Promise<void> {
    const current = this.get(collection, id);
    const imageText = options.imageChanged ? undefined : current?.imageText;
    await this.put(collection, documentOf(id, imageText, words));
  }

  /** What OCR read in an image ('' for no text): marks it read, beside its other words. */
  async setImageText(collection: string, id: string, text: string): Promise<void> {
    await this.put(collection, { ...(this.get(collection, id) ?? { id }), imageText: text });
  }

  /** Whether OCR has read this image (its text is stored, possibly empty). */
  isRead(collection: string, id: string): boolean {
    return this.get(collection, id)?.imageText !== undefined;
  }

  get(collection: string, id: string): KeywordDocument | undefined {
    return this.indexes.get(collection)?.get(id);
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

  /** Indexes the document, replacing what was there; one that holds nothing worth keeping is removed. */
  private async put(collection: string, document: KeywordDocument): Promise<void> {
    if (!worthKeeping(document)) return this.remove(collection, [document.id]);
    if (sameDocument(this.get(collection, document.id), document)) return;
    await this.store.put(collection, [document]);
    this.indexOf(collection).put(document);
  }

  private indexOf(collection: string): KeywordIndex {
    let index = this.indexes.get(collection);
    if (index === undefined) this.indexes.set(collection, (index = new KeywordIndex()));
    return index;
  }
}

/** The document as the store gives it back: empty surrounding fields are absent. */
function documentOf(id: string, imageText: string | undefined, words: SurroundingWords): KeywordDocument {
  const document: KeywordDocument = { id };
  if (imageText !== undefined) document.imageText = imageText;
  for (const field of ['messageText', 'fileName', 'description'] as const) {
    const value = words[field];
    if (value !== undefined && value !== '') document[field] = value;
  }
  return document;
}

function sameDocument(a: KeywordDocument | undefined, b: KeywordDocument): boolean {
  return (
    a !== undefined &&
    a.imageText === b.imageText &&
    a.messageText === b.messageText &&
    a.fileName === b.fileName &&
    a.description === b.description
  );
}
