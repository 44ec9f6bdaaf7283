/**
 * The repost decision: a new image is a repost of an indexed one when both signals agree — their
 * perceptual hashes are at most `maxDistance` bits apart AND their embeddings' cosine similarity is
 * at least `minSimilarity`. Either alone is fooled: hashes collide between different pictures with
 * the same layout and miss large crops; embeddings rate two photos of the same scene as near-copies.
 * A hash scan finds the few candidates; the embeddings confirm them.
 *
 * Except very close hashes: within `hashAloneDistance` bits the hash decides alone. No two different
 * pictures measured came that close (pictures whose hash is their layout are low information, see
 * dctHash.ts), while an embedding that moves under a change of brightness could only lose copies there.
 */
import { isInformative } from './dctHash.js';
import { hammingDistance } from './hammingDistance.js';
import type { PerceptualHashIndex } from './perceptualHashIndex.js';

export interface RepostThresholds {
  /** Hamming distance between perceptual hashes, in bits of HASH_BITS. */
  maxDistance: number;
  /** Cosine similarity between L2-normalised embeddings, in [-1, 1], asked of hashes farther apart than hashAloneDistance. */
  minSimilarity: number;
  /** Hashes at most this many bits apart (and within maxDistance) make near-copies whatever the embeddings say. */
  hashAloneDistance: number;
}

/** Bits in a perceptual hash: the largest distance there is. */
export const HASH_BITS = 64;

/**
 * Chosen from the sweep over the labelled weather set (BENCHMARKS.md, `npm run bench -- reposts`).
 * With both signals, precision stays 1.0 up to a hash distance of 16 and recall peaks from 14 (the
 * cropped and framed copies reach 13 and 14 bits), so 14. The similarity only vetoes hash
 * look-alikes; 0.8 is the highest in the sweep that lost no copy at that distance. The sweep's
 * embeddings came from the random-weight fixture model: rerun it with the real model before raising it.
 * The hash alone is trusted to 8 bits: the closest two different pictures came was 11.
 */
export const DEFAULT_REPOST_THRESHOLDS: RepostThresholds = { maxDistance: 14, minSimilarity: 0.8, hashAloneDistance: 8 };

export interface RepostSignals {
  perceptualHash: bigint;
  /** L2-normalised, as the embedding model returns it. */
  embedding: Float32Array;
}

export interface RepostMatch {
  id: string;
  /** Bits the perceptual hashes differ in. */
  distance: number;
  /** Cosine similarity of the embeddings. */
  similarity: number;
}

/** L2-normalised embedding of an indexed image, or undefined when it is no longer there. */
export type EmbeddingLookup<K = string> = (key: K) => Float32Array | undefined;

/**
 * Indexed images `image` is a repost of, nearest hash first (ties: more similar first). None for a
 * low-information hash: without a hash there is only the embedding, which alone is not enough.
 */
export function findReposts(
  image: RepostSignals,
  hashes: PerceptualHashIndex,
  embeddingOf: EmbeddingLookup,
  thresholds: RepostThresholds,
): RepostMatch[] {
  const near = hashes.within(image.perceptualHash, thresholds.maxDistance).map(({ id, distance }) => ({ key: id, distance }));
  return confirmedByEmbedding(image.embedding, near, embeddingOf, thresholds).map(({ key, distance, similarity }) => ({
    id: key,
    distance,
    similarity,
  }));
}

/**
 * The second half of the decision, for hash neighbours within maxDistance found by any scan (`key`
 * is whatever the scan names an image by): those the embeddings confirm (or whose hash is close
 * enough alone), nearest hash first (ties: more similar first).
 */
export function confirmedByEmbedding<K>(
  embedding: Float32Array,
  near: Iterable<{ key: K; distance: number }>,
  embeddingOf: EmbeddingLookup<K>,
  thresholds: RepostThresholds,
): Array<{ key: K; distance: number; similarity: number }> {
  const confirmed: Array<{ key: K; distance: number; similarity: number }> = [];
  for (const { key, distance } of near) {
    const other = embeddingOf(key);
    if (other === undefined) continue;
    const similarity = cosine(embedding, other);
    if (isNearCopy(distance, similarity, thresholds)) confirmed.push({ key, distance, similarity });
  }
  return confirmed.sort((a, b) => a.distance - b.distance || b.similarity - a.similarity);
}

/** The decision for one pair of images: their match, or null when they are not near-copies. */
export function nearCopyMatch(
  a: RepostSignals,
  b: RepostSignals,
  thresholds: RepostThresholds,
): { distance: number; similarity: number } | null {
  if (!isInformative(a.perceptualHash) || !isInformative(b.perceptualHash)) return null;
  const distance = hammingDistance(a.perceptualHash, b.perceptualHash);
  if (distance > thresholds.maxDistance) return null;
  const similarity = cosine(a.embedding, b.embedding);
  return isNearCopy(distance, similarity, thresholds) ? { distance, similarity } : null;
}

/** The rule itself, for two informative hashes `distance` bits apart and embeddings of cosine `similarity`. */
export function isNearCopy(distance: number, similarity: number, thresholds: RepostThresholds): boolean {
  if (distance > thresholds.maxDistance) return false;
  return distance <= thresholds.hashAloneDistance || similarity >= thresholds.minSimilarity;
}

/** Dot product: both vectors are L2-normalised, so it is their cosine. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddings of ${a.length} and ${b.length} dimensions cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
