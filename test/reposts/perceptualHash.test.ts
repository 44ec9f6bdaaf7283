import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ImageRejectedError } from '../../src/embed/imageErrors.js';
import type { ImageLimits } from '../../src/embed/imagePreprocessor.js';
import { isInformative, LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { hammingDistance } from '../../src/reposts/hammingDistance.js';
import { perceptualHash } from '../../src/reposts/perceptualHash.js';
import { DEFAULT_REPOST_THRESHOLDS } from '../../src/reposts/repostMatcher.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import * as images from '../fixtures/images.js';
import { BLUE, RED } from '../fixtures/images.js';
import { chatScreenshot, flatMeme } from '../fixtures/memes/memeImages.js';
import { repostCopy } from '../fixtures/repostCopies.js';
import { mulberry32 } from '../fixtures/seededRandom.js';

const LIMITS: ImageLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 50_000_000 };
/** Every third photo: enough variety for the copy tests at a third of the cost. */
const SAMPLE = Array.from({ length: 18 }, (_, i) => 3 * i);

const hashOf = (bytes: Uint8Array) => perceptualHash(bytes, LIMITS);

async function rejection(bytes: Uint8Array): Promise<ImageRejectedError> {
  try {
    await hashOf(bytes);
  } catch (error) {
    if (error instanceof ImageRejectedError) return error;
    throw error;
  }
  assert.fail('the bytes were hashed instead of refused');
}

describe('perceptualHash on the weather photos', () => {
  let photos: Array<{ name: string; bytes: Buffer }> = [];
  let hashes: bigint[] = [];
  before(async () => {
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    photos = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(WEATHER_DIR, name)) })));
    hashes = await Promise.all(photos.map((photo) => hashOf(photo.bytes)));
  });

  test('every photo is informative', () => {
    assert.equal(photos.length, 53);
    const flagged = photos.filter((_, i) => !isInformative(hashes[i]!)).map((photo) => photo.name);
    assert.deepEqual(flagged, []);
  });

  test('the same bytes hash to the same value', async () => {
    assert.equal(await hashOf(photos[0]!.bytes), hashes[0]);
  });

  test('re-saved, resized and converted copies stay within 8 bits of their original', async () => {
    for (const kind of ['low-quality-jpeg', 'resized', 'png'] as const) {
      for (const i of SAMPLE) {
        const distance = hammingDistance(hashes[i]!, await hashOf(await repostCopy(photos[i]!.bytes, kind)));
        assert.ok(distance <= 8, `${kind} copy of ${photos[i]!.name}: ${distance} bits`);
      }
    }
  });

  test(`cropped, framed and brightened copies are nearly all within the default ${DEFAULT_REPOST_THRESHOLDS.maxDistance} bits`, async () => {
    const far: string[] = [];
    for (const kind of ['cropped', 'bordered', 'brightened'] as const) {
      for (const i of SAMPLE) {
        const distance = hammingDistance(hashes[i]!, await hashOf(await repostCopy(photos[i]!.bytes, kind)));
        if (distance > DEFAULT_REPOST_THRESHOLDS.maxDistance) far.push(`${kind} ${photos[i]!.name}: ${distance} bits`);
      }
    }
    assert.ok(far.length <= 0.05 * 3 * SAMPLE.length, far.join('; '));
  });

  test('different photos are far apart: none within 14 bits, and a typical pair differs in a third of the bits or more', () => {
    const distances: number[] = [];
    for (let a = 0; a < hashes.length; a++) {
      for (let b = a + 1; b < hashes.length; b++) distances.push(hammingDistance(hashes[a]!, hashes[b]!));
    }
    distances.sort((x, y) => x - y);
    assert.ok(distances[0]! > 14, `closest pair: ${distances[0]} bits`);
    assert.ok(distances[distances.length >> 1]! >= 21, `median: ${distances[distances.length >> 1]} bits`);
  });

  test('a JPEG stored sideways with an EXIF orientation hashes like the upright picture', async () => {
    const upright = await sharp(photos[3]!.bytes).jpeg({ quality: 95 }).toBuffer();
    const sideways = await sharp(photos[3]!.bytes).rotate(-90).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
    assert.ok(hammingDistance(await hashOf(upright), await hashOf(sideways)) <= 2);
  });

  test('transparent areas count as white, whatever colour is stored under them', async () => {
    const { data } = await sharp(photos[5]!.bytes)
      .resize(200, 150, { fit: 'fill' })
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const hidden = Buffer.from(data);
    const white = Buffer.from(data);
    for (let y = 0; y < 150; y++) {
      for (let x = 0; x < 60; x++) {
        const i = (y * 200 + x) * 4;
        hidden.set([0, 0, 0, 0], i);
        white.set([255, 255, 255, 255], i);
      }
    }
    const png = (pixels: Buffer) =>
      sharp(pixels, { raw: { width: 200, height: 150, channels: 4 } })
        .png()
        .toBuffer();
    assert.equal(hammingDistance(await hashOf(await png(hidden)), await hashOf(await png(white))), 0);
  });
});

