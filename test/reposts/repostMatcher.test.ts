import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { mirroredHash } from '../../src/reposts/mirroredHash.js';
import { PerceptualHashIndex } from '../../src/reposts/perceptualHashIndex.js';
import { cosine, findReposts, nearCopyMatch, type RepostThresholds } from '../../src/reposts/repostMatcher.js';
import { unitVectorAt } from '../fixtures/unitVectors.js';

/** The hash alone decides only for identical or one-bit-apart hashes here, so the embeddings are asked. */
const THRESHOLDS: RepostThresholds = { maxDistance: 10, minSimilarity: 0.9, hashAloneDistance: 1 };
const HASH = 0xc5a1_9e33_07bd_4f68n;
const NEW_EMBEDDING = unitVectorAt(1);

/** HASH with its lowest `bits` bits flipped. */
function hashAway(bits: number): bigint {
  return HASH ^ ((1n << BigInt(bits)) - 1n);
}

/** An index plus embeddings of images given as [id, hash distance from HASH, cosine to NEW_EMBEDDING]. */
function library(images: Array<[string, number, number]>) {
  const hashes = new PerceptualHashIndex();
  const embeddings = new Map<string, Float32Array>();
  for (const [id, distance, similarity] of images) {
    hashes.set(id, hashAway(distance));
    embeddings.set(id, unitVectorAt(similarity));
  }
  return { hashes, embeddingOf: (id: string) => embeddings.get(id) };
}

const ids = (matches: Array<{ id: string }>) => matches.map((match) => match.id);

describe('findReposts', () => {
  test('an image is a repost when its hash and its embedding are both close', () => {
    const { hashes, embeddingOf } = library([['copy', 4, 0.97]]);
    const matches = findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS);
    assert.deepEqual(ids(matches), ['copy']);
    assert.equal(matches[0]!.distance, 4);
    assert.ok(Math.abs(matches[0]!.similarity - 0.97) < 1e-6);
  });

  test('a close hash with a distant embedding is not a repost', () => {
    const { hashes, embeddingOf } = library([['same-layout', 2, 0.6]]);
    assert.deepEqual(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS), []);
  });

  test('a close embedding with a distant hash is not a repost', () => {
    const { hashes, embeddingOf } = library([['same-scene', 20, 0.99]]);
    assert.deepEqual(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS), []);
  });

  test('both thresholds are inclusive', () => {
    // 0.875 is exact in float32, so the cosine lands on the threshold itself.
    const thresholds = { maxDistance: 10, minSimilarity: 0.875, hashAloneDistance: 0 };
    const { hashes, embeddingOf } = library([
      ['at-both-limits', 10, 0.875],
      ['just-past-distance', 11, 1],
      ['just-under-cosine', 1, 0.874],
    ]);
    assert.deepEqual(ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, thresholds)), [
      'at-both-limits',
    ]);
  });

  test('hashes within hashAloneDistance bits make a repost whatever the embeddings say', () => {
    const { hashes, embeddingOf } = library([
      ['brightened', 1, 0.1],
      ['two-bits-away', 2, 0.1],
    ]);
    assert.deepEqual(ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS)), ['brightened']);
  });

  test('hashAloneDistance never reaches past maxDistance', () => {
    const thresholds = { maxDistance: 4, minSimilarity: 0.9, hashAloneDistance: 8 };
    const { hashes, embeddingOf } = library([
      ['four-away', 4, 0.1],
      ['five-away', 5, 0.1],
    ]);
    assert.deepEqual(ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, thresholds)), ['four-away']);
  });

  test('a low-information image is never a repost, even of an identical embedding', () => {
    const { hashes, embeddingOf } = library([['photo', 0, 1]]);
    assert.deepEqual(findReposts({ perceptualHash: LOW_INFORMATION_HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS), []);
  });

  test('an indexed image whose embedding is gone is skipped', () => {
    const { hashes, embeddingOf } = library([
      ['kept', 3, 0.95],
      ['removed', 1, 0.99],
    ]);
    const lookup = (id: string) => (id === 'removed' ? undefined : embeddingOf(id));
    assert.deepEqual(ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, lookup, THRESHOLDS)), ['kept']);
  });

  test('matches come nearest hash first, then most similar embedding', () => {
    const { hashes, embeddingOf } = library([
      ['far', 8, 0.99],
      ['near-less-similar', 2, 0.92],
      ['near-more-similar', 2, 0.98],
      ['exact', 0, 0.91],
    ]);
    assert.deepEqual(ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, embeddingOf, THRESHOLDS)), [
      'exact',
      'near-more-similar',
      'near-less-similar',
      'far',
    ]);
  });
});

