import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCtcLine } from '../../src/ocr/ctcDecode.js';
import { boxesFromProbabilities, readingOrder } from '../../src/ocr/textDetection.js';

describe('boxesFromProbabilities', () => {
  test('one box per separate text region, grown back out by the unclip ratio; faint or thin regions dropped', () => {
    const width = 40;
    const height = 20;
    const map = new Float32Array(width * height);
    const fill = (x0: number, y0: number, x1: number, y1: number, p: number) => {
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) map[y * width + x] = p;
    };
    fill(4, 4, 14, 8, 0.9); // a word: 10 × 4
    fill(20, 4, 36, 8, 0.5); // above the pixel threshold, below the box threshold
    fill(4, 14, 30, 15, 0.9); // one pixel high: noise
    const boxes = boxesFromProbabilities(map, width, height);
    // unclip grows each side by 10·4·1.5 / (2·(10+4)) ≈ 2.14 px
    assert.deepEqual(
      boxes.map(({ score, ...box }) => box),
      [{ left: 1, top: 1, width: 16, height: 10 }],
    );
    assert.ok(Math.abs((boxes[0]?.score ?? 0) - 0.9) < 1e-6);
  });

  test('reading order: lines top to bottom, boxes in a line left to right', () => {
    const box = (left: number, top: number) => ({ left, top, width: 10, height: 10, score: 1 });
    const lines = readingOrder([box(50, 31), box(0, 0), box(40, 2), box(0, 30)]);
    assert.deepEqual(
      lines.map((line) => line.map((b) => b.left)),
      [
        [0, 40],
        [0, 50],
      ],
    );
  });
});

describe('decodeCtcLine', () => {
  // classes: 0 blank, 1 'A', 2 'B', 3 space (the last class)
  const alphabet = ['A', 'B', ' '];
  const steps = (rows: number[][]) => Float32Array.from(rows.flat());

  test('drops blanks and repeats, keeping a letter repeated across a blank', () => {
    const rows = [
      [0, 1, 0, 0],
      [0, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
      [0, 0, 1, 0],
    ];
    assert.equal(decodeCtcLine(steps(rows), 0, rows.length, 4, alphabet).text, 'AAB');
  });

  test('a gap where the space is likely enough becomes a space, though the blank is the most likely class', () => {
    const word = (space: number) => [
      [0, 1, 0, 0],
      [1 - space, 0, 0, space],
      [0, 0, 1, 0],
    ];
    assert.equal(decodeCtcLine(steps(word(0.05)), 0, 3, 4, alphabet).text, 'A B');
    assert.equal(decodeCtcLine(steps(word(0.005)), 0, 3, 4, alphabet).text, 'AB');
  });

  test('confidence is the mean probability of the characters kept', () => {
    const rows = [
      [0.2, 0.8, 0, 0],
      [0.4, 0, 0.6, 0],
    ];
    assert.ok(Math.abs(decodeCtcLine(steps(rows), 0, 2, 4, alphabet).confidence - 0.7) < 1e-6);
  });
});
