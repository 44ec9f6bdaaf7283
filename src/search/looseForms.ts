/**
 * How a query word that no document holds exactly is looked for, as OCR may have misread it: as
 * the start of a longer word, with typos, and broken in two. And how much each such form counts
 * against the word itself, as MiniSearch weighs them (a prefix match 0.375, a near miss 0.45, each
 * less the further it is from the word).
 */

const PREFIX_WEIGHT = 0.375;
const FUZZY_WEIGHT = 0.45;

/** Typos are forgiven in words of 5 letters or more: one edit up to 8 letters, two beyond. */
export function fuzziness(word: string): number {
  return word.length < 5 ? 0 : word.length <= 8 ? 1 : 2;
}

/** A word of 4 letters or more may be the start of what an image holds ("categ" finds "category"). */
export function prefixAllowed(word: string): boolean {
  return word.length >= 4;
}

/**
 * The ways OCR may have broken a word in two, with a space at a wide letter gap ("GOR ILLA") or
 * before an apostrophe ("DON 'T", which the query "don't" asks for as "dont"): a first piece of
 * at least 2 letters, and the rest.
 */
export function brokenWord(word: string): [string, string][] {
  const splits: [string, string][] = [];
  for (let at = 2; at < word.length; at++) splits.push([word.slice(0, at), word.slice(at)]);
  return splits;
}

/** How much `form`, found in a document, counts for the query word `word`: 1 for the word itself, 0 for neither a prefix match nor a near miss. */
export function looseWeight(form: string, word: string): number {
  if (form === word) return 1;
  if (prefixAllowed(word) && form.startsWith(word))
    return (PREFIX_WEIGHT * form.length) / (form.length + 0.3 * (form.length - word.length));
  const allowed = fuzziness(word);
  const distance = editDistance(form, word, allowed);
  return distance <= allowed ? (FUZZY_WEIGHT * form.length) / (form.length + distance) : 0;
}

/** Levenshtein distance, or `max + 1` once it is known to exceed `max`. */
function editDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(substitution, previous[j]! + 1, current[j - 1]! + 1));
    }
    if (Math.min(...current) > max) return max + 1;
    previous = current;
  }
  return previous[b.length]!;
}
