/**
 * A text query answered by meaning, by words, or both fused. The two sources come bound to
 * a collection and its filters (see library/librarySearch.ts), so both sides see the same images.
 */
import type { KeywordHit } from './keywordIndex.js';
import { fuseRankings, meaningOnly, wordsOnly, type FusedHit, type MatchMode, type MeaningHit } from './rankFusion.js';

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
