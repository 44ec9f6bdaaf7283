import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../../src/embed/embeddingModel.js';
import { IngestQueue } from '../../src/ingest/ingestQueue.js';
import { indexFolder, LOCAL_COLLECTION } from '../../src/library/folderIndexer.js';
import { contentHash, ImageLibrary, type ImageOrigin } from '../../src/library/imageLibrary.js';
import { isInformative } from '../../src/reposts/dctHash.js';
import { DEFAULT_REPOST_THRESHOLDS } from '../../src/reposts/repostMatcher.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';
import { imageOrigin } from '../fixtures/imageOrigin.js';
import { openTinyModel } from '../fixtures/models/tinyEmbeddingModel.js';
import { repostCopy } from '../fixtures/repostCopies.js';
import { unitVectorAt } from '../fixtures/unitVectors.js';

/**
 * Images indexed before perceptual hashes existed get one when they are seen again unchanged,
 * without being embedded again. Each old record is given a marker embedding no model would make
 * (a unit vector along one axis): still finding it with a score of 1 afterwards shows the
 * embedding was kept, not remade.
 */

const GUILD = 'g1';

describe('perceptual hashes filled in for images indexed without one', () => {
  let dir: string;
  let model: EmbeddingModel;
  let store: ImageStore;
  let storeUrl: string;
  let counter = 0;
  let photos: Buffer[];

  /** What an image indexed before this feature left in the store: no hash; `axis` marks its embedding. */
  function oldRecord(origin: ImageOrigin, bytes: Uint8Array, axis: number): ImageRecord {
    const embedding = unitVectorAt(0, model.dimensions, axis);
    return { ...origin, contentHash: contentHash(bytes), perceptualHash: undefined, modelId: model.id, embedding };
  }

  /** The store holding `records`, opened again as the bot or the CLI would after an upgrade. */
  async function upgradedLibrary(records: ImageRecord[]): Promise<ImageLibrary> {
    await store.putMany(records);
    await store.close();
    store = await ImageStore.open(storeUrl);
    return ImageLibrary.open(model, store);
  }

  /** Whether `id`'s embedding is still the marker along `axis`. */
  async function keptMarker(library: ImageLibrary, collection: string, id: string, axis: number): Promise<boolean> {
    const [hit] = await library.searchVector(collection, unitVectorAt(0, model.dimensions, axis), { limit: 1 });
    return hit?.image.id === id && Math.abs(hit.score - 1) < 1e-6;
  }

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hash-backfill-test-'));
    model = await openTinyModel();
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    photos = await Promise.all(names.slice(0, 3).map((name) => readFile(path.join(WEATHER_DIR, name))));
  });
  beforeEach(async () => {
    await store?.close();
    storeUrl = `sqlite://${path.join(dir, `store-${counter++}.sqlite`)}`;
    store = await ImageStore.open(storeUrl);
  });
  after(async () => {
    await store.close();
    await model.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  const origin = (id: string, createdAt: number): ImageOrigin => imageOrigin(id, { collection: GUILD, createdAt });

  test('the same bytes added again are hashed, not embedded again, and the hash is stored', async () => {
    const library = await upgradedLibrary([oldRecord(origin('old', 1), photos[0]!, 1)]);
    assert.equal(library.imagesWithoutHash(GUILD), 1);
    assert.equal(await library.addImage(origin('old', 1), photos[0]!), 'unchanged');
    assert.ok(isInformative(library.get(GUILD, 'old')!.perceptualHash!));
    assert.ok(await keptMarker(library, GUILD, 'old', 1), 'the old embedding was kept');
    await store.close();
    store = await ImageStore.open(storeUrl);
    const reopened = await ImageLibrary.open(model, store);
    assert.equal(reopened.imagesWithoutHash(GUILD), 0);
    assert.equal(reopened.get(GUILD, 'old')!.perceptualHash, library.get(GUILD, 'old')!.perceptualHash);
  });

  test('/reindex: the ingest queue takes an image without a hash again, hashes it, and skips it from then on', async () => {
    const copy = await repostCopy(photos[0]!, 'png');
    const library = await upgradedLibrary([oldRecord(origin('old', 1), photos[0]!, 1)]);
    const downloads: string[] = [];
    const bytesAt = new Map([
      ['https://cdn/old', photos[0]!],
      ['https://cdn/copy', copy],
    ]);
    const queue = new IngestQueue(library, async (url) => (downloads.push(url), bytesAt.get(url)!), {
      concurrency: 2,
      queueLimit: 10,
      maxAttempts: 1,
    });
    assert.equal(await queue.enqueue({ origin: origin('old', 1), url: 'https://cdn/old', words: {} }), 'unchanged');
    assert.ok(await keptMarker(library, GUILD, 'old', 1), 'the old embedding was kept');
    assert.equal(await queue.enqueue({ origin: origin('old', 1), url: 'https://cdn/old', words: {} }), 'already-indexed');
    assert.deepEqual(downloads, ['https://cdn/old']);
    // Hashed, the old image is found as the original of a copy posted later.
    assert.equal(await queue.enqueue({ origin: origin('copy', 2), url: 'https://cdn/copy', words: {} }), 'indexed');
    const similar = { ...DEFAULT_REPOST_THRESHOLDS, minSimilarity: -1 }; // the marker embedding is like nothing
    assert.deepEqual(
      library.repostsOf(GUILD, 'copy', similar).map(({ image }) => image.id),
      ['old'],
    );
    await queue.close();
  });

  test('image-search index: unchanged files are hashed without being embedded again', async () => {
    const folder = path.join(dir, `photos-${counter}`);
    await mkdir(folder);
    const files = await Promise.all(
      photos.map(async (bytes, i) => {
        const file = path.join(folder, `photo-${i}.jpg`);
        await writeFile(file, bytes);
        return { file, bytes, modifiedAt: (await stat(file)).mtimeMs };
      }),
    );
    const library = await upgradedLibrary(
      files.map(({ file, bytes, modifiedAt }, i) =>
        oldRecord(
          {
            id: file,
            collection: LOCAL_COLLECTION,
            channelId: folder,
            messageId: '',
            attachmentId: '',
            authorId: '',
            createdAt: modifiedAt,
            source: file,
          },
          bytes,
          i + 1,
        ),
      ),
    );
    assert.equal(library.imagesWithoutHash(LOCAL_COLLECTION), 3);
    const report = await indexFolder(library, folder, { concurrency: 2 });
    assert.deepEqual([report.indexed, report.updated, report.unchanged], [0, 0, 3]);
    assert.equal(library.imagesWithoutHash(LOCAL_COLLECTION), 0);
    for (const [i, { file }] of files.entries())
      assert.ok(await keptMarker(library, LOCAL_COLLECTION, file, i + 1), `${file} kept its embedding`);
  });
});
