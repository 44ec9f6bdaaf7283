/**
 * The scan behind every "which hashes are within d bits of this one?": a column of 64-bit
 * perceptual hashes as 32-bit (low, high) pairs, two numbers a slot, compared with a SWAR popcount.
 * Both the id-keyed PerceptualHashIndex and the library's per-row column (recordTable.ts) are laid
 * out this way and scanned here.
 *
 * Every slot is compared both as it is and as the mirror image of the query (mirroredHash.ts): the
 * nearer orientation counts, and says whether it was the mirrored one. Both come from the same
 * XOR, split by column parity: two lane sums, as many as the plain popcount of two words.
 *
 * Why a scan: at 1 M hashes it costs about 4 ms of CPU a query on the project's 2-core machine,
 * a few percent of embedding one image (BENCHMARKS.md), whatever the distance. Multi-index hashing
 * (four 16-bit tables, probing every key within ⌊d/4⌋ bits) measured no faster at d = 12 and slower
 * above it (3.4 ms at d = 14, 12 ms at d = 16) on a million uniformly spread hashes, its best case:
 * real hashes crowd into fewer buckets.
 *
 * A slot holding (0, 0) never matches: it is LOW_INFORMATION_HASH, or in the library a row whose
 * hash was never computed; neither is evidence that two pictures are alike.
 */
import { isInformative } from './dctHash.js';
import { hashWords } from './hammingDistance.js';
import { isMirrored, orientedDistance } from './mirroredHash.js';

export interface SlotNeighbour {
  slot: number;
  /** Bits apart in the nearer orientation. */
  distance: number;
  /** The slot's hash is nearer to the mirror image of `hash` (mirroredHash.ts). */
  mirrored: boolean;
}

/**
 * Slots among the first `count` of `pairs` whose hash is within `maxDistance` bits of `hash` or of
 * its mirror image, in slot order.
 */
export function slotsWithin(pairs: Uint32Array, count: number, hash: bigint, maxDistance: number): SlotNeighbour[] {
  if (!isInformative(hash)) return [];
  if (2 * count > pairs.length) throw new RangeError(`${count} hashes do not fit a column of ${pairs.length / 2}`);
  const { high, low } = hashWords(hash);
  const found: SlotNeighbour[] = [];
  // Both words every time: skipping the second when the first is already too far sounds cheaper
  // but measured slower (up to 5× at d = 14), a branch the processor cannot predict.
  for (let slot = 0; slot < count; slot++) {
    const storedLow = pairs[2 * slot]!;
    const storedHigh = pairs[2 * slot + 1]!;
    const distance = orientedDistance(storedHigh ^ high, storedLow ^ low);
    if (distance <= maxDistance && (storedHigh | storedLow) !== 0) {
      found.push({ slot, distance, mirrored: isMirrored(storedHigh ^ high, storedLow ^ low) });
    }
  }
  return found;
}

/** Writes `hash` (undefined: none) into slot `slot` of a pairs column. */
export function writeHash(pairs: Uint32Array, slot: number, hash: bigint | undefined): void {
  const { high, low } = hash === undefined ? { high: 0, low: 0 } : hashWords(hash);
  pairs[2 * slot] = low;
  pairs[2 * slot + 1] = high;
}

/** The hash in slot `slot` of a pairs column. */
export function readHash(pairs: Uint32Array, slot: number): bigint {
  return (BigInt(pairs[2 * slot + 1]!) << 32n) | BigInt(pairs[2 * slot]!);
}
