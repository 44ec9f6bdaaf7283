import type { ImageStore } from './imageStore.js';

export interface MigratedCollection {
  collection: string;
  records: number;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

/** Keyword documents per write while copying (the target compacts them into segments after). */
const KEYWORD_BATCH = 20_000;

/**
 * Copies every collection (records with their embeddings, their words, settings, cursors) and
 * the model adoptions from one store to another, then reads the target back and compares counts. Refuses a target
 * that already holds any of the collections, so nothing is merged or overwritten.
 */
export async function migrateStore(
  from: ImageStore,
  to: ImageStore,
  onProgress?: (collection: string, copied: number) => void,
): Promise<MigratedCollection[]> {
  const collections = await from.collections();
  const occupied = new Set(await to.collections());
  const clash = collections.filter((collection) => occupied.has(collection));
  if (clash.length > 0) {
    throw new MigrationError(
      `the target store already holds ${clash.length} of these collections (${clash.slice(0, 3).join(', ')}…); migrate into an empty store`,
    );
  }
  const adoptions = await from.modelAdoptions();
  if (Object.keys(adoptions).length > 0) await to.setModelAdoptions(adoptions);
  const copied: MigratedCollection[] = [];
  for (const collection of collections) {
    let records = 0;
    const seen = new Set<string>();
    for await (const batch of from.loadCollection(collection)) {
      await to.putBulk([...batch]);
      for (const record of batch) seen.add(record.id);
      records += batch.length;
      onProgress?.(collection, records);
    }
    const documents = await from.keywords.load(collection);
    for (let start = 0; start < documents.length; start += KEYWORD_BATCH) {
      await to.keywords.put(collection, documents.slice(start, start + KEYWORD_BATCH));
    }
    if (documents.length > 0) await to.keywords.compact(collection);
    const settings = await from.getSettings<unknown>(collection);
    if (settings !== undefined) await to.setSettings(collection, settings);
    for (const [key, value] of Object.entries(await from.cursors(collection))) await to.setCursor(collection, key, value);
    copied.push({ collection, records: seen.size });
  }
  for (const { collection, records } of copied) {
    let arrived = 0;
    for await (const batch of to.loadCollection(collection)) arrived += batch.length;
    if (arrived !== records) {
      throw new MigrationError(`collection ${collection}: copied ${records} records but the target holds ${arrived}`);
    }
  }
  return copied;
}
