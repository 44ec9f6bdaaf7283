import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { quadOf, turnedClockwise, turnedCounterClockwise, type LineQuad } from '../../src/ocr/lineQuad.js';
import { minAreaRectangle, type Point } from '../../src/ocr/minAreaRectangle.js';

const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const numbers = ({ origin, along, down }: LineQuad) => [origin.x, origin.y, along.x, along.y, down.x, down.y];
const assertSameQuad = (actual: LineQuad, expected: LineQuad) =>
  assert.ok(
    numbers(actual).every((value, i) => near(value, numbers(expected)[i]!)),
    `${JSON.stringify(actual)} is not ${JSON.stringify(expected)}`,
  );
const corners = ({ origin: o, along: a, down: d }: LineQuad): Point[] => [
  o,
  { x: o.x + a.x, y: o.y + a.y },
  { x: o.x + a.x + d.x, y: o.y + a.y + d.y },
  { x: o.x + d.x, y: o.y + d.y },
];
const sameCorners = (a: LineQuad, b: LineQuad) => {
  const key = (p: Point) => `${p.x.toFixed(6)},${p.y.toFixed(6)}`;
  return corners(a).map(key).sort().join(' ') === corners(b).map(key).sort().join(' ');
};

describe('line geometry', () => {
  test('the smallest rectangle around the corners of a turned rectangle is that rectangle', () => {
    const angle = 0.4;
    const [u, v] = [
      { x: Math.cos(angle), y: Math.sin(angle) },
      { x: -Math.sin(angle), y: Math.cos(angle) },
    ];
    const at = (s: number, t: number) => ({ x: 50 + u.x * s + v.x * t, y: 20 + u.y * s + v.y * t });
    const points = [at(-30, -5), at(30, -5), at(30, 5), at(-30, 5), at(0, 0), at(10, 2)];
    const rectangle = minAreaRectangle(points)!;
    const [long, short] = [Math.max(rectangle.length, rectangle.breadth), Math.min(rectangle.length, rectangle.breadth)];
    assert.ok(near(long, 60) && near(short, 10), `${rectangle.length} × ${rectangle.breadth}`);
    assert.ok(near(rectangle.centre.x, 50) && near(rectangle.centre.y, 20));
  });

  test('a rectangle reads along its side nearer the horizontal, left to right, down across it', () => {
    const quad = quadOf({ centre: { x: 0, y: 0 }, axis: { x: 0, y: -1 }, length: 10, breadth: 40 });
    assertSameQuad(quad, { origin: { x: -20, y: -5 }, along: { x: 40, y: 0 }, down: { x: 0, y: 10 } });
  });

  test('turning a line a quarter either way keeps its corners, and turning back gives it again', () => {
    const line: LineQuad = { origin: { x: 3, y: 4 }, along: { x: 10, y: 40 }, down: { x: -8, y: 2 } };
    for (const turned of [turnedClockwise(line), turnedCounterClockwise(line)]) assert.ok(sameCorners(turned, line));
    assertSameQuad(turnedCounterClockwise(turnedClockwise(line)), line);
    // Text running down the page (tops of its letters to the right) reads upright turned counter-clockwise.
    const runningDown: LineQuad = { origin: { x: 0, y: 0 }, along: { x: 10, y: 0 }, down: { x: 0, y: 50 } };
    assertSameQuad(turnedCounterClockwise(runningDown), { origin: { x: 10, y: 0 }, along: { x: 0, y: 50 }, down: { x: -10, y: 0 } });
  });
});
