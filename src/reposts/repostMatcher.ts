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
 *
 * Hashes are compared as they are and as mirror images (mirroredHash.ts): a flipped copy is a copy.
 * And when the words in both images are known (OCR), they must agree as well (imageTextAgreement.ts):
 * the same meme template under two different captions is two pictures, however alike their pixels.
 */
import { isInformative } from './dctHash.js';
import { textsAllowNearCopy } from './imageTextAgreement.js';
import { nearerOrientation } from './mirroredHash.js';
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
  /** The words read in the image (OCR): '' when it holds none, undefined when it was not read. */
  imageText?: string | undefined;
}

export interface RepostMatch {
  id: string;
  /** Bits the perceptual hashes differ in (in the nearer orientation). */
  distance: number;
  /** Cosine similarity of the embeddings. */
  similarity: number;
  /** The hashes are nearer as mirror images: one picture is the other flipped. */
  mirrored: boolean;
}

/** L2-normalised embedding of an indexed image, or undefined when it is no longer there. */
export type EmbeddingLookup<K = string> = (key: K) => Float32Array | undefined;
/** The words read in an indexed image ('' for none), or undefined when it was not read (or OCR is not used). */
export type ImageTextLookup<K = string> = (key: K) => string | undefined;

/** A hash neighbour found by a scan: `key` is whatever the scan names an image by. */
export interface HashNeighbourOf<K> {
  key: K;
  distance: number;
  mirrored: boolean;
}

/** A hash neighbour the rest of the decision confirmed. */
export interface ConfirmedNeighbour<K> extends HashNeighbourOf<K> {
  similarity: number;
}

/**
 * Indexed images `image` is a repost of, nearest hash first (ties: more similar first). None for a
 * low-information hash: without a hash there is only the embedding, which alone is not enough.
 */
export function findReposts(
  image: RepostSignals,
  hashes: PerceptualHashIndex,
  embeddingOf: EmbeddingLookup,
  thresholds: RepostThresholds,
  imageTextOf: ImageTextLookup = () => undefined,
): RepostMatch[] {
  const near = hashes.within(image.perceptualHash, thresholds.maxDistance).map(({ id, ...match }) => ({ key: id, ...match }));
  return confirmedNearCopies(image, near, embeddingOf, thresholds, imageTextOf).map(({ key, ...match }) => ({ id: key, ...match }));
}

/**
 * The rest of the decision, for hash neighbours within maxDistance found by any scan: those the
 * embeddings confirm (or whose hash is close enough alone) and whose words do not disagree with
 * the image's, nearest hash first (ties: more similar first).
 */
export function confirmedNearCopies<K>(
  image: Pick<RepostSignals, 'embedding' | 'imageText'>,
  near: Iterable<HashNeighbourOf<K>>,
  embeddingOf: EmbeddingLookup<K>,
  thresholds: RepostThresholds,
  imageTextOf: ImageTextLookup<K> = () => undefined,
): Array<ConfirmedNeighbour<K>> {
  const confirmed: Array<ConfirmedNeighbour<K>> = [];
  for (const neighbour of near) {
    const other = embeddingOf(neighbour.key);
    if (other === undefined) continue;
    const similarity = cosine(image.embedding, other);
    if (!isNearCopy(neighbour.distance, similarity, thresholds)) continue;
    if (textsAllowNearCopy(image.imageText, imageTextOf(neighbour.key))) confirmed.push({ ...neighbour, similarity });
  }
  return confirmed.sort((a, b) => a.distance - b.distance || b.similarity - a.similarity);
}

/** The decision for one pair of images: their match, or null when they are not near-copies. */
export function nearCopyMatch(
  a: RepostSignals,
  b: RepostSignals,
  thresholds: RepostThresholds,
): { distance: number; similarity: number; mirrored: boolean } | null {
  if (!isInformative(a.perceptualHash) || !isInformative(b.perceptualHash)) return null;
  const { distance, mirrored } = nearerOrientation(a.perceptualHash, b.perceptualHash);
  if (distance > thresholds.maxDistance) return null;
  const similarity = cosine(a.embedding, b.embedding);
  if (!isNearCopy(distance, similarity, thresholds) || !textsAllowNearCopy(a.imageText, b.imageText)) return null;
  return { distance, similarity, mirrored };
}

/** The rule on pixels, for two informative hashes `distance` bits apart and embeddings of cosine `similarity` (the words come after). */
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
