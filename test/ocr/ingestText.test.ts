import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { IngestQueue, type IngestJob } from '../../src/ingest/ingestQueue.js';
import { ImageLibrary } from '../../src/library/imageLibrary.js';
import { ImageTextReader } from '../../src/ocr/imageTextReader.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { flatMeme } from '../fixtures/memes/memeImages.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';

/** Memes whose words only OCR can know (their file names and messages say nothing of them). */
const CAPTIONS: Record<string, readonly [string, string]> = {
  wombat: ['NOBODY EXPECTS THE WOMBAT', 'NOT EVEN THE TEACHER'],
  narwhal: ['ONE DOES NOT SIMPLY', 'WALK INTO THE NARWHAL'],
  capybara: ['MY PLANS FOR THE WEEKEND', 'CAPYBARA AND MORE'],
  lighthouse: ['WHEN YOU FINALLY FIND', 'THE LIGHTHOUSE'],
};

/** The bot's ingest queue, on the tiny model and the real OCR models, with images served from memory. */
describe('ingest with OCR: embedding first, then the words in the image', () => {
  let dir: string;
  let model: EmbeddingModel;
  const memes = new Map<string, Buffer>();
  let store: ImageStore;
  let counter = 0;
  let ocrOn = true;
  let reader: ImageTextReader;
  let library: ImageLibrary;
  let downloads: string[];
  let queue: IngestQueue;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'ingest-text-test-'));
    model = await openTinyModel();
    for (const [word, lines] of Object.entries(CAPTIONS)) {
      memes.set(word, await flatMeme([40, 40, 140], 560, 360, { lines, font: 'anton', ink: 'white' }));
    }
  });
  async function open(maxBacklog?: number): Promise<void> {
    await reader?.close();
    await store?.close();
    store = await ImageStore.open(`sqlite://${path.join(dir, `store-${counter++}.sqlite`)}`);
    reader = new ImageTextReader({ enabled: () => ocrOn, maxBacklog, ocr: { threads: 1 } });
    library = await ImageLibrary.open(model, store, { ocr: reader });
    downloads = [];
    queue = new IngestQueue(library, async (url) => (downloads.push(url), memes.get(new URL(url).pathname.slice(1))!), {
      concurrency: 4,
      queueLimit: 100,
      maxAttempts: 1,
    });
  }
  beforeEach(async () => {
    ocrOn = true;
    await open();
  });
  after(async () => {
    await reader.close();
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  function job(word: string, messageText = 'lol'): IngestJob {
    return {
      origin: {
        id: `m-${word}:a`,
        collection: 'g',
        channelId: 'c',
        messageId: `m-${word}`,
        attachmentId: 'a',
        authorId: 'u',
        createdAt: 1,
        source: `https://cdn/${word}`,
      },
      url: `https://cdn/${word}`,
      words: { messageText, fileName: 'image.png' },
    };
  }
  const byWords = async (query: string) => (await library.search('g', { text: query, mode: 'words', limit: 5 })).map((hit) => hit.image.id);

  test('an image is searchable as soon as it is embedded; the words in it follow in the background', async () => {
    assert.equal(await queue.enqueue(job('wombat', 'look at this')), 'indexed');
    assert.equal(library.has('g', 'm-wombat:a'), true);
    assert.deepEqual(await byWords('look'), ['m-wombat:a'], 'the words around it are indexed with it');
    await reader.idle();
    assert.deepEqual(await byWords('wombat'), ['m-wombat:a']);
    assert.equal(library.words.isRead('g', 'm-wombat:a'), true);
  });

  test('textRead resolves once the words of an image handed to OCR are stored, and at once for an image not being read', async () => {
    assert.equal(await queue.enqueue(job('wombat')), 'indexed');
    await queue.textRead('g', 'm-wombat:a');
    assert.equal(library.words.isRead('g', 'm-wombat:a'), true);
    await queue.textRead('g', 'never-posted');
  });

  test('an image indexed while OCR was off is read when it comes again (a reindex), and never read twice', async () => {
    ocrOn = false;
    assert.equal(await queue.enqueue(job('narwhal')), 'indexed');
    await reader.idle();
    assert.equal(library.words.isRead('g', 'm-narwhal:a'), false);
    ocrOn = true;
    assert.equal(await queue.enqueue(job('narwhal')), 'already-indexed');
    await reader.idle();
    assert.deepEqual(await byWords('narwhal'), ['m-narwhal:a']);
    assert.equal(await queue.enqueue(job('narwhal')), 'already-indexed');
    assert.equal(downloads.length, 2, 'downloaded to embed, then once more to read; not a third time');
  });

  test('an edited message brings its new words, without a download; what OCR read stays', async () => {
    await queue.enqueue(job('capybara', 'first words'));
    await reader.idle();
    assert.equal(await queue.enqueue(job('capybara', 'edited to say pelican')), 'already-indexed');
    assert.deepEqual(await byWords('first'), []);
    assert.deepEqual(await byWords('pelican'), ['m-capybara:a']);
    assert.deepEqual(await byWords('capybara'), ['m-capybara:a']);
    assert.equal(downloads.length, 1);
  });

  test('an edit that arrives while the image is still being indexed is not lost', async () => {
    const first = queue.enqueue(job('lighthouse', 'first words'));
    const edited = queue.enqueue(job('lighthouse', 'edited to say pelican'));
    assert.deepEqual(await Promise.all([first, edited]), ['indexed', 'already-indexed']);
    assert.deepEqual(await byWords('pelican'), ['m-lighthouse:a']);
    assert.deepEqual(await byWords('first'), []);
    assert.equal(downloads.length, 1);
  });

  test('past the OCR backlog images are still embedded; a history walk waiting for room then reads every one', async () => {
    await open(1);
    const words = Object.keys(CAPTIONS);
    assert.deepEqual(
      await Promise.all(words.map((word) => queue.enqueue(job(word)))),
      words.map(() => 'indexed'),
    );
    await reader.idle();
    for (const word of words) {
      await queue.waitForRoom();
      void queue.enqueue(job(word));
    }
    await queue.idle();
    await reader.idle();
    for (const word of words) assert.deepEqual(await byWords(word), [`m-${word}:a`], word);
  });
});