describe('findReposts with the words in the images', () => {
  const CAPTION = 'ONE DOES NOT SIMPLY\nWALK INTO THE CAT';
  const texts = new Map([
    ['other-caption', 'WHEN THE WIFI IS DOWN\nAND THE CAT IS ALL YOU HAVE'],
    ['same-caption', 'ONE DOES NOT SIMPLY\nINTO THE CAT'],
  ]);
  const { hashes, embeddingOf } = library([
    ['other-caption', 2, 0.99],
    ['same-caption', 3, 0.99],
    ['not-read', 4, 0.99],
  ]);
  const find = (imageText: string | undefined) =>
    ids(findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING, imageText }, hashes, embeddingOf, THRESHOLDS, (id) => texts.get(id)));

  test('the same template under another caption is not a repost when both texts are known', () => {
    assert.ok(!find(CAPTION).includes('other-caption'));
  });

  test('the same caption, read a little differently, is a repost', () => {
    assert.ok(find(CAPTION).includes('same-caption'));
  });

  test('where either text is unknown, the pixels decide alone', () => {
    assert.ok(find(CAPTION).includes('not-read'));
    assert.deepEqual(find(undefined), ['other-caption', 'same-caption', 'not-read']);
  });

  test('an image without words is not a repost of one with words, nor the other way round', () => {
    assert.deepEqual(find(''), ['not-read']);
  });
});

describe('findReposts of a mirrored copy', () => {
  test('an image flipped left to right is found, marked mirrored, at the distance between the hashes as mirror images', () => {
    const hashes = new PerceptualHashIndex();
    hashes.set('flipped', mirroredHash(hashAway(3)));
    const [match] = findReposts({ perceptualHash: HASH, embedding: NEW_EMBEDDING }, hashes, () => unitVectorAt(0.95), THRESHOLDS);
    assert.deepEqual({ ...match, similarity: undefined }, { id: 'flipped', distance: 3, mirrored: true, similarity: undefined });
  });

  test('its words must agree like any copy’s: a template flipped under another caption is not a repost', () => {
    const hashes = new PerceptualHashIndex();
    hashes.set('flipped-template', mirroredHash(HASH));
    const image = { perceptualHash: HASH, embedding: NEW_EMBEDDING, imageText: 'nobody:\nabsolutely nobody: my cat' };
    const otherCaption = () => 'me at the store looking\nfor the last cat';
    assert.deepEqual(
      findReposts(image, hashes, () => NEW_EMBEDDING, THRESHOLDS, otherCaption),
      [],
    );
  });
});

describe('nearCopyMatch', () => {
  const signals = (perceptualHash: bigint, imageText?: string) => ({ perceptualHash, embedding: NEW_EMBEDDING, imageText });

  test('two images of one template with different captions are not near-copies; with the same caption they are', () => {
    const caption = 'nobody:\nabsolutely nobody: my cat';
    assert.equal(
      nearCopyMatch(signals(HASH, caption), signals(hashAway(1), 'me at the store looking\nfor the last cat'), THRESHOLDS),
      null,
    );
    assert.deepEqual(nearCopyMatch(signals(HASH, caption), signals(hashAway(1), 'NOBODY: ABSOLUTELY NOBODY: MY CAT'), THRESHOLDS), {
      distance: 1,
      similarity: 1,
      mirrored: false,
    });
  });

  test('compares the hashes as mirror images too', () => {
    assert.deepEqual(nearCopyMatch(signals(HASH), signals(mirroredHash(hashAway(2))), THRESHOLDS), {
      distance: 2,
      similarity: 1,
      mirrored: true,
    });
  });
});

describe('cosine', () => {
  test('of unit vectors is their dot product', () => {
    assert.ok(Math.abs(cosine(unitVectorAt(0.3), unitVectorAt(1)) - 0.3) < 1e-6);
  });

  test('refuses embeddings of different sizes', () => {
    assert.throws(() => cosine(unitVectorAt(1, 4), unitVectorAt(1, 8)), RangeError);
  });
});
