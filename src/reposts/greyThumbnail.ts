/**
 * The thumbnail a perceptual hash is taken of: the grey picture with any uniform margin trimmed
 * off, averaged down to THUMBNAIL_SIZE × THUMBNAIL_SIZE.
 *
 * Trimming is what makes a framed copy hash like its original: a frame moves every pixel of the
 * thumbnail. With the 53 weather photos framed 5 % in white, 9 in 10 framed copies were within 19
 * bits of their original without trimming, within 9 bits with it. Both steps run here in plain
 * loops over a picture of at most 128 pixels a side; sharp's own trim (a median filter over the
 * whole picture first) cost more than the rest of the hash.
 */
import { THUMBNAIL_SIZE } from './dctHash.js';

export interface GreyPicture {
  /** One byte a pixel, row by row. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Grey levels a margin may vary by and still count as uniform: JPEG ringing along a frame's inner
 * edge at quality 20 stays within it; any photo's detail exceeds it.
 */
export const MARGIN_TOLERANCE = 12;
/** Share of a margin row or column that may differ from the margin's colour. */
const MARGIN_OUTLIERS = 0.02;

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

export function greyThumbnail(picture: GreyPicture): Float32Array {
  const { width, height, pixels } = picture;
  if (!(width > 0 && height > 0) || pixels.length !== width * height) {
    throw new RangeError(`a ${width}×${height} grey picture has ${width * height} pixels, not ${pixels.length}`);
  }
  return averagedDown(picture, contentBox(picture));
}

/**
 * The picture without its margin: rows and columns in the colour of the top-left pixel (within
 * MARGIN_TOLERANCE, all but MARGIN_OUTLIERS of their pixels, since JPEG blocks leave stray pixels in
 * a frame) are peeled off every side until none is left. A picture in one colour
 * throughout shrinks to its last pixel; it is low information either way.
 *
 * Measured alternatives (every weather photo framed 5 % in white): sharp's trim (no outliers)
 * leaves a few more framed copies far from their originals; peeling each side by its own colour
 * also removes a picture's own margin under a frame (the black around a lightning bolt) but eats
 * into ordinary photos and brightened copies whose highlights clip to white.
 */
export function contentBox(picture: GreyPicture): Box {
  const background = picture.pixels[0]!;
  let left = 0;
  let top = 0;
  let right = picture.width - 1;
  let bottom = picture.height - 1;
  const isMarginRow = (y: number) => isMargin(picture, background, left, y, right - left + 1, 1);
  const isMarginColumn = (x: number) => isMargin(picture, background, x, top, bottom - top + 1, picture.width);
  // Peeling columns shortens the rows (and back), so repeat until a pass peels nothing.
  for (let before = -1; before !== left + top + right + bottom;) {
    before = left + top + right + bottom;
    while (top < bottom && isMarginRow(top)) top++;
    while (bottom > top && isMarginRow(bottom)) bottom--;
    while (left < right && isMarginColumn(left)) left++;
    while (right > left && isMarginColumn(right)) right--;
  }
  return { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** Whether `count` pixels from (x, y), `stride` apart (1 along a row, the width down a column), are the background's colour. */
function isMargin({ pixels, width }: GreyPicture, background: number, x: number, y: number, count: number, stride: number): boolean {
  const allowed = Math.floor(count * MARGIN_OUTLIERS);
  let outliers = 0;
  for (let i = 0, at = y * width + x; i < count; i++, at += stride) {
    if (Math.abs(pixels[at]! - background) > MARGIN_TOLERANCE && ++outliers > allowed) return false;
  }
  return true;
}

/** Each thumbnail pixel is the mean of the picture area it covers (partial pixels weighted). */
function averagedDown({ pixels, width }: GreyPicture, box: Box): Float32Array {
  const size = THUMBNAIL_SIZE;
  const columns = coverage(box.width, size);
  const rows = coverage(box.height, size);
  // Columns first: box.height rows of `size` values, then down the columns.
  const narrowed = new Float32Array(box.height * size);
  for (let y = 0; y < box.height; y++) {
    const row = (box.top + y) * width + box.left;
    for (let x = 0; x < size; x++) {
      const { first, weights } = columns[x]!;
      let sum = 0;
      for (let i = 0; i < weights.length; i++) sum += weights[i]! * pixels[row + first + i]!;
      narrowed[y * size + x] = sum;
    }
  }
  const thumbnail = new Float32Array(size * size);
  for (let y = 0; y < size; y++) {
    const { first, weights } = rows[y]!;
    for (let x = 0; x < size; x++) {
      let sum = 0;
      for (let i = 0; i < weights.length; i++) sum += weights[i]! * narrowed[(first + i) * size + x]!;
      thumbnail[y * size + x] = sum;
    }
  }
  return thumbnail;
}

/** For each of `target` equal cells along a line of `source` pixels: the pixels it covers and their shares. */
function coverage(source: number, target: number): Array<{ first: number; weights: Float64Array }> {
  const step = source / target;
  return Array.from({ length: target }, (_, cell) => {
    const start = cell * step;
    const end = start + step;
    const first = Math.floor(start);
    const last = Math.min(source, Math.ceil(end)) - 1;
    const weights = new Float64Array(last - first + 1);
    for (let pixel = first; pixel <= last; pixel++) {
      weights[pixel - first] = (Math.min(end, pixel + 1) - Math.max(start, pixel)) / step;
    }
    return { first, weights };
  });
}
