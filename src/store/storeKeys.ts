/**
 * The names of everything the image store keeps in keyv (inside keyv's namespace).
 * Collection names are restricted so that no two collections' keys can collide.
 */

export class InvalidCollectionError extends Error {
  constructor(collection: unknown) {
    super(
      `invalid collection name ${JSON.stringify(collection)}: use 1-100 characters from A-Z a-z 0-9 . _ - ` + "(a guild id, or 'local')",
    );
    this.name = 'InvalidCollectionError';
  }
}

const COLLECTION_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function checkCollection(collection: string): string {
  if (typeof collection !== 'string' || !COLLECTION_NAME.test(collection)) throw new InvalidCollectionError(collection);
  return collection;
}

/** Keys starting with this name the collections that hold records (see storeKeys.collectionMarker). */
export const COLLECTION_MARKER_PREFIX = 'collection:';

export const storeKeys = {
  /** { version, writtenBy }: refused at open when newer than this code understands. */
  schema: 'schema',
  /**
   * true: this collection holds (or held, until dropped) image records. One key per collection,
   * written by its single writer, listed by prefix.
   */
  collectionMarker: (collection: string) => `${COLLECTION_MARKER_PREFIX}${collection}`,
  /** string[]: the collections, as stores written before the markers listed them (read, never extended). */
  collections: 'collections',
  /** The manifest: which segments make up a collection and where its journal starts. */
  manifest: (collection: string) => `m:${collection}`,
  /** An immutable segment: many records in one encoded batch. */
  segment: (collection: string, n: number) => `s:${collection}:${n}`,
  /** Immutable lists of the entries of segments that later writes replaced or deleted. */
  dead: (collection: string, generation: number) => `d:${collection}:${generation}`,
  /** One journal entry: a put (encoded records) or a delete (ids). */
  journal: (collection: string, seq: number) => `j:${collection}:${seq}`,
  settings: (collection: string) => `settings:${collection}`,
  /** { [legacy model stamp]: model id }: which model's files each old stamp was adopted for (engine.ts). */
  modelAdoptions: 'model-adoptions',
  /** { [cursorKey]: value }: all progress cursors of a collection in one small value. */
  cursors: (collection: string) => `cursors:${collection}`,
} as const;