describe('perceptualHash on pictures with too little in them', () => {
  test('a solid colour is low information, in any format and at any quality', async () => {
    assert.equal(await hashOf(await images.solidColourImage(RED, { width: 300, height: 200 })), LOW_INFORMATION_HASH);
    const saved = await sharp(await images.solidColourImage([120, 130, 140], { width: 300, height: 200 }))
      .jpeg({ quality: 20 })
      .toBuffer();
    assert.equal(await hashOf(saved), LOW_INFORMATION_HASH);
  });

  test('two different solid colours are both low information, so they never match', async () => {
    const red = await hashOf(await images.solidColourImage(RED));
    const blue = await hashOf(await images.solidColourImage(BLUE, { format: 'webp' }));
    assert.deepEqual([isInformative(red), isInformative(blue)], [false, false]);
  });

  test('a near-flat picture with faint noise is low information', async () => {
    const random = mulberry32(9);
    const pixels = images.rawRgb(240, 160, () => {
      const level = 100 + Math.round((random() - 0.5) * 8);
      return [level, level, level];
    });
    assert.equal(await hashOf(await images.encodeRgb(pixels, 240, 160, 'png')), LOW_INFORMATION_HASH);
  });

  test('text on a plain ground is low information: its hash would be the layout of the text, which other captions share', async () => {
    const caption = (lines: readonly [string, string]) => flatMeme([40, 90, 200], 600, 400, { lines, font: 'anton', ink: 'white' });
    assert.equal(await hashOf(await caption(['WHEN THE BUILD', 'PASSES FIRST TIME'])), LOW_INFORMATION_HASH);
    assert.equal(await hashOf(await caption(['NOBODY AT ALL', 'ME AT 3 AM'])), LOW_INFORMATION_HASH);
  });

  test('a chat screenshot is low information', async () => {
    const messages = [
      { author: 'ada', text: 'did the build pass?' },
      { author: 'lin', text: 'first time, somehow' },
    ];
    assert.equal(await hashOf(await chatScreenshot(messages, 520, 'dark')), LOW_INFORMATION_HASH);
  });

  test('plain stripes are low information', async () => {
    assert.equal(
      await hashOf(await images.bandedImage([RED, images.GREEN, BLUE], { axis: 'y', width: 300, height: 200 })),
      LOW_INFORMATION_HASH,
    );
  });
});

describe('perceptualHash refuses what the embedding refuses', () => {
  test('text is not an image', async () => {
    assert.equal((await rejection(await images.textBytes())).reason, 'not-an-image');
  });

  test('an SVG is an unsupported format', async () => {
    assert.equal((await rejection(await images.svgWithExternalRef())).reason, 'unsupported-format');
  });

  test('a truncated JPEG is corrupt', async () => {
    assert.equal((await rejection(await images.truncatedJpeg())).reason, 'corrupt');
  });

  test('a picture over the pixel limit is refused before decoding', async () => {
    assert.equal((await rejection(await images.bombPngHeader())).reason, 'too-many-pixels');
  });
});
