import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { ImageLibrary, type ImageOrigin } from '../../src/library/imageLibrary.js';
import { isInformative, LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { DEFAULT_REPOST_THRESHOLDS } from '../../src/reposts/repostMatcher.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { imageOrigin } from '../fixtures/imageOrigin.js';
import { solidColourImage, WHITE } from '../fixtures/images.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';
import { repostCopy } from '../fixtures/repostCopies.js';

const GUILD = 'g1';
const DEFAULTS = DEFAULT_REPOST_THRESHOLDS;

/** A Discord-like image: its own message unless one is given, posted at `createdAt`. */
function posted(id: string, createdAt: number, overrides: Partial<ImageOrigin> = {}): ImageOrigin {
  return imageOrigin(id, { collection: GUILD, createdAt, ...overrides });
}

const idsOf = (images: Array<{ image: { id: string } }>) => images.map(({ image }) => image.id);

describe('reposts in the library', () => {
  let dir: string;
  let model: EmbeddingModel;
  let store: ImageStore;
  let storeUrl: string;
  let library: ImageLibrary;
  let counter = 0;
  /** Two unrelated weather photos, and copies of the first. */
  let photo: Buffer;
  let other: Buffer;
  let resized: Buffer;
  let framed: Buffer;

  const reopen = async (): Promise<ImageLibrary> => {
    await store.close();
    store = await ImageStore.open(storeUrl);
    return (library = await ImageLibrary.open(model, store));
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'library-reposts-test-'));
    model = await openTinyModel();
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    photo = await readFile(path.join(WEATHER_DIR, names[0]!));
    other = await readFile(path.join(WEATHER_DIR, names[20]!));
    [resized, framed] = await Promise.all([repostCopy(photo, 'resized'), repostCopy(photo, 'bordered')]);
  });
  beforeEach(async () => {
    await store?.close();
    storeUrl = `sqlite://${path.join(dir, `store-${counter++}.sqlite`)}`;
    store = await ImageStore.open(storeUrl, { compactAfter: 0 });
    library = await ImageLibrary.open(model, store);
  });
  after(async () => {
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  test('an added image is hashed beside its embedding; a plain picture gets the low-information hash', async () => {
    await library.addImage(posted('photo', 1), photo);
    await library.addImage(posted('blank', 2), await solidColourImage(WHITE));
    assert.ok(isInformative(library.get(GUILD, 'photo')!.perceptualHash!));
    assert.equal(library.get(GUILD, 'blank')!.perceptualHash, LOW_INFORMATION_HASH);
    assert.equal(library.imagesWithoutHash(GUILD), 0);
  });

  test('repostsOf names the earlier copies, earliest first, and neither later copies nor other pictures', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('resized', 2000), resized);
    await library.addImage(posted('other', 3000), other);
    await library.addImage(posted('framed', 4000), framed);
    assert.deepEqual(idsOf(library.repostsOf(GUILD, 'framed', DEFAULTS)), ['original', 'resized']);
    assert.deepEqual(idsOf(library.repostsOf(GUILD, 'resized', DEFAULTS)), ['original']);
    assert.deepEqual(library.repostsOf(GUILD, 'original', DEFAULTS), []);
    assert.deepEqual(library.repostsOf(GUILD, 'other', DEFAULTS), []);
  });

  test('a repost carries how close it is by each signal', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('resized', 2000), resized);
    const [copy] = library.repostsOf(GUILD, 'resized', DEFAULTS);
    assert.ok(copy!.distance <= DEFAULTS.maxDistance, `${copy!.distance} bits`);
    assert.ok(copy!.similarity >= DEFAULTS.minSimilarity && copy!.similarity <= 1.0001, `similarity ${copy!.similarity}`);
  });

  test('repostsOf leaves out copies the filter excludes and those in the same message', async () => {
    await library.addImage(posted('hidden', 1000, { channelId: 'private' }), photo);
    await library.addImage(posted('same-message', 2000, { messageId: 'm-new' }), resized);
    await library.addImage(posted('new', 3000, { messageId: 'm-new' }), framed);
    assert.deepEqual(idsOf(library.repostsOf(GUILD, 'new', DEFAULTS)), ['hidden']);
    assert.deepEqual(library.repostsOf(GUILD, 'new', { ...DEFAULTS, filter: { channelIds: new Set(['c1']) } }), []);
  });

  test('the thresholds are the caller’s: no framed copy at 0 bits, nor with a similarity no embedding reaches', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('framed', 2000), framed);
    assert.deepEqual(library.repostsOf(GUILD, 'framed', { ...DEFAULTS, maxDistance: 0 }), []);
    assert.deepEqual(library.repostsOf(GUILD, 'framed', { ...DEFAULTS, minSimilarity: 1.01, hashAloneDistance: 0 }), []);
  });

  test('plain pictures are never reposts, not even of the same plain picture', async () => {
    const blank = await solidColourImage(WHITE, { width: 200, height: 150 });
    await library.addImage(posted('blank-1', 1000), blank);
    await library.addImage(posted('blank-2', 2000), await solidColourImage(WHITE, { width: 200, height: 150, format: 'jpeg' }));
    assert.deepEqual(library.repostsOf(GUILD, 'blank-2', { maxDistance: 64, minSimilarity: -1, hashAloneDistance: 64 }), []);
    assert.deepEqual(library.duplicateGroups(GUILD, { maxDistance: 64, minSimilarity: -1, hashAloneDistance: 64 }), []);
  });

  test('the same bytes posted again are a repost whatever the picture: a plain one re-uploaded too', async () => {
    const blank = await solidColourImage(WHITE, { width: 200, height: 150 });
    await library.addImage(posted('blank-1', 1000), blank);
    await library.addImage(posted('blank-2', 2000), blank);
    assert.deepEqual(
      library.repostsOf(GUILD, 'blank-2', DEFAULTS).map((hit) => [hit.image.id, hit.distance, hit.similarity]),
      [['blank-1', 0, 1]],
    );
    assert.deepEqual(
      library.duplicateGroups(GUILD, DEFAULTS).map((group) => group.map((image) => image.id)),
      [['blank-1', 'blank-2']],
    );
  });

  test('nearCopies folds each copy into the best-ranked hit it copies, keeping the ranking', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('other', 2000), other);
    await library.addImage(posted('resized', 3000), resized);
    await library.addImage(posted('framed', 4000), framed);
    const hits = await library.searchImage(GUILD, photo, { limit: 4 });
    const rank = (id: string) => hits.findIndex((hit) => hit.image.id === id);
    const groups = library
      .nearCopies(GUILD, hits, DEFAULTS)
      .map(({ hit, nearCopies }) => [hit, ...nearCopies].map((kept) => kept.image.id));
    assert.deepEqual(groups.map((group) => [...group].sort()).sort(), [['framed', 'original', 'resized'], ['other']]);
    for (const group of groups)
      assert.deepEqual(
        group,
        [...group].sort((a, b) => rank(a) - rank(b)),
      );
    const leaders = groups.map((group) => rank(group[0]!));
    assert.deepEqual(
      leaders,
      [...leaders].sort((a, b) => a - b),
    );
  });

  test('duplicateGroups puts an original and its copies in one group and leaves single pictures out', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('other', 2000), other);
    await library.addImage(posted('resized', 3000), resized);
    await library.addImage(posted('framed', 4000), framed);
    assert.deepEqual(
      library.duplicateGroups(GUILD, DEFAULTS).map((group) => group.map((image) => image.id).sort()),
      [['framed', 'original', 'resized']],
    );
  });

  test('hashes survive a compaction and a restart', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('resized', 2000), resized);
    const before = library.get(GUILD, 'original')!.perceptualHash;
    await store.compact(GUILD);
    await library.addImage(posted('framed', 3000), framed); // in the journal, after the segment
    const reopened = await reopen();
    assert.equal(reopened.get(GUILD, 'original')!.perceptualHash, before);
    assert.equal(reopened.imagesWithoutHash(GUILD), 0);
    assert.deepEqual(idsOf(reopened.repostsOf(GUILD, 'framed', DEFAULTS)), ['original', 'resized']);
  });

  test('removing images keeps every other image’s hash with it', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('other', 2000), other);
    await library.addImage(posted('resized', 3000), resized);
    await library.addImage(posted('other-copy', 4000), await repostCopy(other, 'png'));
    // The last row moves into the first one's place.
    await library.remove(GUILD, ['original']);
    assert.deepEqual(idsOf(library.repostsOf(GUILD, 'other-copy', DEFAULTS)), ['other']);
    assert.deepEqual(library.repostsOf(GUILD, 'resized', DEFAULTS), []);
  });

  test('a record added without a hash never matches by the hash of a record removed before it', async () => {
    await library.addImage(posted('original', 1000), photo);
    await library.addImage(posted('resized', 2000), resized);
    await library.remove(GUILD, ['original']); // resized moves to row 0; row 1 still holds its hash's bits
    const embedding = await model.embedImage(resized);
    await library.put({ ...posted('unhashed', 500), contentHash: 'x', perceptualHash: undefined, modelId: model.id, embedding });
    assert.equal(library.imagesWithoutHash(GUILD), 1);
    assert.deepEqual(library.repostsOf(GUILD, 'resized', { maxDistance: 0, minSimilarity: -1, hashAloneDistance: 0 }), []);
  });
});
