/**
 * Full-text search over the words of one collection's images (text read from the
 * image, the message, the file name, the alt text), in memory, with MiniSearch:
 * BM25 ranking, prefix and typo-tolerant matching (OCR misreads a letter now and then),
 * and removal of single documents. Chosen over FlexSearch (no per-result matched terms,
 * weaker typings) and Orama (schema-bound, larger, asynchronous API) for a small,
 * dependency-free library that says which words matched, for display.
 */
import MiniSearch, { type SearchResult } from 'minisearch';
import { KEYWORD_FIELDS, type KeywordDocument } from '../store/keywordDocument.js';

export interface KeywordHit {
  id: string;
  score: number;
  /** The document's words that matched the query (lower case), for display. */
  matchedWords: string[];
  /** Share of the query's words that this document matched (0..1]. */
  coverage: number;
}

export interface KeywordSearchOptions {
  limit: number;
  /** Only ids this accepts (permissions, channel, author and date filters). */
  filter?: (id: string) => boolean;
}

/** Words: runs of letters and digits, lower-cased ("Pineapple_wizard.PNG" → pineapple, wizard, png). */
export function keywordTerms(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** Typos are forgiven in words of 5 letters or more: one edit up to 8 letters, two beyond. */
function fuzziness(term: string): number {
  return term.length < 5 ? 0 : term.length <= 8 ? 1 : 2;
}

export class KeywordIndex {
  private readonly engine = new MiniSearch<KeywordDocument>({
    fields: [...KEYWORD_FIELDS],
    storeFields: [],
    tokenize: keywordTerms,
    processTerm: (term) => term,
    searchOptions: { prefix: (term) => term.length >= 4, fuzzy: fuzziness, combineWith: 'OR' },
  });

  get size(): number {
    return this.engine.documentCount;
  }

  has(id: string): boolean {
    return this.engine.has(id);
  }

  /** Adds the document, replacing any with the same id. */
  put(document: KeywordDocument): void {
    if (this.engine.has(document.id)) this.engine.discard(document.id);
    this.engine.add(document);
  }

  remove(id: string): boolean {
    if (!this.engine.has(id)) return false;
    this.engine.discard(id);
    return true;
  }

  search(query: string, options: KeywordSearchOptions): KeywordHit[] {
    const queryTerms = new Set(keywordTerms(query));
    if (queryTerms.size === 0 || options.limit <= 0) return [];
    const filter = options.filter;
    const results = this.engine.search([...queryTerms].join(' '), filter === undefined ? {} : { filter: (result) => filter(result.id as string) });
    return results.slice(0, options.limit).map((result) => toHit(result, queryTerms.size));
  }
}

function toHit(result: SearchResult, queryTermCount: number): KeywordHit {
  return {
    id: result.id as string,
    score: result.score,
    matchedWords: [...result.terms].sort(),
    coverage: Math.min(1, new Set(result.queryTerms).size / queryTermCount),
  };
}
