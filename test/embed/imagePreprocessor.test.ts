import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import {
  centreCropOffsets,
  preprocessImage,
  preprocessImageInto,
  probeImage,
  resizedSize,
  type ImageLimits,
  type ImagePreprocessSpec,
} from '../../src/embed/imagePreprocessor.js';
import { ImageRejectedError, type ImageRejectionReason } from '../../src/embed/imageErrors.js';
import * as images from '../fixtures/images.js';
import { BLUE, GREEN, RED, WHITE, type Rgb } from '../fixtures/images.js';
import { decodeRgb, referenceNormalise, referenceResizeAndCrop } from '../fixtures/pilBicubicReference.js';

const CLIP_MEANS = [0.48145466, 0.4578275, 0.40821073];
const CLIP_DEVIATIONS = [0.26862954, 0.26130258, 0.27577711];
const CLIP: ImagePreprocessSpec = { imageSize: 224, means: CLIP_MEANS, deviations: CLIP_DEVIATIONS };
const SMALL: ImagePreprocessSpec = { imageSize: 32, means: CLIP_MEANS, deviations: CLIP_DEVIATIONS };
const LIMITS: ImageLimits = { maxBytes: 25 * 1024 * 1024, maxPixels: 50_000_000 };
const WEATHER = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/datasets/weather');

/** The 0-255 RGB value the tensor holds at (x, y), undoing Normalize and ToTensor. */
function pixelAt(tensor: Float32Array, spec: ImagePreprocessSpec, x: number, y: number): Rgb {
  const s = spec.imageSize;
  const v = (c: number): number =>
    ((tensor[c * s * s + y * s + x] as number) * (spec.deviations[c] as number) + (spec.means[c] as number)) * 255;
  return [v(0), v(1), v(2)];
}

function assertColour(actual: Rgb, expected: Rgb, tolerance: number, where: string): void {
  const off = actual.some((v, c) => Math.abs(v - (expected[c] as number)) > tolerance);
  assert.ok(!off, `${where}: got [${actual.map((v) => v.toFixed(1)).join(',')}], expected [${expected.join(',')}] ±${tolerance}`);
}

/** Every pixel in columns [x0, x1) and rows [y0, y1) is `expected` (±tolerance). */
function assertRegion(
  tensor: Float32Array,
  spec: ImagePreprocessSpec,
  box: [number, number, number, number],
  expected: Rgb,
  tolerance = 2,
): void {
  const [x0, y0, x1, y1] = box;
  for (let y = y0; y < y1; y++)
    for (let x = x0; x < x1; x++) assertColour(pixelAt(tensor, spec, x, y), expected, tolerance, `pixel (${x}, ${y})`);
}

async function rejection(bytes: Uint8Array, limits: ImageLimits = LIMITS): Promise<ImageRejectedError> {
  try {
    await preprocessImage(bytes, SMALL, limits);
  } catch (error) {
    assert.ok(error instanceof ImageRejectedError, `expected ImageRejectedError, got ${String(error)}`);
    return error;
  }
  assert.fail('the image was accepted');
}

async function assertRejected(bytes: Uint8Array, reason: ImageRejectionReason, limits: ImageLimits = LIMITS): Promise<ImageRejectedError> {
  const error = await rejection(bytes, limits);
  assert.equal(error.reason, reason, `reason (message: ${error.message})`);
  assert.doesNotMatch(error.message, /vips|libpng|jpeg:|VipsJpeg|Input buffer/i, 'no decoder text in the user-facing message');
  return error;
}

