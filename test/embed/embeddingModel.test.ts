import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { ImageRejectedError } from '../../src/embed/imageErrors.js';
import { fixtureModelDir, TINY_COLOURS } from '../fixtures/models/fixtureModels.js';
import { bombPngHeader, htmlAsBytes, solidColourImage, truncatedJpeg } from '../fixtures/images.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';

const LIMITS = { maxBytes: 5 * 1024 * 1024, maxPixels: 40_000_000 };

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

describe('EmbeddingModel with the tiny fixture', () => {
  let model: EmbeddingModel;

  before(async () => {
    model = await EmbeddingModel.create({
      dir: await fixtureModelDir('tiny'),
      label: 'fixture/tiny',
      threads: 1,
      maxBatch: 8,
      maxWaitMs: 2,
      imageLimits: LIMITS,
    });
  });
  after(() => model.dispose());

  test('reads the embedding size from the model', () => {
    assert.equal(model.dimensions, 16);
  });

  test('image and text embeddings are L2-normalised', async () => {
    const image = await model.embedImage(await solidColourImage([220, 30, 30]));
    const text = await model.embedText('red');
    assert.ok(Math.abs(dot(image, image) - 1) < 1e-5);
    assert.ok(Math.abs(dot(text, text) - 1) < 1e-5);
  });

  test('every caption ranks its own generated image first', async () => {
    const images = await Promise.all(
      TINY_COLOURS.map(async ({ rgb }, i) =>
        model.embedImage(await solidColourImage(rgb, { width: 80 + i * 7, height: 60 + i * 5, format: i % 2 ? 'jpeg' : 'png' })),
      ),
    );
    for (const colour of TINY_COLOURS) {
      const caption = await model.embedText(`a photo of a ${colour.name} square`);
      const scores = images.map((image) => dot(caption, image));
      const best = scores.indexOf(Math.max(...scores));
      assert.equal(TINY_COLOURS[best]!.name, colour.name, `"${colour.name}" ranked ${TINY_COLOURS[best]!.name} first`);
    }
  });

  test('micro-batched encoding gives the same vectors as one-by-one encoding', async () => {
    const inputs = await Promise.all(TINY_COLOURS.slice(0, 6).map(({ rgb }) => solidColourImage(rgb)));
    const oneByOne: Float32Array[] = [];
    for (const bytes of inputs) oneByOne.push(await model.embedImage(bytes));
    const batched = await Promise.all(inputs.map((bytes) => model.embedImage(bytes)));
    batched.forEach((vector, i) => {
      const single = oneByOne[i]!;
      for (let d = 0; d < vector.length; d++) assert.ok(Math.abs(vector[d]! - single[d]!) < 1e-5);
    });
    const texts = ['red', 'a blue sky', 'green grass', 'black cat'];
    const textsOneByOne: Float32Array[] = [];
    for (const text of texts) textsOneByOne.push(await model.embedText(text));
    const textsBatched = await Promise.all(texts.map((text) => model.embedText(text)));
    textsBatched.forEach((vector, i) =>
      assert.deepEqual(
        [...vector].map((v) => v.toFixed(5)),
        [...textsOneByOne[i]!].map((v) => v.toFixed(5)),
      ),
    );
  });

  test('all 53 weather photos encode without error', async () => {
    const files = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file));
    assert.equal(files.length, 53);
    const vectors = await Promise.all(files.map(async (file) => model.embedImage(await readFile(path.join(WEATHER_DIR, file)))));
    for (const vector of vectors) {
      assert.equal(vector.length, 16);
      assert.ok(vector.every(Number.isFinite));
    }
  });

  test('each refusal is a typed error and a good image after a bad one still encodes', async () => {
    const cases: Array<[Buffer, string]> = [
      [Buffer.alloc(LIMITS.maxBytes + 1), 'too-large-bytes'],
      [await bombPngHeader(30000, 30000), 'too-many-pixels'],
      [await htmlAsBytes(), 'not-an-image'],
      [await truncatedJpeg(), 'corrupt'],
    ];
    for (const [bytes, reason] of cases) {
      await assert.rejects(model.embedImage(bytes), (error: unknown) => error instanceof ImageRejectedError && error.reason === reason);
      const good = await model.embedImage(await solidColourImage([30, 60, 220]));
      assert.equal(good.length, 16);
    }
  });

  test('a refused image in a concurrent batch does not fail its neighbours', async () => {
    const inputs = [await solidColourImage([220, 30, 30]), await htmlAsBytes(), await solidColourImage([30, 160, 50])];
    const results = await Promise.allSettled(inputs.map((bytes) => model.embedImage(bytes)));
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
  });
});

describe('EmbeddingModel with quantized encoders (uint8 weights, integer matmuls, as the published models ship)', () => {
  test('loads them, and the tiny model quantized still ranks each colour word to its image', async () => {
    const model = await EmbeddingModel.create({
      dir: await fixtureModelDir('tiny', { quantized: true }),
      label: 'fixture/tiny-quantized',
      threads: 1,
      maxBatch: 8,
      maxWaitMs: 2,
      imageLimits: LIMITS,
    });
    try {
      const images = await Promise.all(TINY_COLOURS.map(async (colour) => model.embedImage(await solidColourImage(colour.rgb))));
      for (const colour of TINY_COLOURS) {
        const text = await model.embedText(colour.name);
        const best = images.reduce((top, image, j) => (dot(image, text) > dot(images[top]!, text) ? j : top), 0);
        assert.equal(TINY_COLOURS[best]!.name, colour.name);
      }
    } finally {
      await model.dispose();
    }
  });
});
