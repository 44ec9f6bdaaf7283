import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { ImageRejectedError } from '../../src/embed/imageErrors.js';
import { readImageText } from '../../src/ingest/imageIndexing.js';
import { ImageLibrary } from '../../src/library/imageLibrary.js';
import { ImageTextReader } from '../../src/ocr/imageTextReader.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { bombPngHeader } from '../fixtures/images.js';
import { flatMeme } from '../fixtures/memes/memeImages.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';
import { imageOrigin } from '../fixtures/imageOrigin.js';

/**
 * OCR decodes images with the embedder's checks and the embedding model's limits
 * (MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS): what the embedder refuses is never decoded to be read.
 * The limits here are far below any built into OCR, so only the model's can refuse these memes.
 */
describe('reading the text of an image obeys the embedder’s image limits', () => {
  const limits = { maxBytes: 200_000, maxPixels: 500_000 };
  let dir: string;
  let model: EmbeddingModel;
  let store: ImageStore;
  let reader: ImageTextReader;
  let library: ImageLibrary;
  /** 800×700 = 560,000 pixels: small in bytes, but over the pixel limit. */
  let tooManyPixels: Buffer;
  /** 600×400 = 240,000 pixels, within both limits. */
  let withinLimits: Buffer;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ocr-limits-test-'));
    model = await openTinyModel(limits);
    store = await ImageStore.open(`sqlite://${path.join(dir, 'store.sqlite')}`);
    reader = new ImageTextReader({ enabled: () => true, ocr: { threads: 1 } });
    library = await ImageLibrary.open(model, store, { ocr: reader });
    const caption = { lines: ['NOBODY EXPECTS THE', 'WOMBAT'], font: 'anton', ink: 'white' } as const;
    tooManyPixels = await flatMeme([40, 40, 140], 800, 700, caption);
    withinLimits = await flatMeme([40, 40, 140], 600, 400, caption);
  });
  after(async () => {
    await reader.close();
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const rejection = async (bytes: Uint8Array): Promise<string> => {
    try {
      await reader.read(bytes, model.imageLimits, async (text) => text);
    } catch (error) {
      if (error instanceof ImageRejectedError) return error.reason;
      throw error;
    }
    return 'read';
  };

  test('an image within the limits is read', async () => {
    const origin = imageOrigin('fits', { collection: 'g' });
    await library.addImage(origin, withinLimits);
    assert.equal(await readImageText(library, 'g', origin.id, withinLimits), 'read');
    assert.match(library.words.get('g', origin.id)?.imageText ?? '', /WOMBAT/);
  });

  test('an image over the pixel limit, which the embedder refuses, is not decoded for its text either', async () => {
    await assert.rejects(library.addImage(imageOrigin('big', { collection: 'g' }), tooManyPixels), { reason: 'too-many-pixels' });
    assert.equal(await rejection(tooManyPixels), 'too-many-pixels');
    assert.equal(await readImageText(library, 'g', 'big', tooManyPixels), 'failed');
    assert.equal(library.words.isRead('g', 'big'), false);
  });

  test('a decompression bomb and a file over the byte limit are refused before decoding', async () => {
    assert.equal(await rejection(await bombPngHeader(30000, 30000)), 'too-many-pixels');
    assert.equal(await rejection(Buffer.concat([withinLimits, Buffer.alloc(limits.maxBytes)])), 'too-large-bytes');
  });
});