describe('output tensor', () => {
  test('is 3·S·S float32 in CHW order: pure red gives (1 - mean)/dev in channel 0 and -mean/dev in channels 1 and 2', async () => {
    const tensor = await preprocessImage(await images.solidColourImage(RED, { width: 50, height: 40 }), SMALL, LIMITS);
    assert.ok(tensor instanceof Float32Array);
    assert.equal(tensor.length, 3 * 32 * 32);
    const expected = [0, 1, 2].map((c) => Math.fround(((c === 0 ? 1 : 0) - (CLIP_MEANS[c] as number)) / (CLIP_DEVIATIONS[c] as number)));
    tensor.forEach((value, i) => assert.equal(value, expected[Math.floor(i / (32 * 32))], `element ${i}`));
  });

  test('is normalised with the means and deviations it is given', async () => {
    const spec: ImagePreprocessSpec = { imageSize: 16, means: [0.5, 0.25, 0], deviations: [0.5, 0.25, 2] };
    const tensor = await preprocessImage(await images.solidColourImage([51, 102, 204]), spec, LIMITS);
    const expected = [(51 / 255 - 0.5) / 0.5, (102 / 255 - 0.25) / 0.25, 204 / 255 / 2];
    tensor.forEach((value, i) => assert.ok(Math.abs(value - (expected[Math.floor(i / 256)] as number)) < 1e-6, `element ${i}: ${value}`));
  });

  test('preprocessImageInto fills only its own slot of a batch tensor', async () => {
    const bytes = await images.gradientImage({ width: 60, height: 45 });
    const slot = 3 * 32 * 32;
    const batch = new Float32Array(3 * slot).fill(-99);
    await preprocessImageInto(bytes, SMALL, LIMITS, batch, slot);
    assert.deepEqual(batch.subarray(slot, 2 * slot), await preprocessImage(bytes, SMALL, LIMITS));
    assert.ok(batch.subarray(0, slot).every((v) => v === -99) && batch.subarray(2 * slot).every((v) => v === -99));
  });

  test('preprocessImageInto refuses a slot that runs past the end of the tensor', async () => {
    const bytes = await images.solidColourImage(RED);
    await assert.rejects(preprocessImageInto(bytes, SMALL, LIMITS, new Float32Array(3 * 32 * 32), 1), RangeError);
  });
});

describe('geometry: resize the shorter side to S, then crop the centre (torchvision)', () => {
  // Five equal bands; the centre crop of a 5:1 image is exactly the middle band, far from the edges of the
  // red and blue bands, so any other crop (left, right, or a squash) would show red or blue.
  const bands: Rgb[] = [RED, GREEN, GREEN, GREEN, BLUE];
  for (const [label, short] of [
    ['enlarged, exact JS path', 20],
    ['shrunk by libvips', 80],
  ] as const) {
    test(`a landscape image keeps its horizontal centre (${label})`, async () => {
      const tensor = await preprocessImage(await images.bandedImage(bands, { axis: 'x', width: 5 * short, height: short }), SMALL, LIMITS);
      assertRegion(tensor, SMALL, [0, 0, 32, 32], GREEN);
    });

    test(`a portrait image keeps its vertical centre (${label})`, async () => {
      const tensor = await preprocessImage(await images.bandedImage(bands, { axis: 'y', width: short, height: 5 * short }), SMALL, LIMITS);
      assertRegion(tensor, SMALL, [0, 0, 32, 32], GREEN);
    });
  }

  test('a 3:1 image keeps the middle third of its long side and the whole short side', async () => {
    const tensor = await preprocessImage(
      await images.bandedImage([RED, GREEN, BLUE], { axis: 'x', width: 240, height: 80 }),
      SMALL,
      LIMITS,
    );
    assertRegion(tensor, SMALL, [4, 0, 28, 32], GREEN);
  });

  test('the long side is int(S · long / short) and crop offsets round halves to even, as in torchvision', () => {
    assert.deepEqual(resizedSize(640, 480, 224), { width: 298, height: 224 }); // 298.67 truncated
    assert.deepEqual(resizedSize(333, 1000, 224), { width: 224, height: 672 }); // 672.67 truncated
    assert.deepEqual(centreCropOffsets(298, 224, 224), { left: 37, top: 0 });
    assert.deepEqual(centreCropOffsets(225, 227, 224), { left: 0, top: 2 }); // round(0.5) = 0, round(1.5) = 2
    assert.deepEqual(centreCropOffsets(229, 224, 224), { left: 2, top: 0 }); // round(2.5) = 2
  });
});

