/**
 * The words in two images (OCR) as evidence about whether they are copies. On a meme server most
 * pictures are a few templates with different captions: two of them share the template's pixels,
 * so their perceptual hashes and embeddings say "copy" while their captions say otherwise. When the
 * text of both images is known, it must agree too.
 *
 * Agreement is the Jaccard index of the two sets of words (normalised as the keyword index
 * normalises them, search/wordNormalisation.ts: case folded, accents dropped): shared words ÷
 * words in either. Two images with no words at all agree (1). It tolerates OCR's slips and small text lost in
 * a smaller copy (a watermark, a line read on one copy and not the other) while two captions that
 * share only "the" and "cat" stay apart. Measured on template memes (BENCHMARKS.md, reposts, `npm run
 * bench -- repostWords`): nine in ten copies of one captioned meme agreed at 0.39 or more, the same
 * template under another caption at 0.32 at most; at 0.4 no other caption passed, at 0.3 two did.
 *
 * Only text enough to tell pictures apart decides: at least MIN_TEXT_CHARACTERS letters and digits in
 * the longer of the two. Photos carry small text that OCR reads differently on every copy (a
 * site's watermark read as "新华网 WWWNEWS.CN" on one copy and "华网" on the next, a stray "福"):
 * without this, words vetoed 57 of the 213 ordinary copies of the weather photos; with it, none,
 * while no two captions on one template got through (BENCHMARKS.md). Captions shorter than that
 * ("NOPE" and "YES" on one template) are not told apart.
 *
 * When the text of either image is unknown (not read yet, OCR off), nothing changes: the pixels
 * decide as before. Pairs matched as mirror images are held to the same rule: a template flipped
 * and captioned anew is no more a copy than one captioned anew as it was. The price: OCR reads
 * mirrored letters as noise ("TAO 3HT" for "THE CAT"), so a mirrored copy of a picture with a
 * caption disagrees with its original and is missed while both were read (one with no more than a
 * watermark still agrees).
 */
import { termsOf } from '../search/wordNormalisation.js';

/** Texts agreeing less than this (Jaccard index of their word sets) are of different pictures. */
export const MIN_TEXT_AGREEMENT = 0.4;
/** Letters and digits the longer of two texts needs before the texts decide anything. */
export const MIN_TEXT_CHARACTERS = 20;

/** The Jaccard index of the two texts' word sets, in [0, 1]; 1 when neither holds a word. */
export function textAgreement(a: string, b: string): number {
  const first = new Set(termsOf(a));
  const second = new Set(termsOf(b));
  if (first.size === 0 && second.size === 0) return 1;
  let shared = 0;
  for (const word of first) if (second.has(word)) shared++;
  return shared / (first.size + second.size - shared);
}

/**
 * Whether what two images hold in words lets them be near-copies: yes when either text is unknown
 * (undefined) or both are too short to tell (MIN_TEXT_CHARACTERS); otherwise when they agree at
 * MIN_TEXT_AGREEMENT.
 */
export function textsAllowNearCopy(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  if (Math.max(characterCount(a), characterCount(b)) < MIN_TEXT_CHARACTERS) return true;
  return textAgreement(a, b) >= MIN_TEXT_AGREEMENT;
}

/** Letters and digits in a text's words (code points, so a CJK character counts one). */
export function characterCount(text: string): number {
  return termsOf(text).reduce((sum, term) => sum + [...term].length, 0);
}
