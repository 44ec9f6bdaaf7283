/**
 * Perceptual hashes of one collection's images, held compactly for "which images are within d
 * bits of this hash?". A hash is two 32-bit words in two typed arrays (8 bytes an image), and a
 * query scans them all, counting differing bits with a SWAR popcount.
 *
 * Why a scan: at 1 M hashes it costs about 3 ms of CPU a query on the project's 2-core machine,
 * a few percent of embedding one image (BENCHMARKS.md), whatever the distance, and adds and deletes
 * are O(1). Multi-index hashing (four 16-bit tables, probing every key within ⌊d/4⌋ bits) measured
 * no faster at d = 12 and slower above it (3.4 ms at d = 14, 12 ms at d = 16) on a million uniformly
 * spread hashes, its best case: real hashes crowd into fewer buckets.
 *
 * Low-information hashes (dctHash.ts) are not held: they match nothing.
 */
import { isInformative } from './dctHash.js';
import { hashWords, popcount32 } from './hammingDistance.js';

export interface HashNeighbour {
  id: string;
  distance: number;
}

const INITIAL_CAPACITY = 1024;

export class PerceptualHashIndex {
  private high = new Uint32Array(INITIAL_CAPACITY);
  private low = new Uint32Array(INITIAL_CAPACITY);
  /** Slot → id; slots 0..size-1 are all in use (a delete moves the last slot into the hole). */
  private readonly ids: string[] = [];
  private readonly slots = new Map<string, number>();

  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  /** Holds `hash` for `id`, replacing what it had; a low-information hash just removes the id. */
  set(id: string, hash: bigint): void {
    if (!isInformative(hash)) {
      this.delete(id);
      return;
    }
    const words = hashWords(hash);
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (slot === this.high.length) this.grow();
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    this.high[slot] = words.high;
    this.low[slot] = words.low;
  }

  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    const moved = this.ids[last]!;
    this.ids[slot] = moved;
    this.high[slot] = this.high[last]!;
    this.low[slot] = this.low[last]!;
    this.slots.set(moved, slot);
    this.ids.pop();
    this.slots.delete(id);
    return true;
  }

  /** Every held id whose hash differs from `hash` in at most `maxDistance` bits, nearest first. */
  within(hash: bigint, maxDistance: number): HashNeighbour[] {
    if (!isInformative(hash)) return [];
    const { high, low } = hashWords(hash);
    const found: HashNeighbour[] = [];
    const highs = this.high;
    const lows = this.low;
    // Both words every time: skipping the second when the first is already too far sounds cheaper
    // but measured slower (up to 5× at d = 14), a branch the processor cannot predict.
    for (let slot = 0, count = this.ids.length; slot < count; slot++) {
      const distance = popcount32(highs[slot]! ^ high) + popcount32(lows[slot]! ^ low);
      if (distance <= maxDistance) found.push({ id: this.ids[slot]!, distance });
    }
    return found.sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private grow(): void {
    const high = new Uint32Array(this.high.length * 2);
    const low = new Uint32Array(this.low.length * 2);
    high.set(this.high);
    low.set(this.low);
    this.high = high;
    this.low = low;
  }
}
