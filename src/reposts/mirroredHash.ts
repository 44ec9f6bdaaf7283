/**
 * Mirror tolerance: a picture flipped left to right (a common way to repost a meme past a bot)
 * moves every pixel, and its DCT hash differs from the original's in about half its bits. The
 * flipped hash need not be computed from the picture, it follows from the stored one.
 *
 * Mirroring the thumbnail (x → N − 1 − x) multiplies the DCT coefficient of horizontal frequency u
 * by (−1)^u: cos(π(2(N − 1 − x) + 1)u / 2N) = cos(πu − π(2x + 1)u / 2N) = (−1)^u cos(π(2x + 1)u / 2N).
 * So the coefficients of odd u change sign and the others stay. In dctHash.ts's layout (coefficient
 * (v, u) at bit 63 − (8v + u)), odd u are bits 6, 4, 2 and 0 of every byte: MIRRORED_BITS, the 32
 * bits a mirror flips. The derivation is close, not exact: a bit is "above the median of the AC
 * coefficients", and flipping signs moves the median a little, and coefficients under the noise
 * floor (zero) stay zero instead of flipping. On the 53 weather photos (flipped with sharp and saved as
 * JPEG) the derived hash came within a median 4 bits of the flipped photo's own hash, and within 14
 * bits for 50 of them (test/reposts/mirroredHash.test.ts, BENCHMARKS.md reposts). Smooth synthetic
 * pictures (a few blurred blobs), with many coefficients near zero, came a median 12 bits apart.
 *
 * Two hashes are then compared both ways: as they are, and one as its mirror image; the nearer
 * counts. Split by column parity, the bits two hashes differ in are `even + odd`, and as mirror
 * images `even + (32 − odd)`, so both come from one pass (hashScan.ts).
 */
import { isInformative } from './dctHash.js';
import { hashWords } from './hammingDistance.js';

/** The bits a horizontal mirror flips: odd horizontal frequencies (0x55 in every byte). */
export const MIRRORED_BITS = 0x5555_5555_5555_5555n;
/** How many bits MIRRORED_BITS holds. */
const FLIPPED = 32;
/** MIRRORED_BITS in each 32-bit half. */
const ODD_COLUMNS = 0x55555555;

export interface HashMatch {
  /** Bits the two hashes differ in, in the nearer orientation. */
  distance: number;
  /** True when the hashes are nearer as mirror images of each other than as they are. */
  mirrored: boolean;
}

/** The hash of the picture flipped left to right, from its hash; LOW_INFORMATION_HASH stays what it is. */
export function mirroredHash(hash: bigint): bigint {
  return isInformative(hash) ? hash ^ MIRRORED_BITS : hash;
}

/** Two hashes compared as they are and as mirror images: the nearer. */
export function nearerOrientation(a: bigint, b: bigint): HashMatch {
  const x = hashWords(a);
  const y = hashWords(b);
  const high = x.high ^ y.high;
  const low = x.low ^ y.low;
  return { distance: orientedDistance(high, low), mirrored: isMirrored(high, low) };
}

/** From the XOR of two hashes (its high and low words): the bits they differ in, in the nearer orientation. */
export function orientedDistance(high: number, low: number): number {
  const odd = oddColumnBits(high, low);
  return evenColumnBits(high, low) + Math.min(odd, FLIPPED - odd);
}

/** From the XOR of two hashes: whether they are nearer as mirror images (a tie counts as not mirrored). */
export function isMirrored(high: number, low: number): boolean {
  const odd = oddColumnBits(high, low);
  return FLIPPED - odd < odd;
}

function oddColumnBits(high: number, low: number): number {
  return laneSum((high & ODD_COLUMNS) + (low & ODD_COLUMNS));
}

function evenColumnBits(high: number, low: number): number {
  return laneSum(((high >>> 1) & ODD_COLUMNS) + ((low >>> 1) & ODD_COLUMNS));
}

/**
 * The sum of sixteen 2-bit lanes that each hold 0–2 (the popcount's first step done by masking):
 * fours, bytes, then a multiply adds the bytes.
 */
function laneSum(lanes: number): number {
  const fours = (lanes & 0x33333333) + ((lanes >>> 2) & 0x33333333);
  return (Math.imul((fours + (fours >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}
