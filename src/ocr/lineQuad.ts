/**
 * A text line's place in the image, in any orientation: where the line begins (its top-left
 * corner, as the line reads), the vector along it to its end, and the vector down across its
 * height. The recogniser reads the pixels of this frame as an upright strip, so tilted text
 * is read along its tilt, not from the upright box around it.
 */
import type { OrientedRectangle, Point } from './minAreaRectangle.js';

export interface LineQuad {
  origin: Point;
  along: Point;
  down: Point;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * The rectangle as a line read left to right: along whichever side is nearer the horizontal
 * (so text tilted by up to 45° either way reads upright), pointing right; down is then a
 * quarter-turn clockwise from it.
 */
export function quadOf(rectangle: OrientedRectangle): LineQuad {
  const { axis, centre, length, breadth } = rectangle;
  const axisIsAlong = Math.abs(axis.x) >= Math.abs(axis.y);
  let direction = axisIsAlong ? axis : { x: -axis.y, y: axis.x };
  if (direction.x < 0 || (direction.x === 0 && direction.y > 0)) direction = { x: -direction.x, y: -direction.y };
  const span = axisIsAlong ? length : breadth;
  const height = axisIsAlong ? breadth : length;
  const along = { x: direction.x * span, y: direction.y * span };
  const down = { x: -direction.y * height, y: direction.x * height };
  return { origin: { x: centre.x - along.x / 2 - down.x / 2, y: centre.y - along.y / 2 - down.y / 2 }, along, down };
}

export function quadWidth(quad: LineQuad): number {
  return Math.hypot(quad.along.x, quad.along.y);
}

export function quadHeight(quad: LineQuad): number {
  return Math.hypot(quad.down.x, quad.down.y);
}

/**
 * The same pixels a quarter-turn clockwise: the left edge, read upwards, becomes the top. Text
 * running bottom to top (a book's spine) reads upright this way.
 */
export function turnedClockwise(quad: LineQuad): LineQuad {
  const { origin, along, down } = quad;
  return { origin: { x: origin.x + down.x, y: origin.y + down.y }, along: { x: -down.x, y: -down.y }, down: along };
}

/** A quarter-turn counter-clockwise: the right edge, read downwards, becomes the top (text running top to bottom). */
export function turnedCounterClockwise(quad: LineQuad): LineQuad {
  const { origin, along, down } = quad;
  return { origin: { x: origin.x + along.x, y: origin.y + along.y }, along: down, down: { x: -along.x, y: -along.y } };
}

/** The quad scaled by (sx, sy): from the detector's pixels to the image's. */
export function scaledQuad(quad: LineQuad, sx: number, sy: number): LineQuad {
  const scale = (p: Point) => ({ x: p.x * sx, y: p.y * sy });
  return { origin: scale(quad.origin), along: scale(quad.along), down: scale(quad.down) };
}

/** The upright box around the quad, clipped to a width×height image. */
export function boundingRect(quad: LineQuad, width: number, height: number): Rect {
  const { origin: o, along: a, down: d } = quad;
  const xs = [o.x, o.x + a.x, o.x + d.x, o.x + a.x + d.x];
  const ys = [o.y, o.y + a.y, o.y + d.y, o.y + a.y + d.y];
  const left = Math.max(0, Math.floor(Math.min(...xs)));
  const top = Math.max(0, Math.floor(Math.min(...ys)));
  const right = Math.min(width, Math.ceil(Math.max(...xs)));
  const bottom = Math.min(height, Math.ceil(Math.max(...ys)));
  return { left, top, width: Math.max(0, right - left), height: Math.max(0, bottom - top) };
}
