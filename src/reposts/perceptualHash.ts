/**
 * Image bytes → the 64-bit perceptual hash that tells reposts apart: decode to grey
 * (this file), trim and average down to 32×32 (greyThumbnail.ts), hash (dctHash.ts, which also
 * says why 0n means "low information").
 *
 * The bytes are checked and decoded exactly as the embedding does (same limits, first frame,
 * transparency on white, EXIF orientation), into grey of at most DECODED_SIDE pixels a side, which
 * lets libjpeg shrink while decoding: the hash costs a few percent of the embedding (BENCHMARKS.md).
 *
 * Why pHash rather than dHash (the difference hash of adjacent pixels): on a first version of the
 * labelled weather set, dHash put two unrelated photos 5 bits apart, as close as brightened copies
 * sat to their originals, while pHash kept every unrelated pair 12 or more bits apart. Both miss
 * large crops; the embedding covers those.
 */
import type { OutputInfo } from 'sharp';
import { ImageRejectedError } from '../embed/imageErrors.js';
import { decoder, probeImage, type ImageLimits } from '../embed/imagePreprocessor.js';
import { dctHash } from './dctHash.js';
import { greyThumbnail, type GreyPicture } from './greyThumbnail.js';

/** Side of the box the picture is decoded into: a frame of 2 % is still a few pixels wide. */
const DECODED_SIDE = 128;

/** Throws ImageRejectedError for bytes the embedding would refuse too. */
export async function perceptualHash(bytes: Uint8Array, limits: ImageLimits): Promise<bigint> {
  await probeImage(bytes, limits);
  return dctHash(greyThumbnail(await decodeGrey(bytes, limits)));
}

async function decodeGrey(bytes: Uint8Array, limits: ImageLimits): Promise<GreyPicture> {
  const pipeline = decoder(bytes, limits)
    .resize(DECODED_SIDE, DECODED_SIDE, { fit: 'inside', withoutEnlargement: true })
    // The box is square, so orienting after the resize gives the same pixels and keeps
    // shrink-on-load for rotated JPEGs.
    .autoOrient()
    .greyscale()
    .raw({ depth: 'uchar' });
  let result: { data: Buffer; info: OutputInfo };
  try {
    result = await pipeline.toBuffer({ resolveWithObject: true });
  } catch (error) {
    throw ImageRejectedError.corrupt(error instanceof Error ? error.message : String(error), error);
  }
  const { data, info } = result;
  // One grey channel: the decoder has flattened any transparency onto white.
  if (info.channels !== 1) throw new Error(`expected 1 grey channel, got ${info.channels}`);
  return { pixels: data, width: info.width, height: info.height };
}
