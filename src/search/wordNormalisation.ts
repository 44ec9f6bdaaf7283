/**
 * When two spellings are one word. The keyword index hands these two functions to MiniSearch as
 * its `tokenize` and `processTerm`, which it applies to documents when indexing and to queries
 * when searching, so both sides always agree: OCR text, message text, file names and alt text
 * alike.
 *
 * - Compatibility forms are their plain letters (NFKC): full-width "ＡＢＣ" is "abc", the
 *   ligature "ﬁ" is "fi", "②" is "2", half-width "ｶﾞ" is "ガ".
 * - Case is folded, including where lower-casing alone does not: "ß" and "ẞ" are "ss" ("Straße"
 *   is "strasse"), a final "ς" is "σ".
 * - Accents of Latin, Greek and Cyrillic letters are dropped ("Café" is "cafe"), and letters that
 *   carry their accent inside are spelled plainly (ø, đ, ł, æ, œ, dotless ı), as search engines'
 *   ASCII folding does.
 * - Other scripts' marks stay: Japanese "が" is not "か" (がっこう, school, is not かっこう,
 *   cuckoo), Hindi "कि" not "क".
 * - An apostrophe inside a word joins it ("don't" is "dont"): OCR often drops it.
 *
 * Only the terms are normalised; the words as written stay in the stored documents, so the index
 * can show "Straße" as the word that matched "strasse".
 */

/** Runs of letters, marks and digits; an apostrophe between two of them stays inside the word. */
const WORD = /[\p{L}\p{M}\p{N}]+(?:['’ʼ＇][\p{L}\p{M}\p{N}]+)*/gu;
const TERM = /[\p{L}\p{M}\p{N}]+/gu;
const APOSTROPHES = /['’ʼ]/g;
/** Combining accents used on Latin, Greek and Cyrillic letters (base, extended, supplement, for symbols, half marks). */
const ACCENTS = /[\u0300-\u036f]|[\u1ab0-\u1aff]|[\u1dc0-\u1dff]|[\u20d0-\u20ff]|[\ufe20-\ufe2f]/g;
/** Folds that neither lower-casing nor decomposition make. */
const FOLDS: Readonly<Record<string, string>> = { ß: 'ss', ς: 'σ', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ł: 'l', ı: 'i' };
const FOLDED = new RegExp(`[${Object.keys(FOLDS).join('')}]`, 'g');
/** A file name's extension: "png" would otherwise match every PNG. */
const EXTENSION = /\.[\p{L}\p{N}]{1,5}$/u;

/** The words of a text as written ("Pineapple_wizard-2" → Pineapple, wizard, 2); a file name's extension is not one. */
export function wordsAsWritten(text: string, field?: string): string[] {
  return (field === 'fileName' ? text.replace(EXTENSION, '') : text).match(WORD) ?? [];
}

/**
 * The terms one written word is indexed and searched as: usually one, none for a word that is
 * only marks, and several when a compatibility form stands for more than one ("½" → 1, 2).
 * Normalising a term again gives the term back.
 */
export function normaliseWord(word: string): string[] {
  const folded = word
    .normalize('NFKD')
    .toLowerCase()
    .replace(ACCENTS, '')
    .replace(APOSTROPHES, '')
    .replace(FOLDED, (letter) => FOLDS[letter] ?? letter)
    // Recomposes what NFKD split and was kept (が is か + ゙ until here).
    .normalize('NFC');
  return folded.match(TERM) ?? [];
}

/** The terms of a text, in order: what the index holds for it, and what a query searches for. */
export function termsOf(text: string, field?: string): string[] {
  return wordsAsWritten(text, field).flatMap(normaliseWord);
}
