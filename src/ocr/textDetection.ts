/**
 * Text detection's post-processing (PaddleOCR's DB method): the detector gives each
 * pixel a probability of lying inside text, shrunk towards each word's centre line;
 * thresholding it, finding connected regions and growing each region's rectangle back
 * out ("unclip") gives one box per line or word.
 *
 * Each box is the region's smallest rectangle in any orientation (as PaddleOCR fits with
 * OpenCV's minAreaRect), so tilted text is cropped along its tilt and a vertical line stays
 * one tall box.
 */
import { quadOf, type LineQuad, type Rect } from './lineQuad.js';
import { minAreaRectangle, type Point } from './minAreaRectangle.js';

export interface TextBox {
  /** Where the line is, in map pixels, oriented to read left to right (see lineQuad.ts). */
  quad: LineQuad;
  /** Mean text probability inside the region (0..1). */
  score: number;
}

export interface DetectionThresholds {
  /** A pixel is text above this probability (PaddleOCR: 0.3). */
  pixel: number;
  /** A region is kept when its mean probability is at least this (PaddleOCR: 0.6). */
  box: number;
  /** How far a region grows back out, as PaddleOCR's unclip_ratio (1.5). */
  unclipRatio: number;
  /** Regions thinner than this many pixels are noise. */
  minSide: number;
}

/**
 * A map pixel more on every side than the unclip gives: the upright boxes this replaced were
 * rounded outwards, about as much, and a thin last letter ("RAVIOLI") needs the room.
 */
const MARGIN = 1;
export const DEFAULT_THRESHOLDS: DetectionThresholds = { pixel: 0.3, box: 0.6, unclipRatio: 1.5, minSide: 3 };

/** Boxes of the text regions of a width×height probability map, in map pixels. */
export function boxesFromProbabilities(
  map: Float32Array,
  width: number,
  height: number,
  thresholds: DetectionThresholds = DEFAULT_THRESHOLDS,
): TextBox[] {
  if (map.length < width * height) throw new RangeError(`a ${width}×${height} map needs ${width * height} values, got ${map.length}`);
  const labels = new Int32Array(width * height); // 0 = unvisited, -1 = background or visited
  const stack = new Int32Array(width * height);
  // Each row's leftmost and rightmost pixel of the region being filled: its outline, for the rectangle.
  const rowLeft = new Int32Array(height).fill(width);
  const rowRight = new Int32Array(height).fill(-1);
  const boxes: TextBox[] = [];
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== 0) continue;
    if ((map[start] as number) <= thresholds.pixel) {
      labels[start] = -1;
      continue;
    }
    // Flood-fill one 4-connected region, tracking its outline and probability mass.
    let depth = 0;
    stack[depth++] = start;
    labels[start] = 1;
    let minY = height,
      maxY = -1,
      sum = 0,
      count = 0;
    while (depth > 0) {
      const at = stack[--depth] as number;
      const x = at % width;
      const y = (at - x) / width;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      if (x < (rowLeft[y] as number)) rowLeft[y] = x;
      if (x > (rowRight[y] as number)) rowRight[y] = x;
      sum += map[at] as number;
      count++;
      if (x > 0) depth = push(at - 1, depth);
      if (x < width - 1) depth = push(at + 1, depth);
      if (y > 0) depth = push(at - width, depth);
      if (y < height - 1) depth = push(at + width, depth);
    }
    const outline: Point[] = [];
    for (let y = minY; y <= maxY; y++) {
      // The corners of the row's pixels, so a one-pixel line still has an area.
      const left = rowLeft[y] as number;
      const right = (rowRight[y] as number) + 1;
      outline.push({ x: left, y }, { x: right, y }, { x: left, y: y + 1 }, { x: right, y: y + 1 });
      rowLeft[y] = width;
      rowRight[y] = -1;
    }
    if (sum / count < thresholds.box) continue;
    const rectangle = minAreaRectangle(outline);
    if (rectangle === undefined || Math.min(rectangle.length, rectangle.breadth) < thresholds.minSide) continue;
    // Grow by area × ratio / perimeter, as DB's unclip does for the shrunk polygon.
    const grow = (rectangle.length * rectangle.breadth * thresholds.unclipRatio) / (2 * (rectangle.length + rectangle.breadth));
    const grown = { ...rectangle, length: rectangle.length + 2 * (grow + MARGIN), breadth: rectangle.breadth + 2 * (grow + MARGIN) };
    boxes.push({ quad: quadOf(grown), score: sum / count });
  }
  return boxes;

  /** Marks a neighbour; pushes it when it is unvisited text. Returns the new stack depth. */
  function push(at: number, depth: number): number {
    if (labels[at] !== 0) return depth;
    if ((map[at] as number) <= thresholds.pixel) {
      labels[at] = -1;
      return depth;
    }
    labels[at] = 1;
    stack[depth] = at;
    return depth + 1;
  }
}

/**
 * Reading order: boxes whose vertical centres lie within half a line of each other
 * form a line, read left to right; lines are read top to bottom.
 */
export function readingOrder<T extends Rect>(boxes: readonly T[]): T[][] {
  const sorted = [...boxes].sort((a, b) => a.top + a.height / 2 - (b.top + b.height / 2));
  const lines: T[][] = [];
  for (const box of sorted) {
    const centre = box.top + box.height / 2;
    const line = lines.at(-1);
    const first = line?.[0];
    if (
      line !== undefined &&
      first !== undefined &&
      Math.abs(first.top + first.height / 2 - centre) < Math.min(first.height, box.height) / 2
    ) {
      line.push(box);
    } else {
      lines.push([box]);
    }
  }
  for (const line of lines) line.sort((a, b) => a.left - b.left);
  return lines;
}
