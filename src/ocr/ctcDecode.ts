/**
 * Greedy CTC decoding of the recogniser's output: at each time step take the most
 * likely class; drop the blank (class 0) and repeats of the previous step.
 *
 * Spaces. PP-OCRv4's recogniser was trained mostly on Chinese and rarely makes the
 * space the most likely class between tightly set Latin capitals ("THATMOMENTWHEN").
 * But across a word gap the space's probability rises well above its level inside a
 * word (measured on the meme set: ≥ 0.03 at gaps, < 0.01 inside words), so a gap
 * where it reaches `spaceProbability` is read as a space.
 */

export interface DecodedLine {
  text: string;
  /** Mean probability of the characters kept (0 when none). */
  confidence: number;
}

/** The space's probability in a gap between characters above which the gap is a space. */
export const SPACE_PROBABILITY = 0.03;

/**
 * One line from `steps` rows of `classes` probabilities starting at `offset`.
 * `alphabet[c - 1]` is the character of class c; the space is the last class.
 */
export function decodeCtcLine(
  probabilities: Float32Array,
  offset: number,
  steps: number,
  classes: number,
  alphabet: readonly string[],
  spaceProbability = SPACE_PROBABILITY,
): DecodedLine {
  const space = classes - 1;
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = 0;
  let gapSpace = 0; // the space's highest probability since the last character
  for (let t = 0; t < steps; t++) {
    const row = offset + t * classes;
    let best = 0;
    let bestP = probabilities[row] as number;
    for (let c = 1; c < classes; c++) {
      const p = probabilities[row + c] as number;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      if (best === space) {
        gapSpace = 1;
      } else {
        if (gapSpace >= spaceProbability && text !== '') text += ' ';
        text += alphabet[best - 1] ?? '';
        sum += bestP;
        kept++;
        gapSpace = 0;
      }
    } else if (best === 0) {
      gapSpace = Math.max(gapSpace, probabilities[row + space] as number);
    }
    previous = best;
  }
  return { text, confidence: kept === 0 ? 0 : sum / kept };
}