describe('decoding', () => {
  for (const [label, width, height] of [
    ['small, exact JS path', 60, 40],
    ['large, libvips', 900, 600],
  ] as const) {
    test(`EXIF orientation 6 is applied: the stored top half shows on the right (${label})`, async () => {
      const tensor = await preprocessImage(await images.exifRotatedJpeg(6, { width, height }), SMALL, LIMITS);
      assertRegion(tensor, SMALL, [0, 0, 12, 32], BLUE, 6);
      assertRegion(tensor, SMALL, [20, 0, 32, 32], RED, 6);
    });
  }

  test('all eight EXIF orientations come out upright, as the reference decodes them (both resampling paths)', async () => {
    for (const [width, height] of [
      [60, 40],
      [300, 200],
    ] as const) {
      const base = await images.gradientImage({ width, height });
      for (let orientation = 1; orientation <= 8; orientation++) {
        const bytes = await sharp(base).jpeg({ quality: 95, chromaSubsampling: '4:4:4' }).withMetadata({ orientation }).toBuffer();
        const expected = referenceNormalise(referenceResizeAndCrop(await decodeRgb(bytes), 32), CLIP_MEANS, CLIP_DEVIATIONS);
        const actual = await preprocessImage(bytes, SMALL, LIMITS);
        const worst = Math.max(...actual.map((v, i) => Math.abs(v - (expected[i] as number)) * 0.28 * 255));
        assert.ok(worst <= 3, `${width}×${height}, orientation ${orientation}: off by ${worst.toFixed(1)} of 255`);
      }
    }
  });

  test('probeImage reports the upright size, format and frame count from the header', async () => {
    assert.deepEqual(await probeImage(await images.exifRotatedJpeg(6, { width: 96, height: 64 }), LIMITS), {
      format: 'jpeg',
      width: 64,
      height: 96,
      pages: 1,
    });
    assert.deepEqual(await probeImage(await images.animatedGif([RED, GREEN, BLUE]), LIMITS), {
      format: 'gif',
      width: 48,
      height: 48,
      pages: 3,
    });
  });

  test('alpha is flattened onto white', async () => {
    const tensor = await preprocessImage(await images.rgbaPngWithTransparency(), SMALL, LIMITS);
    assertRegion(tensor, SMALL, [0, 0, 14, 32], WHITE);
    assertRegion(tensor, SMALL, [18, 0, 32, 32], GREEN);
  });

  test('a palette PNG with transparency becomes RGB on white', async () => {
    const tensor = await preprocessImage(await images.palettePngWithTransparency(), SMALL, LIMITS);
    assertRegion(tensor, SMALL, [0, 0, 14, 32], WHITE);
    assertRegion(tensor, SMALL, [18, 0, 32, 32], RED);
  });

  test('a grayscale image gives three equal channels', async () => {
    const tensor = await preprocessImage(await images.grayscaleImage(), SMALL, LIMITS);
    for (let y = 0; y < 32; y++) {
      for (let x = 0; x < 32; x++) {
        const [r, g, b] = pixelAt(tensor, SMALL, x, y);
        assert.ok(Math.abs(r - g) < 1e-3 && Math.abs(g - b) < 1e-3, `pixel (${x}, ${y}) is [${r}, ${g}, ${b}]`);
      }
    }
    assert.ok(pixelAt(tensor, SMALL, 31, 16)[0] - pixelAt(tensor, SMALL, 0, 16)[0] > 200, 'the ramp survives');
  });

  test('a CMYK JPEG is converted to RGB', async () => {
    const tensor = await preprocessImage(await images.cmykJpeg(RED), SMALL, LIMITS);
    assertRegion(tensor, SMALL, [0, 0, 32, 32], [235, 15, 15], 25); // red through a print profile is a slightly dull red
  });

  test('a 16-bit PNG is reduced to 8 bits per channel', async () => {
    const tensor = await preprocessImage(await images.sixteenBitPng([65535, 32768, 0]), SMALL, LIMITS);
    assertRegion(tensor, SMALL, [0, 0, 32, 32], [255, 128, 0], 1);
  });

  test('an animated GIF gives its first frame', async () => {
    const tensor = await preprocessImage(await images.animatedGif([RED, GREEN, BLUE]), SMALL, LIMITS);
    assertRegion(tensor, SMALL, [0, 0, 32, 32], RED);
  });

  for (const format of ['webp', 'avif', 'tiff'] as const) {
    test(`${format.toUpperCase()} is accepted`, async () => {
      const tensor = await preprocessImage(await images[format](BLUE), SMALL, LIMITS);
      assertRegion(tensor, SMALL, [0, 0, 32, 32], BLUE, 4);
    });
  }
});

