import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { indexImage } from '../../src/ingest/imageIndexing.js';
import { ImageLibrary, type ImageOrigin } from '../../src/library/imageLibrary.js';
import type { LibrarySearchOptions } from '../../src/library/librarySearch.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { imageOrigin } from '../fixtures/imageOrigin.js';
import { solidColourImage } from '../fixtures/images.js';
import { TINY_COLOURS } from '../fixtures/models/fixtureModels.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';

const rgb = (name: string) => TINY_COLOURS.find((colour) => colour.name === name)!.rgb;
const DAY = 86_400_000;

/** The tiny model ranks by colour; the words come from the message around each image. */
describe('ImageLibrary.search: meaning, words, or both', () => {
  let dir: string;
  let model: EmbeddingModel;
  let store: ImageStore;
  let library: ImageLibrary;
  let counter = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'library-search-test-'));
    model = await openTinyModel();
  });
  beforeEach(async () => {
    await store?.close();
    store = await ImageStore.open(`sqlite://${path.join(dir, `store-${counter++}.sqlite`)}`);
    library = await ImageLibrary.open(model, store);
    await add('red', 'red', 'a quiet evening');
    await add('blue-meme', 'blue', 'when you finally find the pineapple');
    await add('green', 'green', 'car park at night');
  });
  after(async () => {
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  async function add(id: string, colour: string, messageText: string, where: Partial<ImageOrigin> = {}): Promise<void> {
    await indexImage(library, imageOrigin(id, { createdAt: 10 * DAY, ...where }), await solidColourImage(rgb(colour)), {
      messageText,
      fileName: `${id}.png`,
    });
  }

  const search = (options: Partial<LibrarySearchOptions> & { text: string }) => library.search('g1', { limit: 3, ...options });
  const ids = async (options: Partial<LibrarySearchOptions> & { text: string }) => (await search(options)).map((hit) => hit.image.id);

  test('a word only one image holds ranks that image first, shown with the words that matched', async () => {
    const [first] = await search({ text: 'pineapple' });
    assert.equal(first?.image.id, 'blue-meme');
    assert.deepEqual(first?.matchedWords, ['pineapple']);
    assert.notEqual(first?.foundBy, 'meaning');
  });

  test('a description ranks what it means first, above an image matching some of its words', async () => {
    // "at night" is in the green image's message; what the query means is red.
    const hits = await search({ text: 'red sky at night' });
    assert.equal(hits[0]?.image.id, 'red');
    assert.deepEqual(hits.find((hit) => hit.image.id === 'green')?.matchedWords, ['at', 'night']);
  });

  test('each mode answers from its own side', async () => {
    assert.deepEqual(await ids({ text: 'pineapple', mode: 'words' }), ['blue-meme']);
    const meaning = await search({ text: 'red', mode: 'meaning' });
    assert.equal(meaning[0]?.image.id, 'red');
    assert.ok(meaning.every((hit) => hit.foundBy === 'meaning' && hit.matchedWords.length === 0));
  });

  test('a query embedded by the caller is used as given', async () => {
    assert.equal((await ids({ text: 'green', vector: await model.embedText('red'), mode: 'meaning' }))[0], 'red');
  });

  test('the channel, author and date filter applies to word matches too', async () => {
    await add('pineapple-c2', 'yellow', 'pineapple again', { channelId: 'c2' });
    await add('pineapple-u2', 'yellow', 'pineapple again', { authorId: 'u2' });
    await add('pineapple-old', 'yellow', 'pineapple again', { createdAt: DAY });
    const filter = { channelIds: new Set(['c1']), authorId: 'u1', after: 5 * DAY };
    assert.deepEqual(await ids({ text: 'pineapple', mode: 'words', filter }), ['blue-meme']);
    assert.ok(!(await ids({ text: 'pineapple', filter, limit: 10 })).some((id) => id.startsWith('pineapple-')));
  });

  test('images the filter leaves out change nothing: the same hits, scores and order by words and by both, as if they were not there', async () => {
    await add('wombat-short', 'red', 'wombat');
    await add('wombat-long', 'blue', 'wombat wombat wombat and seven other words in this message');
    await add('wombat-hat', 'green', 'a wombat hat');
    const visible = { channelIds: new Set(['c1']) };
    const results = async () => {
      const query = { text: 'wombat hat', vector: await model.embedText('red'), filter: visible, limit: 10 };
      return { words: await search({ ...query, mode: 'words' }), both: await search({ ...query, mode: 'both' }) };
    };
    const before = await results();
    for (let i = 0; i < 12; i++) {
      await add(`secret-${i}`, 'red', `wombat ${'and so many other words here '.repeat(1 + (i % 3))}`, { channelId: 'secret' });
    }
    assert.deepEqual(await results(), before);
    assert.ok((await ids({ text: 'wombat', mode: 'words', limit: 20 })).includes('secret-0'), 'found when the filter lets them in');
  });

  test('removing an image, by any path, removes its words with it, in memory and in the store', async () => {
    await add('in-c2', 'yellow', 'walrus', { channelId: 'c2' });
    await add('in-c3', 'yellow', 'walrus', { channelId: 'c3' });
    await library.remove('g1', ['blue-meme']);
    await library.removeFromChannels('g1', new Set(['c2']));
    await library.removeWhere('g1', (image) => image.channelId === 'c3');
    assert.deepEqual(await ids({ text: 'pineapple walrus', mode: 'words' }), []);
    assert.equal(library.words.size('g1'), 2);
    await store.close();
    store = await ImageStore.open(store.url.replace(/^sqlite:\/\//, 'sqlite://'));
    const reopened = await ImageLibrary.open(model, store);
    assert.equal(reopened.words.size('g1'), 2);
    await reopened.dropCollection('g1');
    assert.equal(reopened.words.size('g1'), 0);
    await store.close();
    store = await ImageStore.open(store.url);
    assert.equal((await ImageLibrary.open(model, store)).words.size('g1'), 0);
  });
});
