import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { ImageLibrary } from '../../src/library/imageLibrary.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { solidColourImage } from '../fixtures/images.js';
import { imageOrigin } from '../fixtures/imageOrigin.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';

const RED = [220, 30, 30] as const;
const BLUE = [30, 60, 220] as const;
const GREEN = [30, 160, 50] as const;

const origin = (id: string, channelId = 'c1', messageId = `m-${id}`) => imageOrigin(id, { channelId, messageId });

describe('ImageLibrary', () => {
  let dir: string;
  let model: EmbeddingModel;
  let store: ImageStore;
  let library: ImageLibrary;
  let storeUrl: string;
  let counter = 0;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'library-test-'));
    model = await openTinyModel();
  });
  beforeEach(async () => {
    await store?.close();
    storeUrl = `sqlite://${path.join(dir, `store-${counter++}.sqlite`)}`;
    store = await ImageStore.open(storeUrl);
    library = await ImageLibrary.open(model, store);
  });
  after(async () => {
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  /** The store and the library as the next start opens them. */
  async function reopen(): Promise<ImageLibrary> {
    await store.close();
    store = await ImageStore.open(storeUrl);
    return ImageLibrary.open(model, store);
  }

  /** A record written straight into the store, as another model (or a broken writer) left it. */
  const storedRecord = (id: string, modelId: string, embedding: Float32Array) => ({
    ...imageOrigin(id),
    contentHash: 'x',
    perceptualHash: undefined,
    modelId,
    embedding,
  });

  test('the same bytes under the same id are not embedded again; new bytes update the record', async () => {
    const red = await solidColourImage(RED);
    assert.equal(await library.addImage(origin('a'), red), 'indexed');
    assert.equal(await library.addImage(origin('a'), red), 'unchanged');
    assert.equal(await library.addImage(origin('a'), await solidColourImage(BLUE)), 'updated');
    const [hit] = await library.searchText('g1', 'blue', { limit: 1 });
    assert.equal(hit?.image.id, 'a');
    assert.equal(library.stats()[0]?.images, 1);
  });

  test('records survive a restart', async () => {
    await library.addImage(origin('a'), await solidColourImage(RED));
    await library.addImage(origin('b'), await solidColourImage(GREEN));
    const reopened = await reopen();
    const [hit] = await reopened.searchText('g1', 'green', { limit: 1 });
    assert.equal(hit?.image.id, 'b');
    assert.equal(hit?.image.source, 'https://cdn/b');
  });

  test("another model's records are counted but never mixed into results", async () => {
    await library.addImage(origin('mine'), await solidColourImage(RED));
    // Another model, with vectors of another length (32, where the tiny model's have 16).
    await store.put(storedRecord('theirs', 'other/model', new Float32Array(32).fill(0.1)));
    const reopened = await reopen();
    assert.deepEqual(reopened.stats(), [{ collection: 'g1', images: 1, otherModel: 1 }]);
    const hits = await reopened.searchText('g1', 'red', { limit: 10 });
    assert.deepEqual(
      hits.map((hit) => hit.image.id),
      ['mine'],
    );
    assert.deepEqual(
      [...reopened.images('g1')].map((image) => [image.id, image.modelId]),
      [
        ['mine', model.id],
        ['theirs', 'other/model'],
      ],
    );
    assert.equal(reopened.has('g1', 'theirs'), false);
    assert.deepEqual(reopened.idsOfMessage('g1', 'm-theirs'), ['theirs']);
  });

  test("removing a message's images forgets them in memory and in the store", async () => {
    await library.addImage(origin('a', 'c1', 'm1'), await solidColourImage(RED));
    await library.addImage(origin('b', 'c1', 'm1'), await solidColourImage(BLUE));
    await library.addImage(origin('c', 'c2', 'm2'), await solidColourImage(GREEN));
    assert.deepEqual(library.idsOfMessage('g1', 'm1').sort(), ['a', 'b']);
    await library.remove('g1', library.idsOfMessage('g1', 'm1'));
    assert.deepEqual([...library.imagesPerChannel('g1')], [['c2', 1]]);
    const reopened = await reopen();
    assert.deepEqual(
      [...reopened.images('g1')].map((image) => image.id),
      ['c'],
    );
  });

  test('removing channels forgets their images of every model, in memory and in the store', async () => {
    await library.addImage(origin('a', 'c1'), await solidColourImage(RED));
    await library.addImage(origin('b', 'thread-of-c1'), await solidColourImage(BLUE));
    await library.addImage(origin('c', 'c2'), await solidColourImage(GREEN));
    await store.put(storedRecord('old', 'other/model', new Float32Array(4).fill(1)));
    const reopened = await reopen();
    assert.equal(await reopened.removeFromChannels('g1', new Set(['c1', 'thread-of-c1'])), 3);
    assert.deepEqual([...reopened.imagesPerChannel('g1')], [['c2', 1]]);
    assert.deepEqual(
      [...(await reopen()).images('g1')].map((image) => image.id),
      ['c'],
    );
  });

  test('a channel filter is applied inside the search', async () => {
    await library.addImage(origin('red-c1', 'c1'), await solidColourImage(RED));
    await library.addImage(origin('blue-c2', 'c2'), await solidColourImage(BLUE));
    const hits = await library.searchText('g1', 'red', { limit: 5, filter: { channelIds: new Set(['c2']) } });
    assert.deepEqual(
      hits.map((hit) => hit.image.id),
      ['blue-c2'],
    );
  });

  test("a record stamped with this model's id but unusable vectors is kept out of search, without failing", async () => {
    await store.putMany([
      storedRecord('short', model.id, new Float32Array(3).fill(1)),
      storedRecord('nan', model.id, new Float32Array(16).fill(Number.NaN)),
    ]);
    const reopened = await reopen();
    assert.deepEqual(reopened.stats(), [{ collection: 'g1', images: 0, otherModel: 2 }]);
    assert.deepEqual(await reopened.searchText('g1', 'red', { limit: 5 }), []);
  });

  // A solid colour is too plain to compare: its perceptual hash is LOW_INFORMATION_HASH (0n), not undefined.
  test('a hit carries every field of its record', async () => {
    await library.addImage(
      {
        ...origin('1100000000000000001:1200000000000000001'),
        messageId: '1100000000000000001',
        attachmentId: '1200000000000000001',
        source: 'https://cdn.example/attachments/c1/1200000000000000001/red.png',
      },
      await solidColourImage(RED),
    );
    const [hit] = await library.searchText('g1', 'red', { limit: 1 });
    assert.deepEqual(
      { ...hit?.image, contentHash: hit?.image.contentHash.length },
      {
        id: '1100000000000000001:1200000000000000001',
        collection: 'g1',
        channelId: 'c1',
        messageId: '1100000000000000001',
        attachmentId: '1200000000000000001',
        authorId: 'u1',
        createdAt: 1_700_000_000_000,
        source: 'https://cdn.example/attachments/c1/1200000000000000001/red.png',
        contentHash: 64,
        perceptualHash: 0n,
        modelId: model.id,
      },
    );
  });

  test('collections never see each other', async () => {
    await library.addImage(origin('a'), await solidColourImage(RED));
    assert.deepEqual(await library.searchText('g2', 'red', { limit: 5 }), []);
  });
});