describe('refusals, each before decoding pixels and each with its reason', () => {
  test('a file over the byte cap is refused by its length alone (garbage bytes, so no decoder was asked)', async () => {
    const limits = { ...LIMITS, maxBytes: 1024 * 1024 };
    const error = await assertRejected(randomBytes(limits.maxBytes + 200_000), 'too-large-bytes', limits);
    assert.equal(error.message, 'The file is 1.2 MB; the limit is 1 MB.');
  });

  test('a small file whose header claims 30000×30000 pixels is refused as a decompression bomb', async () => {
    const error = await assertRejected(await images.bombPngHeader(30000, 30000), 'too-many-pixels');
    assert.match(error.message, /30000×30000/);
  });

  test('SVG is refused even though a decoder exists for it (it can fetch external URLs)', async () => {
    assert.match((await assertRejected(await images.svgWithExternalRef(), 'unsupported-format')).message, /SVG/);
  });

  test('PDF is refused', async () => {
    assert.match((await assertRejected(await images.pdfBytes(), 'unsupported-format')).message, /PDF/);
  });

  test('HTML is not an image', async () => {
    await assertRejected(await images.htmlAsBytes(), 'not-an-image');
  });

  test('a text file is not an image', async () => {
    await assertRejected(await images.textBytes(), 'not-an-image');
  });

  test('an empty file is not an image', async () => {
    assert.equal((await assertRejected(new Uint8Array(0), 'not-an-image')).message, 'The file is empty.');
  });

  test('a truncated JPEG is reported as corrupt, with the decoder text kept for logs only', async () => {
    const error = await assertRejected(await images.truncatedJpeg(), 'corrupt');
    assert.match(error.detail ?? '', /premature end/i);
  });

  test('a PNG with garbled pixel data is reported as corrupt', async () => {
    await assertRejected(await images.corruptPng(), 'corrupt');
  });

  test('a good image after bad ones still works', async () => {
    for (const bad of [images.truncatedJpeg, images.corruptPng, images.svgWithExternalRef, () => images.bombPngHeader()])
      await rejection(await bad());
    assertRegion(await preprocessImage(await images.solidColourImage(GREEN), SMALL, LIMITS), SMALL, [0, 0, 32, 32], GREEN, 0.01);
  });
});

