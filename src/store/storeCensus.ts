import type { ImageStore } from './imageStore.js';

/** Records of one collection, by the model that embedded them. */
export interface CollectionCensus {
  collection: string;
  byModel: Map<string, number>;
}

/**
 * Counts the records of every collection by model, straight from the store: no model and no
 * index needed (what `stats` shows). Reads every segment once, keeping nothing.
 */
export async function countRecordsByModel(store: ImageStore): Promise<CollectionCensus[]> {
  const census: CollectionCensus[] = [];
  for (const collection of await store.collections()) {
    const byModel = new Map<string, number>();
    for await (const { columns, entries } of store.loadCollection(collection)) {
      const models = columns.data.dict.models;
      for (const i of entries) {
        const model = models[columns.data.model[i] as number] as string;
        byModel.set(model, (byModel.get(model) ?? 0) + 1);
      }
    }
    if (byModel.size > 0) census.push({ collection, byModel });
  }
  return census;
}
