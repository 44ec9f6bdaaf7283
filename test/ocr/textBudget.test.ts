import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { linesWithin, textWithin } from '../../src/ocr/textBudget.js';

describe('the text budget of one image', () => {
  const box = (name: string, area: number, columns: number) => ({ name, area, columns });
  const within = (boxes: ReturnType<typeof box>[], maxLines: number, maxColumns: number) =>
    linesWithin(
      boxes,
      (b) => b.area,
      (b) => b.columns,
      { maxLines, maxColumns },
    ).map((b) => b.name);

  test('at most maxLines boxes are read, the largest, kept in their order', () => {
    const boxes = [box('small', 1, 320), box('large', 9, 320), box('medium', 4, 320), box('tiny', 0.5, 320)];
    assert.deepEqual(within(boxes, 2, 1e9), ['large', 'medium']);
  });

  test('a box that would take the recogniser past maxColumns is passed over for smaller ones that fit', () => {
    const boxes = [box('long line', 9, 3000), box('caption', 8, 900), box('word', 1, 320)];
    assert.deepEqual(within(boxes, 100, 1300), ['caption', 'word']);
  });

  test('text within the budget is every line, rows joined by newlines and lines of a row by spaces', () => {
    const rows = [[{ text: 'NOBODY' }, { text: 'EXPECTS' }], [{ text: 'THE WOMBAT' }]];
    assert.deepEqual(textWithin(rows, 100), { text: 'NOBODY EXPECTS\nTHE WOMBAT', lines: rows.flat() });
  });

  test('past maxCharacters the text stops, the last line cut between words', () => {
    const rows = [[{ text: 'NOBODY EXPECTS' }], [{ text: 'THE SPANISH INQUISITION' }, { text: 'AT ALL' }]];
    const kept = textWithin(rows, 30);
    assert.equal(kept.text, 'NOBODY EXPECTS\nTHE SPANISH');
    assert.deepEqual(kept.lines, [{ text: 'NOBODY EXPECTS' }, { text: 'THE SPANISH' }]);
  });

  test('a line without spaces is cut at the limit, never inside a character', () => {
    assert.equal(textWithin([[{ text: '猫が好きです' }]], 3).text, '猫が好');
    assert.equal(textWithin([[{ text: 'ab😀cd' }]], 3).text, 'ab');
  });
});
