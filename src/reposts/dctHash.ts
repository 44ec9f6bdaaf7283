/**
 * The DCT perceptual hash ("pHash") of a small grey thumbnail: 64 bits that stay nearly the same
 * when a picture is re-encoded, resized, brightened or converted, and differ in about half their
 * bits between unrelated pictures.
 *
 * Algorithm (Zauner, "Implementation and Benchmarking of Perceptual Image Hash Functions", 2010;
 * Krawetz, "Looks Like It", hackerfactor.com, 2011; the steps of Python's `imagehash.phash`): take
 * the 2-D DCT-II of a 32×32 grey thumbnail, keep the 8×8 lowest frequencies, and set a bit for each
 * coefficient above the median. Two changes, both measured on the weather photos (BENCHMARKS.md):
 *  - Coefficients are amplitudes in grey levels, and those under half a level count as zero. Without
 *    that, a picture with exact symmetries (stripes, flags, diagrams) has dozens of coefficients
 *    that are zero plus encoder noise, whose bits flip on every re-encoding (24 of 64 for a striped
 *    PNG saved as JPEG); photos have few such coefficients and keep their distances.
 *  - Low information: a picture with fewer than MIN_SIGNIFICANT_FREQUENCIES non-zero frequencies (a
 *    blank, a solid colour, a faint gradient, plain stripes) says too little to tell copies from
 *    look-alikes, so two unrelated blanks would collide. So does a picture mostly of one flat level
 *    (more than MAX_FLAT_SHARE of the thumbnail): text on a plain ground, a chat screenshot. Its low
 *    frequencies are the layout of its text, which different pictures share (two unrelated captions
 *    on plain grounds came 4 bits apart, and one such pair in seven within 14). Both hash to
 *    LOW_INFORMATION_HASH, which matches nothing, not even itself.
 *
 * Bit layout: bit 63 is set on every real hash (the constant term is left out: it is the mean
 * brightness); AC coefficient (v, u), v cycles down and u across, is bit 63 − (8v + u). A real hash
 * is therefore never 0n, which is what frees 0n to mean "low information".
 */

export const THUMBNAIL_SIZE = 32;
/** What a picture with too little structure hashes to; see isInformative. */
export const LOW_INFORMATION_HASH = 0n;

const KEPT = 8;
/** Coefficients (grey levels of amplitude) below this are encoder noise, not picture. */
const NOISE_AMPLITUDE = 0.5;
/**
 * Of the 63 AC frequencies, at least this many must rise above the noise. The weather photos and
 * all their copies have 25 or more; a JPEG of a solid colour has none, three flat stripes 7.
 */
export const MIN_SIGNIFICANT_FREQUENCIES = 16;
/**
 * Share of the thumbnail that may lie within FLAT_TOLERANCE grey levels of its commonest level. The
 * weather photos and copies of them made ten ways reach 0.39 (a wide sky); captions on plain grounds
 * 0.79 and more, chat screenshots 0.64 and more (BENCHMARKS.md, reposts).
 */
export const MAX_FLAT_SHARE = 0.5;
const FLAT_TOLERANCE = 6;
const REAL_HASH_MARK = 1n << 63n;

/** cos(π (2n + 1) k / 2N) for the kept frequencies k and every pixel n. */
const COSINES: readonly Float64Array[] = Array.from({ length: KEPT }, (_, k) => {
  const row = new Float64Array(THUMBNAIL_SIZE);
  for (let n = 0; n < THUMBNAIL_SIZE; n++) row[n] = Math.cos((Math.PI * (2 * n + 1) * k) / (2 * THUMBNAIL_SIZE));
  return row;
});

/** False for LOW_INFORMATION_HASH: such a hash is no evidence that two pictures are alike. */
export function isInformative(hash: bigint): boolean {
  return hash !== LOW_INFORMATION_HASH;
}

/** 32×32 grey levels (0–255), row by row, → the 64-bit hash (LOW_INFORMATION_HASH for a featureless one). */
export function dctHash(thumbnail: ArrayLike<number>): bigint {
  const amplitudes = lowFrequencyAmplitudes(thumbnail);
  if (flatShare(thumbnail) > MAX_FLAT_SHARE) return LOW_INFORMATION_HASH;
  let significant = 0;
  for (let i = 1; i < amplitudes.length; i++) {
    if (Math.abs(amplitudes[i]!) < NOISE_AMPLITUDE) amplitudes[i] = 0;
    else significant++;
  }
  if (significant < MIN_SIGNIFICANT_FREQUENCIES) return LOW_INFORMATION_HASH;

  const ac = amplitudes.subarray(1);
  const median = Float64Array.from(ac).sort()[ac.length >> 1]!;
  let hash = REAL_HASH_MARK;
  ac.forEach((amplitude, i) => {
    if (amplitude > median) hash |= 1n << BigInt(62 - i);
  });
  return hash;
}

/** The share of grey levels within FLAT_TOLERANCE of the commonest (rounded) level. */
export function flatShare(thumbnail: ArrayLike<number>): number {
  const counts = new Uint32Array(256);
  for (let i = 0; i < thumbnail.length; i++) counts[Math.min(255, Math.max(0, Math.round(thumbnail[i]!)))]!++;
  let commonest = 0;
  for (let level = 1; level < 256; level++) if (counts[level]! > counts[commonest]!) commonest = level;
  let near = 0;
  for (let level = Math.max(0, commonest - FLAT_TOLERANCE); level <= Math.min(255, commonest + FLAT_TOLERANCE); level++)
    near += counts[level]!;
  return near / thumbnail.length;
}

/**
 * The 8×8 lowest-frequency DCT-II coefficients, scaled to the amplitude (in grey levels) of their
 * cosine in the thumbnail; index 8v + u. Separable: along rows, then down columns.
 */
function lowFrequencyAmplitudes(thumbnail: ArrayLike<number>): Float64Array {
  const size = THUMBNAIL_SIZE;
  if (thumbnail.length !== size * size) {
    throw new RangeError(`a thumbnail has ${size * size} grey pixels, not ${thumbnail.length}`);
  }
  const rows = new Float64Array(size * KEPT);
  for (let y = 0; y < size; y++) {
    for (let u = 0; u < KEPT; u++) {
      const cosine = COSINES[u]!;
      let sum = 0;
      for (let x = 0; x < size; x++) sum += cosine[x]! * thumbnail[y * size + x]!;
      rows[y * KEPT + u] = sum;
    }
  }
  const amplitudes = new Float64Array(KEPT * KEPT);
  for (let v = 0; v < KEPT; v++) {
    const cosine = COSINES[v]!;
    for (let u = 0; u < KEPT; u++) {
      let sum = 0;
      for (let y = 0; y < size; y++) sum += cosine[y]! * rows[y * KEPT + u]!;
      // Σ cos² over N pixels is N/2 for k > 0 and N for k = 0.
      amplitudes[v * KEPT + u] = sum / (((u === 0 ? 2 : 1) * size) / 2) / (((v === 0 ? 2 : 1) * size) / 2);
    }
  }
  return amplitudes;
}