describe('fidelity to PIL (independent TypeScript reference of Image.resize BICUBIC, S = 224, CLIP normalisation)', () => {
  interface Difference {
    mean255: number;
    max255: number;
    maxNormalised: number;
    meanNormalised: number;
  }

  async function compare(bytes: Uint8Array): Promise<Difference & { shortSide: number }> {
    const decoded = await decodeRgb(bytes);
    const expected = referenceNormalise(referenceResizeAndCrop(decoded, 224), CLIP_MEANS, CLIP_DEVIATIONS);
    const actual = await preprocessImage(bytes, CLIP, LIMITS);
    const plane = 224 * 224;
    let sum255 = 0,
      max255 = 0,
      sumNormalised = 0,
      maxNormalised = 0;
    for (let i = 0; i < actual.length; i++) {
      const d = Math.abs((actual[i] as number) - (expected[i] as number));
      const d255 = d * (CLIP_DEVIATIONS[Math.floor(i / plane)] as number) * 255;
      sumNormalised += d;
      sum255 += d255;
      maxNormalised = Math.max(maxNormalised, d);
      max255 = Math.max(max255, d255);
    }
    const n = actual.length;
    return {
      mean255: sum255 / n,
      max255,
      meanNormalised: sumNormalised / n,
      maxNormalised,
      shortSide: Math.min(decoded.width, decoded.height),
    };
  }

  function summarise(results: Difference[]): Difference {
    const mean = (key: keyof Difference): number => results.reduce((s, r) => s + r[key], 0) / results.length;
    const max = (key: keyof Difference): number => Math.max(...results.map((r) => r[key]));
    return { mean255: mean('mean255'), max255: max('max255'), meanNormalised: mean('meanNormalised'), maxNormalised: max('maxNormalised') };
  }

  test('the 53 weather photos', async (t) => {
    const files = (await readdir(WEATHER)).filter((f) => /\.jpe?g$/i.test(f)).sort();
    assert.ok(files.length >= 50, `expected the weather photos in ${WEATHER}`);
    const results = [];
    for (const file of files) results.push(await compare(await readFile(path.join(WEATHER, file))));
    const exact = results.filter((r) => r.shortSide < 1.5 * 224);
    assert.ok(exact.length > 0 && exact.length < results.length, 'both resampling paths are exercised');
    for (const r of exact) assert.equal(r.max255, 0, 'photos with a shorter side under 1.5·S are resampled exactly as PIL does');
    const all = summarise(results);
    t.diagnostic(JSON.stringify(all));
    // Measured: mean 0.078, max 19 (0-255); mean 0.0011, max 0.27 (normalised); the max is the 11 MP photo, shrunk 4× while decoding.
    assert.ok(all.mean255 <= 0.12 && all.max255 <= 24, `0-255 units: ${JSON.stringify(all)}`);
    assert.ok(all.meanNormalised <= 0.0018 && all.maxNormalised <= 0.37, `normalised units: ${JSON.stringify(all)}`);
  });

  test('synthetic patterns (noise, fine checkerboard, gradient) of many sizes', async (t) => {
    const sizes: [number, number][] = [
      [100, 50],
      [50, 300],
      [223, 300],
      [225, 227],
      [229, 224],
      [335, 500],
      [337, 400],
      [640, 480],
      [1999, 1500],
    ];
    const exact: Difference[] = [];
    const shrunk: Difference[] = [];
    for (const [width, height] of sizes) {
      for (const bytes of [
        await images.noiseImage({ width, height }),
        await images.checkerboardImage({ width, height, cell: 2 }),
        await images.gradientImage({ width, height }),
      ]) {
        const r = await compare(bytes);
        (r.shortSide < 1.5 * 224 ? exact : shrunk).push(r);
      }
    }
    for (const r of exact) assert.equal(r.max255, 0, 'enlarged or slightly shrunk images match PIL exactly');
    const s = summarise(shrunk);
    t.diagnostic(JSON.stringify(s));
    // Measured: mean 0.59, max 12 (0-255); mean 0.0086, max 0.18 (normalised). Worst: per-pixel noise shrunk 6.7× (libvips box pre-shrink).
    assert.ok(s.mean255 <= 0.8 && s.max255 <= 16, `0-255 units: ${JSON.stringify(s)}`);
    assert.ok(s.meanNormalised <= 0.012 && s.maxNormalised <= 0.25, `normalised units: ${JSON.stringify(s)}`);
  });
});
