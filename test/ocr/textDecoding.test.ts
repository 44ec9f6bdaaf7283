import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeCtcLine } from '../../src/ocr/ctcDecode.js';
import { boxesFromProbabilities, readingOrder } from '../../src/ocr/textDetection.js';

function assertNear(actual: number[], expected: number[], tolerance = 1e-6): void {
  assert.ok(
    actual.length === expected.length && actual.every((value, i) => Math.abs(value - expected[i]!) <= tolerance),
    `${actual.map((v) => v.toFixed(3)).join(', ')} is not ${expected.map((v) => v.toFixed(3)).join(', ')}`,
  );
}

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
    // unclip grows each side by 10·4·1.5 / (2·(10+4)) ≈ 2.14 px, and a margin of 1 px
    const grow = (10 * 4 * 1.5) / (2 * 14) + 1;
    assert.equal(boxes.length, 1);
    const { quad, score } = boxes[0]!;
    assertNear(
      [quad.origin.x, quad.origin.y, quad.along.x, quad.along.y, quad.down.x, quad.down.y],
      [4 - grow, 4 - grow, 10 + 2 * grow, 0, 0, 4 + 2 * grow],
    );
    assert.ok(Math.abs(score - 0.9) < 1e-6);
  });

  test('a tilted region gets a box along its tilt, reading left to right and down across it', () => {
    const width = 80;
    const height = 60;
    const map = new Float32Array(width * height);
    // A 40 × 6 bar through (40, 30), its long side turned 30° clockwise (down to the right).
    const angle = (30 * Math.PI) / 180;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const [dx, dy] = [x + 0.5 - 40, y + 0.5 - 30];
        const along = dx * Math.cos(angle) + dy * Math.sin(angle);
        const across = -dx * Math.sin(angle) + dy * Math.cos(angle);
        if (Math.abs(along) <= 20 && Math.abs(across) <= 3) map[y * width + x] = 0.9;
      }
    }
    const [box, ...rest] = boxesFromProbabilities(map, width, height);
    assert.deepEqual(rest, []);
    const { along, down } = box!.quad;
    const degrees = (Math.atan2(along.y, along.x) * 180) / Math.PI;
    assert.ok(Math.abs(degrees - 30) < 3, `along ${degrees.toFixed(1)}°`);
    assert.ok(Math.hypot(along.x, along.y) > 2 * Math.hypot(down.x, down.y), 'the long side is the reading direction');
    assert.ok(down.y > 0 && Math.abs(along.x * down.x + along.y * down.y) < 1e-6, 'down is square to it, pointing down');
  });

  test('reading order: lines top to bottom, boxes in a line left to right', () => {
    const box = (left: number, top: number) => ({ left, top, width: 10, height: 10 });
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
