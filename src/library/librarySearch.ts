/**
 * A text query over one collection, answered by meaning (the vector index), by words (the
 * keyword index) or both fused (see rankFusion.ts), with the same filter on both sides: the
 * channel, author and date filter, which is also what the caller may see (a member's readable
 * channels). Both sides look only at the images it accepts: the vector scan checks it on every
 * row, and word matches are found and scored among those images alone, so images it leaves out
 * change no score and no order.
 */
import type { ImageInfo } from '../store/imageRecord.js';
import { hybridSearch } from '../search/hybridSearch.js';
import type { KeywordHit, KeywordSearchOptions } from '../search/keywordIndex.js';
import type { FoundBy, MatchMode } from '../search/rankFusion.js';
import { allowsAll, resolveFilter, rowAllowed, type FilterColumns, type RowFilter, type SearchFilter } from '../search/vectorFilter.js';
import type { CollectionRecords } from './collectionRecords.js';

export interface LibrarySearchOptions {
  /** The query's words (and its meaning, unless `vector` is given). */
  text: string;
  /** The query already embedded, when the caller has it (saves embedding it again). */
  vector?: Float32Array;
  /** Default 'both'. */
  mode?: MatchMode;
  limit: number;
  /** Channels (those the caller may see), author, dates: applied inside the vector scan, and to every word match and its score. */
  filter?: SearchFilter;
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
  const rowFilter = resolveFilter(table, options.filter);
  const sources = {
    async meaning(_query: string, limit: number) {
      if (rowFilter === null) return [];
      const vector = options.vector ?? (await collection.embedText(options.text));
      const { rows, scores } = records.search(vector, limit, options.filter);
      return rows.map((row, i) => ({ id: table.idAt(row), score: scores[i] as number }));
    },
    words(query: string, limit: number) {
      if (rowFilter === null) return [];
      const accepts = (id: string): boolean => {
        const row = table.find(id);
        return row >= 0 && rowAllowed(rowFilter, table, row);
      };
      return collection.searchWords(query, { limit, scope: { accepts, size: rowsAccepted(table, rowFilter) } });
    },
  };
  const fused = await hybridSearch(options.text, options.mode ?? 'both', options.limit, sources);
  // An image removed while the query was embedded is left out.
  return fused.flatMap((hit) => {
    const row = table.find(hit.id);
    return row < 0 ? [] : [{ image: table.infoAt(row), score: hit.score, foundBy: hit.foundBy, matchedWords: hit.matchedWords }];
  });
}

/** How many rows the filter accepts: the images a search may see, with words or without. */
function rowsAccepted(table: FilterColumns & { size: number }, filter: RowFilter): number {
  if (allowsAll(filter)) return table.size;
  let accepted = 0;
  for (let row = 0; row < table.size; row++) if (rowAllowed(filter, table, row)) accepted++;
  return accepted;
}
