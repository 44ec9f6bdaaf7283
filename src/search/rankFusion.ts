/**
 * One ranking from two: images ranked by meaning (vector similarity) and by words (keyword
 * index). Relative score fusion: each image scores
 *   MEANING_WEIGHT × its similarity, scaled so the list's best is 1 and its last 0,
 * + WORDS_WEIGHT × its word coverage (the rarity-weighted share of the query's words it holds).
 * Chosen over reciprocal rank fusion, which scores by rank alone: there, neighbouring meaning
 * ranks differ by less than any word match adds, so an image matching one common word of a
 * description ("the") jumped over better meaning matches, and any image in both lists beat the
 * best meaning match. Here a common word adds little, an image holding every word of the query
 * ranks above one that only means it (WORDS_WEIGHT > MEANING_WEIGHT), and between images
 * holding the same words, meaning decides.
 */
import type { KeywordHit } from './keywordIndex.js';

export type MatchMode = 'meaning' | 'words' | 'both';
export const MATCH_MODES: readonly MatchMode[] = ['meaning', 'words', 'both'];

/** How a result was found: its meaning ranked it, its words matched, or both. */
export type FoundBy = 'meaning' | 'words' | 'both';

export interface MeaningHit {
  id: string;
  score: number;
}

export interface FusedHit {
  id: string;
  score: number;
  foundBy: FoundBy;
  /** The image's words that matched the query, for display (empty when found by meaning alone). */
  matchedWords: string[];
}

export const MEANING_WEIGHT = 0.45;
export const WORDS_WEIGHT = 0.55;

/** `meaning` best first (as the vector index returns it); `words` as the keyword index returns it. */
export function fuseRankings(meaning: readonly MeaningHit[], words: readonly KeywordHit[], options: { limit: number }): FusedHit[] {
  const best = meaning[0]?.score ?? 0;
  const spread = best - (meaning.at(-1)?.score ?? 0);
  const fused = new Map<string, FusedHit & { coverage: number }>();
  for (const hit of meaning) {
    const relative = spread > 0 ? (hit.score - (best - spread)) / spread : 1;
    fused.set(hit.id, { id: hit.id, score: MEANING_WEIGHT * relative, foundBy: 'meaning', matchedWords: [], coverage: 0 });
  }
  for (const hit of words) {
    const existing = fused.get(hit.id);
    const entry = existing ?? { id: hit.id, score: 0, foundBy: 'words' as FoundBy, matchedWords: [], coverage: 0 };
    entry.score += WORDS_WEIGHT * hit.coverage;
    entry.foundBy = existing === undefined ? 'words' : 'both';
    entry.matchedWords = hit.matchedWords;
    entry.coverage = hit.coverage;
    fused.set(hit.id, entry);
  }
  // On equal scores word evidence goes first (it is the more specific), then ids in order.
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || b.coverage - a.coverage || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.limit)
    .map(({ coverage: _coverage, ...hit }) => hit);
}

/** Results of one mode in the fused shape, so callers render every mode alike. */
export function meaningOnly(meaning: readonly MeaningHit[], limit: number): FusedHit[] {
  return meaning.slice(0, limit).map((hit) => ({ id: hit.id, score: hit.score, foundBy: 'meaning', matchedWords: [] }));
}

export function wordsOnly(words: readonly KeywordHit[], limit: number): FusedHit[] {
  return words.slice(0, limit).map((hit) => ({ id: hit.id, score: hit.score, foundBy: 'words', matchedWords: hit.matchedWords }));
}
