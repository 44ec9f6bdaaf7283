import type { Messages } from '../messages/messages.js';

export type Relevance = 'close' | 'good' | 'loose';

/**
 * Where a cosine turns from one word to the next, by what was compared. CLIP-style models
 * (uform3 among them) put a caption that describes a picture at about 0.25–0.35 and an
 * unrelated one at 0.1–0.2, so text scores sit low and close together; two pictures of the
 * same scene score above 0.85 and of the same kind of subject 0.7–0.85.
 */
const BANDS: Record<'text' | 'image', { close: number; good: number }> = {
  text: { close: 0.3, good: 0.22 },
  image: { close: 0.85, good: 0.7 },
};

export function relevanceOf(score: number, kind: 'text' | 'image'): Relevance {
  const bands = BANDS[kind];
  return score >= bands.close ? 'close' : score >= bands.good ? 'good' : 'loose';
}

/** "close match", with the score small beside it for those who want the number. */
export function relevanceText(score: number, kind: 'text' | 'image', messages: Messages): string {
  const word = messages.text(`relevance.${relevanceOf(score, kind)}`);
  return `${word} (${messages.number(score, { minimumFractionDigits: 2, maximumFractionDigits: 2 })})`;
}
