/**
 * `text` cut to at most `max` characters for a Discord field with a length limit (an image's
 * description, a select option), ending in "…" when cut. Cut by code points, so an emoji or other
 * character outside the Basic Multilingual Plane is never split in half.
 */
export function clippedText(text: string, max: number): string {
  if (text.length <= max) return text;
  const kept: string[] = [];
  let length = 0;
  for (const character of text) {
    if (length + character.length > max - 1) break;
    kept.push(character);
    length += character.length;
  }
  return `${kept.join('')}…`;
}
