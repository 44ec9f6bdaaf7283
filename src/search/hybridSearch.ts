/**
 * A text query answered by meaning, by words, or both fused, with the same filters on
 * both sides: the vector search applies them in its scan, the keyword search through
 * an id predicate built from the same filter (plus any permission check the caller adds).
 */
import type { KeywordHit } from './keywordIndex.js';
import { fuseRankings, meaningOnly, wordsOnly, type FusedHit, type MatchMode, type MeaningHit } from './rankFusion.js';
import type { SearchFilter } from './vectorFilter.js';

/** The two searches, each already bound to a collection and filter. */
export interface HybridSources {
  meaning(query: string, limit: number): Promise<MeaningHit[]>;
  words(query: string, limit: number): KeywordHit[];
}

/** How deep each list is read before fusing: deeper than the page, so fusion can reorder it. */
const FUSION_DEPTH = 100;

export async function hybridSearch(query: string, mode: MatchMode, limit: number, sources: HybridSources): Promise<FusedHit[]> {
  switch (mode) {
    case 'meaning':
      return meaningOnly(await sources.meaning(query, limit), limit);
    case 'words':
      return wordsOnly(sources.words(query, limit), limit);
    case 'both': {
      const depth = Math.max(limit, FUSION_DEPTH);
      return fuseRankings(await sources.meaning(query, depth), sources.words(query, depth), { limit });
    }
  }
}

/** What the keyword side needs to know of an image to apply a SearchFilter. */
export interface FilterableImage {
  channelId: string;
  authorId: string;
  createdAt: number;
}

/**
 * The SearchFilter as an id predicate for the keyword index: the image must exist
 * (`imageOf`), pass the filter exactly as the vector scan applies it, and pass `allowed`
 * (for example, the member may read its channel).
 */
export function keywordFilter(
  filter: SearchFilter | undefined,
  imageOf: (id: string) => FilterableImage | undefined,
  allowed: (image: FilterableImage) => boolean = () => true,
): (id: string) => boolean {
  const after = filter?.after ?? -Infinity;
  const before = filter?.before ?? Infinity;
  return (id) => {
    const image = imageOf(id);
    if (image === undefined) return false;
    if (filter?.channelIds !== undefined && !filter.channelIds.has(image.channelId)) return false;
    if (filter?.authorId !== undefined && image.authorId !== filter.authorId) return false;
    return image.createdAt > after && image.createdAt < before && allowed(image);
  };
}
