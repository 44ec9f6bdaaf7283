/**
 * Words people wrote (a message's text, a file name, what OCR read in an image) shown inside the
 * bot's own text. Set in inline code, they are shown as they are: no markdown, no link, no
 * mention of a member, role or channel, whatever they hold. A backtick would end the code span,
 * so it goes, as do line breaks; long words are cut.
 */
const MAX_CHARACTERS = 40;

export function asCode(text: string): string | undefined {
  const plain = text.replace(/`/g, '').replace(/\s+/g, ' ').trim();
  if (plain === '') return undefined;
  const cut = [...plain].length > MAX_CHARACTERS ? `${[...plain].slice(0, MAX_CHARACTERS - 1).join('')}…` : plain;
  return `\`${cut}\``;
}
