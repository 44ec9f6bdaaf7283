/**
 * Full-text search over the words of one collection's images (text read from the
 * image, the message, the file name, the alt text), in memory, with MiniSearch:
 * BM25 ranking, prefix and typo-tolerant matching (OCR misreads a letter now and then),
 * and removal of single documents. Chosen over FlexSearch (no per-result matched terms,
 * weaker typings) and Orama (schema-bound, larger, asynchronous API) for a small,
 * dependency-free library that says which words matched, for display.
 */
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import { KEYWORD_FIELDS, type KeywordDocument } from '../store/keywordDocument.js';
import { normaliseWord, termsOf, wordsAsWritten } from './wordNormalisation.js';

export interface KeywordHit {
  id: string;
  score: number;
  /** The document's words that matched the query, as written there ("Straße" for "strasse"), for display. */
  matchedWords: string[];
  /**
   * How much of the query this document matched (0..1]: the share of its words found, each
   * weighted by its rarity (BM25's idf), so a word most images hold ("the") counts for little
   * and a word only this image holds for much. 1 when every word of the query is found.
   */
  coverage: number;
}

export interface KeywordSearchOptions {
  limit: number;
  /** Only ids this accepts (permissions, channel, author and date filters). */
  filter?: (id: string) => boolean;
}

/** Typos are forgiven in words of 5 letters or more: one edit up to 8 letters, two beyond. */
function fuzziness(term: string): number {
  return term.length < 5 ? 0 : term.length <= 8 ? 1 : 2;
}

const EXACT = { prefix: false, fuzzy: false } as const;
const LOOSE = { prefix: (term: string) => term.length >= 4, fuzzy: fuzziness } as const;

export class KeywordIndex {
  private readonly engine = new MiniSearch<KeywordDocument>({
    fields: [...KEYWORD_FIELDS],
    // Kept so that an edit of one field (a message's text) can rewrite the others unchanged.
    storeFields: [...KEYWORD_FIELDS],
    // The words as written, then their terms (wordNormalisation.ts): MiniSearch applies both to
    // documents and to queries, so the two are always normalised alike.
    tokenize: wordsAsWritten,
    processTerm: (word) => normaliseWord(word),
    searchOptions: { combineWith: 'OR', tokenize: (text) => wordsAsWritten(text) },
  });

  get size(): number {
    return this.engine.documentCount;
  }

  has(id: string): boolean {
    return this.engine.has(id);
  }

  /** The document as last put, or undefined. */
  get(id: string): KeywordDocument | undefined {
    const fields = this.engine.getStoredFields(id) as Omit<KeywordDocument, 'id'> | undefined;
    return fields === undefined ? undefined : { id, ...fields };
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

  /**
   * The best matches, by BM25. A query word that some accepted document holds exactly matches
   * only exactly; a word no accepted document holds is looked for as OCR may have misread it: as
   * a prefix, with typos, and broken in two. So "cat" finds the image reading "cat", not
   * "category" or "coat", while "helicopter" still finds "HEL1COPTER" and "gorilla" "GOR ILLA"
   * when nothing reads "helicopter" or "gorilla".
   */
  search(query: string, options: KeywordSearchOptions): KeywordHit[] {
    const terms = [...new Set(termsOf(query))];
    if (terms.length === 0 || options.limit <= 0) return [];
    const filter = options.filter;
    const searchOptions = filter === undefined ? {} : { filter: (result: SearchResult) => filter(result.id as string) };
    const exact = this.engine.search({ ...EXACT, queries: terms }, searchOptions);
    const holding = new Map<string, number>(); // term → documents holding it exactly
    for (const result of exact) for (const term of result.queryTerms) holding.set(term, (holding.get(term) ?? 0) + 1);
    const missing = terms.filter((term) => !holding.has(term));
    const results = missing.length === 0 ? exact : this.engine.search(looseQuery([...holding.keys()], missing), searchOptions);
    const weight = new Map(terms.map((term) => [term, idf(this.engine.documentCount, holding.get(term) ?? 0)]));
    const pieces = new Map(
      missing.flatMap((term) =>
        brokenWord(term)
          .flat()
          .map((piece) => [piece, term] as const),
      ),
    );
    const queryTermOf = (term: string): string => (weight.has(term) ? term : (pieces.get(term) ?? term));
    return results.slice(0, options.limit).map((result) => toHit(result, weight, queryTermOf, this.writtenForms(result.id as string)));
  }

  /** Each term of a document → the word it was first written as there (fields in KEYWORD_FIELDS order). */
  private writtenForms(id: string): Map<string, string> {
    const forms = new Map<string, string>();
    const document = this.get(id);
    for (const field of KEYWORD_FIELDS) {
      for (const word of wordsAsWritten(document?.[field] ?? '', field)) {
        for (const term of normaliseWord(word)) if (!forms.has(term)) forms.set(term, word);
      }
    }
    return forms;
  }
}

/**
 * The ways OCR may have broken a word in two, with a space at a wide letter gap ("GOR ILLA") or
 * before an apostrophe ("DON 'T", which the query "don't" asks for as "dont"): a first piece of
 * at least 2 letters, and the rest.
 */
function brokenWord(term: string): [string, string][] {
  const splits: [string, string][] = [];
  for (let at = 2; at < term.length; at++) splits.push([term.slice(0, at), term.slice(at)]);
  return splits;
}

/** BM25's inverse document frequency: rarer words weigh more; never negative. */
function idf(documents: number, holding: number): number {
  return Math.log(1 + (documents - holding + 0.5) / (holding + 0.5));
}

function looseQuery(found: string[], missing: string[]): Query {
  const queries: Query[] = [{ ...LOOSE, queries: missing }];
  for (const pieces of missing.flatMap(brokenWord)) queries.push({ ...EXACT, combineWith: 'AND', queries: pieces });
  if (found.length > 0) queries.push({ ...EXACT, queries: found });
  return { combineWith: 'OR', queries };
}

/**
 * `queryTermOf` names the query word a matched term stands for (a piece of a broken word, its
 * whole); `written` the word each of the document's terms was written as.
 */
function toHit(
  result: SearchResult,
  weight: ReadonlyMap<string, number>,
  queryTermOf: (term: string) => string,
  written: ReadonlyMap<string, string>,
): KeywordHit {
  const found = new Set(result.queryTerms.map(queryTermOf));
  const total = [...weight.values()].reduce((sum, w) => sum + w, 0);
  const matched = [...found].reduce((sum, term) => sum + (weight.get(term) ?? 0), 0);
  return {
    id: result.id as string,
    score: result.score,
    matchedWords: [...new Set([...result.terms].sort().map((term) => written.get(term) ?? term))],
    coverage: [...weight.keys()].every((term) => found.has(term)) ? 1 : total > 0 ? matched / total : 0,
  };
}
