/**
 * Text detection's post-processing (PaddleOCR's DB method): the detector gives each
 * pixel a probability of lying inside text, shrunk towards each word's centre line;
 * thresholding it, finding connected regions and growing each region's box back out
 * ("unclip") gives one box per line or word.
 *
 * Boxes here are upright rectangles. PaddleOCR fits rotated ones (through OpenCV);
 * memes, captions and screenshots are written level, and an upright box around
 * slightly tilted text still holds all of it.
 */

export interface TextBox {
  left: number;
  top: number;
  width: number;
  height: number;
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

export const DEFAULT_THRESHOLDS: DetectionThresholds = { pixel: 0.3, box: 0.6, unclipRatio: 1.5, minSide: 3 };

/** Boxes of the text regions of a width×height probability map, in map pixels, clipped to the map. */
export function boxesFromProbabilities(
  map: Float32Array,
  width: number,
  height: number,
  thresholds: DetectionThresholds = DEFAULT_THRESHOLDS,
): TextBox[] {
  if (map.length < width * height) throw new RangeError(`a ${width}×${height} map needs ${width * height} values, got ${map.length}`);
  const labels = new Int32Array(width * height); // 0 = unvisited, -1 = background or visited
  const stack = new Int32Array(width * height);
  const boxes: TextBox[] = [];
  for (let start = 0; start < width * height; start++) {
    if (labels[start] !== 0) continue;
    if ((map[start] as number) <= thresholds.pixel) {
      labels[start] = -1;
      continue;
    }
    // Flood-fill one 4-connected region, tracking its extent and probability mass.
    let depth = 0;
    stack[depth++] = start;
    labels[start] = 1;
    let minX = width,
      maxX = -1,
      minY = height,
      maxY = -1,
      sum = 0,
      count = 0;
    while (depth > 0) {
      const at = stack[--depth] as number;
      const x = at % width;
      const y = (at - x) / width;
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
      sum += map[at] as number;
      count++;
      if (x > 0) depth = push(at - 1, depth);
      if (x < width - 1) depth = push(at + 1, depth);
      if (y > 0) depth = push(at - width, depth);
      if (y < height - 1) depth = push(at + width, depth);
    }
    const w = maxX - minX + 1;
    const h = maxY - minY + 1;
    if (Math.min(w, h) < thresholds.minSide || sum / count < thresholds.box) continue;
    // Grow by area × ratio / perimeter, as DB's unclip does for the shrunk polygon.
    const grow = (w * h * thresholds.unclipRatio) / (2 * (w + h));
    const left = Math.max(0, Math.floor(minX - grow));
    const right = Math.min(width, Math.ceil(maxX + 1 + grow));
    const upper = Math.max(0, Math.floor(minY - grow));
    const lower = Math.min(height, Math.ceil(maxY + 1 + grow));
    boxes.push({ left, top: upper, width: right - left, height: lower - upper, score: sum / count });
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
export function readingOrder<T extends TextBox>(boxes: readonly T[]): T[][] {
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
