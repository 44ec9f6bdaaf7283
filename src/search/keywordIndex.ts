/**
 * Full-text search over the words of one collection's images (text read from the
 * image, the message, the file name, the alt text), in memory, with MiniSearch: prefix
 * and typo-tolerant matching (OCR misreads a letter now and then), and removal of single
 * documents. MiniSearch finds the matches; they are ranked by BM25 measured over the
 * documents the search may see alone (scopedBm25.ts), not by MiniSearch's own scores,
 * which count every document it holds. Chosen over FlexSearch (no per-result matched terms,
 * weaker typings) and Orama (schema-bound, larger, asynchronous API) for a small,
 * dependency-free library that says which words matched, for display.
 */
import MiniSearch, { type Query, type SearchResult } from 'minisearch';
import { KEYWORD_FIELDS, type KeywordDocument } from '../store/keywordDocument.js';
import { brokenWord, fuzziness, looseWeight, prefixAllowed } from './looseForms.js';
import { idf, scopedScores, wordCounts, type WordCounts } from './scopedBm25.js';
import { TopK } from './topK.js';
import { normaliseWord, termsOf, wordsAsWritten } from './wordNormalisation.js';

export interface KeywordHit {
  id: string;
  /** BM25, among the documents the search may see. */
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

/** The documents a search may see: it finds and ranks as if the index held only those. */
export interface KeywordScope {
  /** Whether the search may see this document (permissions, channel, author and date filters). */
  accepts(id: string): boolean;
  /** How many documents it may see, those without words included: how rare a word is, is measured among them. */
  size: number;
}

export interface KeywordSearchOptions {
  limit: number;
  /** Default: every document. */
  scope?: KeywordScope;
}

const EXACT = { prefix: false, fuzzy: false } as const;
const LOOSE = { prefix: prefixAllowed, fuzzy: fuzziness } as const;

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
  /** Each document's field lengths and repeated terms, for BM25 over the documents a search may see. */
  private readonly counts = new Map<string, WordCounts>();

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
    this.counts.set(document.id, wordCounts(document, termsOf));
  }

  remove(id: string): boolean {
    if (!this.engine.has(id)) return false;
    this.engine.discard(id);
    this.counts.delete(id);
    return true;
  }

  /**
   * The best matches, by BM25 over the documents the scope accepts (see scopedBm25.ts: what it
   * leaves out changes no score, no order). A query word that some accepted document holds
   * exactly matches only exactly; a word no accepted document holds is looked for as OCR may have
   * misread it: as a prefix, with typos, and broken in two. So "cat" finds the image reading
   * "cat", not "category" or "coat", while "helicopter" still finds "HEL1COPTER" and "gorilla"
   * "GOR ILLA" when nothing reads "helicopter" or "gorilla".
   */
  search(query: string, options: KeywordSearchOptions): KeywordHit[] {
    const terms = [...new Set(termsOf(query))];
    if (terms.length === 0 || options.limit <= 0) return [];
    const scope = options.scope;
    const searchOptions = scope === undefined ? {} : { filter: (result: SearchResult) => scope.accepts(result.id as string) };
    const exact = this.engine.search({ ...EXACT, queries: terms }, searchOptions);
    const holding = new Map<string, number>(); // term → accepted documents holding it exactly
    for (const result of exact) for (const term of result.queryTerms) holding.set(term, (holding.get(term) ?? 0) + 1);
    const missing = terms.filter((term) => !holding.has(term));
    const results = missing.length === 0 ? exact : this.engine.search(looseQuery([...holding.keys()], missing), searchOptions);
    const documents = Math.max(scope?.size ?? this.size, results.length);
    const scores = scopedScores(results, (id) => this.counts.get(id)!, documents, formWeights(terms, missing));
    const weight = new Map(terms.map((term) => [term, idf(documents, holding.get(term) ?? 0)]));
    const pieces = new Map(
      missing.flatMap((term) =>
        brokenWord(term)
          .flat()
          .map((piece) => [piece, term] as const),
      ),
    );
    const queryTermOf = (term: string): string => (weight.has(term) ? term : (pieces.get(term) ?? term));
    // Equal scores in id order, so that the same matches rank alike whatever else the index holds.
    const best = new TopK(options.limit, (a, b) => (results[a]!.id as string) < (results[b]!.id as string));
    scores.forEach((score, i) => best.push(score, i));
    return best.sorted().rows.map((i) => {
      const result = results[i]!;
      return toHit(result, scores[i]!, weight, queryTermOf, this.writtenForms(result.id as string));
    });
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
 * How much each document word a match holds counts: a query word itself 1, and so each piece of
 * a broken word whose other piece the document holds too; a prefix match or a near miss of a
 * missing word less (looseForms.ts).
 */
function formWeights(terms: readonly string[], missing: readonly string[]): (word: string, match: SearchResult) => number {
  const queried = new Set(terms);
  const splits = missing.flatMap(brokenWord);
  const loose = new Map<string, number>();
  return (word, match) => {
    if (queried.has(word)) return 1;
    const held = (piece: string) => Object.hasOwn(match.match, piece);
    if (splits.some(([first, rest]) => (first === word || rest === word) && held(first) && held(rest))) return 1;
    let weight = loose.get(word);
    if (weight === undefined) loose.set(word, (weight = Math.max(0, ...missing.map((term) => looseWeight(word, term)))));
    return weight;
  };
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
  score: number,
  weight: ReadonlyMap<string, number>,
  queryTermOf: (term: string) => string,
  written: ReadonlyMap<string, string>,
): KeywordHit {
  const found = new Set(result.queryTerms.map(queryTermOf));
  const total = [...weight.values()].reduce((sum, w) => sum + w, 0);
  const matched = [...found].reduce((sum, term) => sum + (weight.get(term) ?? 0), 0);
  return {
    id: result.id as string,
    score,
    matchedWords: [...new Set([...result.terms].sort().map((term) => written.get(term) ?? term))],
    coverage: [...weight.keys()].every((term) => found.has(term)) ? 1 : total > 0 ? matched / total : 0,
  };
}
