/**
 * BM25 for word matches, measured over the documents a search may see and only those.
 *
 * MiniSearch ranks by BM25 over its whole index: how rare a word is, and how long a text is on
 * average, would then count the images in channels the member cannot read, so a score, and the
 * order of the results, would change with the words hidden there (and tell of them). Here a
 * word's rarity is taken among the documents the search may see: their number (the scope's size)
 * and how many of them hold it (counted among the matches, which are all of those the search
 * found it in); and a field's average length among the matches that have the field. MiniSearch's
 * formula and constants otherwise (k 1.2, b 0.7, d 0.5), each field scored on its own and summed.
 */
import type { SearchResult } from 'minisearch';
import { KEYWORD_FIELDS, type KeywordDocument } from '../store/keywordDocument.js';

const K = 1.2;
const B = 0.7;
const D = 0.5;

/**
 * What BM25 needs of a document, in one array, since a collection may hold a hundred thousand:
 * each field's length in words (by position in KEYWORD_FIELDS), then, for each word a field holds
 * more than once (most hold each once), the word, the field's position and how many times.
 */
export type WordCounts = ReadonlyArray<number | string>;

const FIELDS = KEYWORD_FIELDS.length;
const FIELD_POSITION = new Map<string, number>(KEYWORD_FIELDS.map((field, position) => [field, position]));

/** `words` splits a field's text into its words, as the index does. */
export function wordCounts(document: KeywordDocument, words: (text: string, field: string) => string[]): WordCounts {
  const repeats: Array<string | number> = [];
  const lengths = KEYWORD_FIELDS.map((field, position) => {
    const found = words(document[field] ?? '', field);
    const times = new Map<string, number>();
    for (const word of found) times.set(word, (times.get(word) ?? 0) + 1);
    for (const [word, count] of times) if (count > 1) repeats.push(word, position, count);
    return found.length;
  });
  // One array of exactly its size: a spread or a growing array keeps spare room.
  const counts = new Array<number | string>(FIELDS + repeats.length);
  lengths.forEach((length, position) => (counts[position] = length));
  repeats.forEach((value, i) => (counts[FIELDS + i] = value));
  return counts;
}

function fieldLength(counts: WordCounts, position: number): number {
  return counts[position] as number;
}

/** How often a field of the document holds the word (it holds it, as its match says). */
function timesHeld(counts: WordCounts, word: string, position: number): number {
  for (let i = FIELDS; i < counts.length; i += 3) if (counts[i] === word && counts[i + 1] === position) return counts[i + 2] as number;
  return 1;
}

/** BM25's inverse document frequency: rarer words weigh more; never negative. */
export function idf(documents: number, holding: number): number {
  return Math.log(1 + (documents - holding + 0.5) / (holding + 0.5));
}

/**
 * The score of each match (in `matches` order): every document word it matched (MiniSearch's
 * `match`: word → fields), weighted by `weightOf` (1 for a query word itself, less for a loose
 * form of one), scored by BM25 in each field holding it. `documents` is how many documents the
 * search may see. Words are summed in a fixed order, so the same matches score the same to the
 * last bit whatever else the index holds.
 */
export function scopedScores(
  matches: readonly SearchResult[],
  countsOf: (id: string) => WordCounts,
  documents: number,
  weightOf: (word: string, match: SearchResult) => number,
): number[] {
  const counts = matches.map((match) => countsOf(match.id as string));
  const holding = new Map<string, number[]>(); // word → per field, the matches holding it there
  const total = KEYWORD_FIELDS.map(() => 0);
  const having = KEYWORD_FIELDS.map(() => 0);
  for (let i = 0; i < matches.length; i++) {
    const found = matches[i]!.match;
    for (const word in found) {
      let perField = holding.get(word);
      if (perField === undefined) holding.set(word, (perField = KEYWORD_FIELDS.map(() => 0)));
      const fields = found[word]!;
      for (let f = 0; f < fields.length; f++) if (firstMention(fields, f)) perField[FIELD_POSITION.get(fields[f]!)!]! += 1;
    }
    for (let position = 0; position < FIELDS; position++) {
      const length = fieldLength(counts[i]!, position);
      if (length === 0) continue;
      total[position]! += length;
      having[position]! += 1;
    }
  }
  const average = total.map((sum, position) => (having[position]! > 0 ? sum / having[position]! : 1));
  const rarity = new Map([...holding].map(([word, perField]) => [word, perField.map((held) => idf(documents, held))]));
  const scores = new Array<number>(matches.length);
  for (let i = 0; i < matches.length; i++) {
    const match = matches[i]!;
    let score = 0;
    for (const word of wordsInOrder(match)) {
      const weight = weightOf(word, match);
      const rarities = rarity.get(word)!;
      const fields = match.match[word]!;
      for (let f = 0; f < fields.length; f++) {
        if (!firstMention(fields, f)) continue;
        const position = FIELD_POSITION.get(fields[f]!)!;
        const frequency = timesHeld(counts[i]!, word, position);
        const length = fieldLength(counts[i]!, position) / average[position]!;
        score += weight * rarities[position]! * (D + (frequency * (K + 1)) / (frequency + K * (1 - B + B * length)));
      }
    }
    scores[i] = score;
  }
  return scores;
}

/** A match's document words in one order, whatever order the index found them in. */
function wordsInOrder(match: SearchResult): string[] {
  const words = Object.keys(match.match);
  return words.length > 1 ? words.sort() : words;
}

/** Whether `fields[f]` names its field first: a word found by two parts of a query names its fields twice. */
function firstMention(fields: readonly string[], f: number): boolean {
  return f === 0 || fields.indexOf(fields[f]!) === f;
}
