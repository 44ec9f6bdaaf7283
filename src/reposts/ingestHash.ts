/**
 * The perceptual hash as ingest makes it: beside the embedding, from the same bytes.
 *
 * Decoded twice, once for each: the embedding's decode is resampled with PIL's kernel and centre-
 * cropped to the model's square, which loses the edges the hash needs (a frame is trimmed, not
 * cropped), and sharing one full-size decode would lose the shrink-on-load that makes the hash's own
 * decode cheap (about 3 ms of CPU against the embedding's 60–85; BENCHMARKS.md, reposts). Run side by
 * side, the hash's decode overlaps inference.
 *
 * A hash that cannot be made never costs the image its place in the index: the hash is logged with
 * the image's id and left undefined, which backfill (a later index or /reindex) retries.
 */
import type { EmbeddingModel } from '../embed/embeddingModel.js';
import type { ImageLimits } from '../embed/imagePreprocessor.js';
import { logger } from '../logger.js';
import { perceptualHash } from './perceptualHash.js';

/**
 * Embeds and hashes `bytes` at once. Bytes the embedding refuses make this reject with its error (the
 * hash refuses the same bytes, and that goes unsaid); a hash failing alone leaves it undefined.
 */
export async function embedWithHash(
  model: Pick<EmbeddingModel, 'embedImage' | 'imageLimits'>,
  bytes: Uint8Array,
  imageId: string,
): Promise<{ embedding: Float32Array; perceptualHash: bigint | undefined }> {
  const hashing = settled(perceptualHash(bytes, model.imageLimits));
  const embedding = await model.embedImage(bytes);
  return { embedding, perceptualHash: hashOrUndefined(await hashing, imageId) };
}

/** The hash of an image indexed before hashes were made (its embedding is kept), or undefined (logged). */
export async function hashForBackfill(bytes: Uint8Array, limits: ImageLimits, imageId: string): Promise<bigint | undefined> {
  return hashOrUndefined(await settled(perceptualHash(bytes, limits)), imageId);
}

type Settled = { hash: bigint } | { error: unknown };

/** Never rejects: a failure is kept for the caller to judge once the embedding's outcome is known. */
function settled(hashing: Promise<bigint>): Promise<Settled> {
  return hashing.then(
    (hash) => ({ hash }),
    (error: unknown) => ({ error }),
  );
}

function hashOrUndefined(result: Settled, imageId: string): bigint | undefined {
  if ('hash' in result) return result.hash;
  logger.warn(
    { err: result.error, imageId },
    'no perceptual hash for this image (reposts of it cannot be found until it is indexed again)',
  );
  return undefined;
}
