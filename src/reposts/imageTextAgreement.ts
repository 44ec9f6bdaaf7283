/**
 * The words in two images (OCR) as evidence about whether they are copies. On a meme server most
 * pictures are a few templates with different captions: two of them share the template's pixels,
 * so their perceptual hashes and embeddings say "copy" while their captions say otherwise. When the
 * text of both images is known, it must agree too.
 *
 * Agreement is the Jaccard index of the two sets of words (normalised as the keyword index
 * normalises them: letters and digits, lower case, accents dropped): shared words ÷ words in
 * either. Two images with no words at all agree (1). It tolerates OCR's slips and small text lost in
 * a smaller copy (a watermark, a line read on one copy and not the other) while two captions that
 * share only "the" and "cat" stay apart. Measured on template memes (BENCHMARKS.md, reposts, `npm run
 * bench -- repostWords`): nine in ten copies of one captioned meme agreed at 0.44 or more, the same
 * template under another caption at 0.32 at most; at 0.4 no other caption passed, at 0.3 one did.
 *
 * When the text of either image is unknown (not read yet, OCR off), nothing changes: the pixels
 * decide as before. Pairs matched as mirror images are held to the same rule: a template flipped
 * and captioned anew is no more a copy than one captioned anew as it was. The price: OCR reads
 * mirrored letters as noise ("TAO 3HT" for "THE CAT"), so a mirrored copy of a picture with words
 * disagrees with its original and is missed while both were read (one without words still agrees).
 */
import { keywordTerms } from '../search/keywordIndex.js';

/** Texts agreeing less than this (Jaccard index of their word sets) are of different pictures. */
export const MIN_TEXT_AGREEMENT = 0.4;

/** The Jaccard index of the two texts' word sets, in [0, 1]; 1 when neither holds a word. */
export function textAgreement(a: string, b: string): number {
  const first = new Set(keywordTerms(a));
  const second = new Set(keywordTerms(b));
  if (first.size === 0 && second.size === 0) return 1;
  let shared = 0;
  for (const word of first) if (second.has(word)) shared++;
  return shared / (first.size + second.size - shared);
}

/**
 * Whether what two images hold in words lets them be near-copies: yes when either text is unknown
 * (undefined); otherwise when they agree at MIN_TEXT_AGREEMENT.
 */
export function textsAllowNearCopy(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return true;
  return textAgreement(a, b) >= MIN_TEXT_AGREEMENT;
}
