/**
 * A text query over one collection, answered by meaning (the vector index), by words (the
 * keyword index) or both fused (see rankFusion.ts), with the same filters on both sides:
 * the channel, author and date filter, and the caller's permission check on every image.
 */
import type { ImageInfo } from '../store/imageRecord.js';
import { hybridSearch } from '../search/hybridSearch.js';
import type { KeywordHit, KeywordSearchOptions } from '../search/keywordIndex.js';
import type { FoundBy, MatchMode } from '../search/rankFusion.js';
import { resolveFilter, rowAllowed, type SearchFilter } from '../search/vectorFilter.js';
import type { CollectionRecords } from './collectionRecords.js';

export interface LibrarySearchOptions {
  /** The query's words (and its meaning, unless `vector` is given). */
  text: string;
  /** The query already embedded, when the caller has it (saves embedding it again). */
  vector?: Float32Array;
  /** Default 'both'. */
  mode?: MatchMode;
  limit: number;
  /** Channels, author, dates: applied inside the vector scan, and to every word match. */
  filter?: SearchFilter;
  /** Whoever asks may see this image (e.g. may read its channel): checked on every result of either side. */
  allowed?: (image: ImageInfo) => boolean;
}

export interface LibraryHit {
  /** Built for this hit only. */
  image: ImageInfo;
  /** Cosine similarity for meaning; BM25 for words; the fused score (0..1, rankFusion.ts) for both. */
  score: number;
  foundBy: FoundBy;
  /** The image's words that matched the query (empty when found by meaning alone). */
  matchedWords: string[];
}

/** What a search of one collection needs from the library. */
export interface SearchableCollection {
  records: CollectionRecords;
  embedText(text: string): Promise<Float32Array>;
  searchWords(query: string, options: KeywordSearchOptions): KeywordHit[];
}

export async function searchCollection(collection: SearchableCollection, options: LibrarySearchOptions): Promise<LibraryHit[]> {
  const { records } = collection;
  const table = records.searchable;
  const allowed = options.allowed;
  // Each image is built once, when first needed (by the permission check, or for the results).
  const seen = new Map<string, ImageInfo>();
  const imageOf = (id: string, row = table.find(id)): ImageInfo | undefined => {
    let image = seen.get(id);
    if (image === undefined && row >= 0) seen.set(id, (image = table.infoAt(row)));
    return image;
  };
  const mayShow = (id: string, row: number): boolean => allowed === undefined || allowed(imageOf(id, row)!);
  const rowFilter = resolveFilter(table, options.filter);
  const sources = {
    async meaning(_query: string, limit: number) {
      if (rowFilter === null) return [];
      const vector = options.vector ?? (await collection.embedText(options.text));
      const { rows, scores } = records.search(vector, limit, options.filter);
      return rows.flatMap((row, i) => {
        const id = table.idAt(row);
        return mayShow(id, row) ? [{ id, score: scores[i] as number }] : [];
      });
    },
    words(query: string, limit: number) {
      if (rowFilter === null) return [];
      const accepts = (id: string): boolean => {
        const row = table.find(id);
        return row >= 0 && rowAllowed(rowFilter, table, row) && mayShow(id, row);
      };
      return collection.searchWords(query, { limit, filter: accepts });
    },
  };
  const fused = await hybridSearch(options.text, options.mode ?? 'both', options.limit, sources);
  // An image removed while the query was embedded is left out.
  return fused.flatMap((hit) => {
    const image = imageOf(hit.id);
    return image === undefined ? [] : [{ image, score: hit.score, foundBy: hit.foundBy, matchedWords: hit.matchedWords }];
  });
}
