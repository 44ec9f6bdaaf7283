/**
 * PIL's bicubic resampling (Image.resize(..., BICUBIC)) in its exact fixed-point arithmetic,
 * computing only a window of outputs: used for images too small for libvips to match PIL
 * (see imagePreprocessor.ts).
 */

/** PIL's fixed-point precision for 8-bit resampling (two bits of headroom for filter overshoot). */
const PRECISION_BITS = 22;

export interface Coefficients {
  /** Input range [first, end) that the computed outputs read. */
  first: number;
  end: number;
  /** Per output: first input index relative to `first`, tap count, and taps at `k * taps`. */
  starts: Int32Array;
  counts: Int32Array;
  weights: Int32Array;
  taps: number;
}

/**
 * PIL's bicubic (a = -0.5) coefficients for outputs [firstOut, firstOut + count) of an inSize → outSize
 * resample: centre (o + 0.5) · scale, support 2 · max(scale, 1), edges truncated and weights renormalised,
 * then rounded to fixed point.
 */
export function bicubicCoefficients(inSize: number, outSize: number, firstOut: number, count: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(count);
  const counts = new Int32Array(count);
  const weights = new Int32Array(count * taps);
  const raw = new Float64Array(taps);
  let first = inSize;
  let end = 0;
  for (let k = 0; k < count; k++) {
    const centre = (firstOut + k + 0.5) * scale;
    const min = Math.max(0, Math.trunc(centre - support + 0.5));
    const n = Math.min(inSize, Math.trunc(centre + support + 0.5)) - min;
    let total = 0;
    for (let j = 0; j < n; j++) total += raw[j] = cubic((j + min - centre + 0.5) / filterScale);
    for (let j = 0; j < n; j++) {
      const w = ((raw[j] as number) / (total === 0 ? 1 : total)) * (1 << PRECISION_BITS);
      weights[k * taps + j] = w < 0 ? Math.trunc(w - 0.5) : Math.trunc(w + 0.5);
    }
    starts[k] = min;
    counts[k] = n;
    first = Math.min(first, min);
    end = Math.max(end, min + n);
  }
  for (let k = 0; k < count; k++) starts[k] = (starts[k] as number) - first;
  return { first, end, starts, counts, weights, taps };
}

function cubic(x: number): number {
  const t = Math.abs(x);
  if (t < 1) return (1.5 * t - 2.5) * t * t + 1;
  if (t < 2) return ((-0.5 * t + 2.5) * t - 4) * t + 2;
  return 0;
}

/**
 * Horizontal then vertical pass over the source window, each rounded to uint8 as PIL does. Sums stay
 * within int32 (255 · 2^22 · the filter's overshoot < 2^31), so `| 0` keeps V8 on integer arithmetic.
 */
export function resampleWindow(source: Uint8Array, sourceWidth: number, columns: Coefficients, rows: Coefficients): Uint8Array {
  const width = columns.counts.length;
  const height = rows.counts.length;
  const sourceHeight = source.length / (3 * sourceWidth);
  const half = 1 << (PRECISION_BITS - 1);
  const rowBytes = width * 3;
  const middle = new Uint8Array(sourceHeight * rowBytes);
  const { starts: xStarts, counts: xCounts, weights: xWeights, taps: xTaps } = columns;
  for (let y = 0; y < sourceHeight; y++) {
    const rowStart = y * sourceWidth * 3;
    for (let x = 0, q = y * rowBytes; x < width; x++, q += 3) {
      let r = half,
        g = half,
        b = half;
      let p = rowStart + (xStarts[x] as number) * 3;
      for (let w = x * xTaps, last = w + (xCounts[x] as number); w < last; w++, p += 3) {
        const k = xWeights[w] as number;
        r = (r + (source[p] as number) * k) | 0;
        g = (g + (source[p + 1] as number) * k) | 0;
        b = (b + (source[p + 2] as number) * k) | 0;
      }
      middle[q] = clip8(r);
      middle[q + 1] = clip8(g);
      middle[q + 2] = clip8(b);
    }
  }
  const out = new Uint8Array(rowBytes * height);
  const sums = new Int32Array(rowBytes);
  const { starts: yStarts, counts: yCounts, weights: yWeights, taps: yTaps } = rows;
  for (let y = 0; y < height; y++) {
    sums.fill(half);
    let p = (yStarts[y] as number) * rowBytes;
    for (let w = y * yTaps, last = w + (yCounts[y] as number); w < last; w++, p += rowBytes) {
      const k = yWeights[w] as number;
      for (let c = 0; c < rowBytes; c++) sums[c] = ((sums[c] as number) + (middle[p + c] as number) * k) | 0;
    }
    for (let c = 0, q = y * rowBytes; c < rowBytes; c++, q++) out[q] = clip8(sums[c] as number);
  }
  return out;
}

function clip8(sum: number): number {
  const v = sum >> PRECISION_BITS;
  return v < 0 ? 0 : v > 255 ? 255 : v;
}
