/**
 * What reading one image may cost, whatever it holds: a screenshot of a wall of text or an
 * image made to be expensive. Detection is bounded by the detector's input size already; the
 * recogniser's cost grows with the width of the lines it reads, so that is bounded here: the
 * largest boxes first (headlines and captions before small print), at most `maxLines` of them
 * and `maxColumns` of recogniser input together. What they say is kept up to `maxCharacters`
 * (in reading order, cut between words), which bounds what the keyword store keeps.
 */

export interface TextBudget {
  /** Text boxes read per image (default 100; memes and chat screenshots hold under 15). */
  maxLines: number;
  /**
   * Recogniser input per image, in columns of its 48 px high strips, summed over every reading
   * (a line is at least 320 columns; a vertical one is read twice). Default 16,000: a meme
   * takes 1,400–5,300, a chat screenshot of a dozen messages up to 6,300; the budget costs
   * about 2 CPU-seconds at most.
   */
  maxColumns: number;
  /** Characters of text kept per image (default 2000, about 300 words; memes hold under 250). */
  maxCharacters: number;
}

export const DEFAULT_TEXT_BUDGET: TextBudget = { maxLines: 100, maxColumns: 16_000, maxCharacters: 2000 };

/**
 * The largest `items` by `area` that fit the budget, in their original order: at most
 * `maxLines`, and `columns` (what reading one costs) at most `maxColumns` together. One that no
 * longer fits is passed over for smaller ones that still do.
 */
export function linesWithin<T>(
  items: readonly T[],
  area: (item: T) => number,
  columns: (item: T) => number,
  budget: Pick<TextBudget, 'maxLines' | 'maxColumns'>,
): T[] {
  const kept = new Set<T>();
  let spent = 0;
  for (const item of [...items].sort((a, b) => area(b) - area(a))) {
    if (kept.size >= budget.maxLines) break;
    const cost = columns(item);
    if (spent + cost > budget.maxColumns) continue;
    spent += cost;
    kept.add(item);
  }
  return items.filter((item) => kept.has(item));
}

/**
 * Rows of lines (reading order) → the text, lines of a row joined by spaces, rows by newlines,
 * with no more than `maxCharacters`; the line where the budget runs out is cut at its last space
 * before it. Also returns the lines kept (a cut one with its cut text).
 */
export function textWithin<T extends { text: string }>(
  rows: readonly (readonly T[])[],
  maxCharacters: number,
): { text: string; lines: T[] } {
  let text = '';
  const lines: T[] = [];
  for (const [r, row] of rows.entries()) {
    for (const [i, line] of row.entries()) {
      const separator = text === '' ? '' : i === 0 && r > 0 ? '\n' : ' ';
      const room = maxCharacters - text.length - separator.length;
      if (line.text.length <= room) {
        text += separator + line.text;
        lines.push(line);
        continue;
      }
      const cut = cutBetweenWords(line.text, room);
      if (cut !== '') {
        text += separator + cut;
        lines.push({ ...line, text: cut });
      }
      return { text, lines };
    }
  }
  return { text, lines };
}

/** At most `room` characters of `text`, ending at a space when it has one in reach, never inside a surrogate pair. */
function cutBetweenWords(text: string, room: number): string {
  if (room <= 0) return '';
  const space = text.lastIndexOf(' ', room);
  const end = space > 0 ? space : room;
  const high = text.charCodeAt(end - 1);
  return text.slice(0, high >= 0xd800 && high <= 0xdbff ? end - 1 : end).trimEnd();
}
