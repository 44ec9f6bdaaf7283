/**
 * Perceptual hashes of a set of images keyed by id (what `duplicateGroups` compares), held
 * compactly for "which images are within d bits of this hash?": 8 bytes a hash in one typed array,
 * scanned by hashScan.ts. The library keeps its hashes by row instead (recordTable.ts), without ids.
 *
 * Low-information hashes (dctHash.ts) are not held: they match nothing.
 */
import { isInformative } from './dctHash.js';
import { hashWords } from './hammingDistance.js';
import { slotsWithin, writeHash } from './hashScan.js';

export interface HashNeighbour {
  id: string;
  /** Bits apart, in the nearer orientation (mirroredHash.ts). */
  distance: number;
  /** Nearer as mirror images. */
  mirrored: boolean;
}

const INITIAL_CAPACITY = 1024;

export class PerceptualHashIndex {
  /** Slot i's hash as (low, high) at 2i, 2i + 1. */
  private pairs = new Uint32Array(2 * INITIAL_CAPACITY);
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
    hashWords(hash); // refuses a value that is not 64 bits unsigned before anything changes
    if (!isInformative(hash)) {
      this.delete(id);
      return;
    }
    let slot = this.slots.get(id);
    if (slot === undefined) {
      slot = this.ids.length;
      if (2 * slot === this.pairs.length) this.grow();
      this.ids.push(id);
      this.slots.set(id, slot);
    }
    writeHash(this.pairs, slot, hash);
  }

  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.ids.length - 1;
    const moved = this.ids[last]!;
    this.ids[slot] = moved;
    this.pairs.copyWithin(2 * slot, 2 * last, 2 * last + 2);
    this.slots.set(moved, slot);
    this.ids.pop();
    this.slots.delete(id);
    return true;
  }

  /** Every held id whose hash differs from `hash`, or from its mirror image, in at most `maxDistance` bits, nearest first. */
  within(hash: bigint, maxDistance: number): HashNeighbour[] {
    return slotsWithin(this.pairs, this.ids.length, hash, maxDistance)
      .map(({ slot, distance, mirrored }) => ({ id: this.ids[slot]!, distance, mirrored }))
      .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  private grow(): void {
    const pairs = new Uint32Array(this.pairs.length * 2);
    pairs.set(this.pairs);
    this.pairs = pairs;
  }
}
