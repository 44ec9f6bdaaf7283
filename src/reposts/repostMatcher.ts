/**
 * The repost decision: a new image is a repost of an indexed one when both signals agree — their
 * perceptual hashes are at most `maxHashDistance` bits apart AND their embeddings' cosine is at
 * least `minCosine`. Either alone is fooled: hashes collide between different pictures with the
 * same layout and miss large crops; embeddings rate two photos of the same scene as near-copies.
 * The hash index finds the few candidates; the embeddings confirm them.
 */
import { isInformative } from './dctHash.js';
import type { PerceptualHashIndex } from './perceptualHashIndex.js';

export interface RepostThresholds {
  /** Hamming distance between perceptual hashes, in bits of 64. */
  maxHashDistance: number;
  /** Cosine similarity between L2-normalised embeddings, in [-1, 1]. */
  minCosine: number;
}

/**
 * Chosen from the sweep over the labelled weather set (BENCHMARKS.md, `npm run bench -- reposts`).
 * With both signals, precision stays 1.0 up to a hash distance of 16 and recall peaks from 14 (the
 * cropped and framed copies reach 13 and 14 bits), so 14. The cosine only vetoes hash look-alikes;
 * 0.8 is the highest in the sweep that lost no copy at that distance. The sweep's embeddings came
 * from the random-weight fixture model: rerun it with the real model before raising the cosine.
 */
export const DEFAULT_REPOST_THRESHOLDS: RepostThresholds = { maxHashDistance: 14, minCosine: 0.8 };

export interface RepostSignals {
  perceptualHash: bigint;
  /** L2-normalised, as the embedding model returns it. */
  embedding: Float32Array;
}

export interface RepostMatch {
  id: string;
  hashDistance: number;
  cosine: number;
}

/** L2-normalised embedding of an indexed image, or undefined when it is no longer there. */
export type EmbeddingLookup = (id: string) => Float32Array | undefined;

/**
 * Indexed images `image` is a repost of, nearest hash first (ties: higher cosine first). None for a
 * low-information hash: without a hash there is only the embedding, which alone is not enough.
 */
export function findReposts(
  image: RepostSignals,
  hashes: PerceptualHashIndex,
  embeddingOf: EmbeddingLookup,
  thresholds: RepostThresholds,
): RepostMatch[] {
  if (!isInformative(image.perceptualHash)) return [];
  const matches: RepostMatch[] = [];
  for (const { id, distance } of hashes.within(image.perceptualHash, thresholds.maxHashDistance)) {
    const embedding = embeddingOf(id);
    if (embedding === undefined) continue;
    const similarity = cosine(image.embedding, embedding);
    if (similarity >= thresholds.minCosine) matches.push({ id, hashDistance: distance, cosine: similarity });
  }
  return matches.sort((a, b) => a.hashDistance - b.hashDistance || b.cosine - a.cosine);
}

/** Dot product: both vectors are L2-normalised, so it is their cosine. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new RangeError(`embeddings of ${a.length} and ${b.length} dimensions cannot be compared`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}
