/**
 * One ranking from two: images ranked by meaning (vector similarity) and by words
 * (keyword index), merged by reciprocal rank fusion (Cormack, Clarke & Büttcher 2009):
 * each list adds weight / (k + rank). RRF needs no common scale between cosine
 * similarities and BM25 scores, and an image near the top of both lists beats one at
 * the top of only one. A word match counts in proportion to the share of the query's
 * words it matched, so matching one common word of a long description does not
 * outrank what the description means.
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

export interface FusionOptions {
  limit: number;
  /** RRF's k: larger flattens the difference between ranks (default 60, the paper's value). */
  k?: number;
}

export function fuseRankings(meaning: readonly MeaningHit[], words: readonly KeywordHit[], options: FusionOptions): FusedHit[] {
  const k = options.k ?? 60;
  const fused = new Map<string, FusedHit>();
  meaning.forEach((hit, rank) => {
    fused.set(hit.id, { id: hit.id, score: 1 / (k + rank + 1), foundBy: 'meaning', matchedWords: [] });
  });
  words.forEach((hit, rank) => {
    const contribution = hit.coverage / (k + rank + 1);
    const existing = fused.get(hit.id);
    if (existing === undefined) {
      fused.set(hit.id, { id: hit.id, score: contribution, foundBy: 'words', matchedWords: hit.matchedWords });
    } else {
      existing.score += contribution;
      existing.foundBy = 'both';
      existing.matchedWords = hit.matchedWords;
    }
  });
  // On equal scores a word match goes first (it is the more specific evidence), then ids in order.
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || b.matchedWords.length - a.matchedWords.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .slice(0, options.limit);
}

/** Results of one mode in the fused shape, so callers render every mode alike. */
export function meaningOnly(meaning: readonly MeaningHit[], limit: number): FusedHit[] {
  return meaning.slice(0, limit).map((hit) => ({ id: hit.id, score: hit.score, foundBy: 'meaning', matchedWords: [] }));
}

export function wordsOnly(words: readonly KeywordHit[], limit: number): FusedHit[] {
  return words.slice(0, limit).map((hit) => ({ id: hit.id, score: hit.score, foundBy: 'words', matchedWords: hit.matchedWords }));
}
