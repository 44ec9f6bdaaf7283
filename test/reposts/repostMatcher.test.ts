import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { PerceptualHashIndex } from '../../src/reposts/perceptualHashIndex.js';
import { cosine, findReposts, type RepostThresholds } from '../../src/reposts/repostMatcher.js';
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

describe('cosine', () => {
  test('of unit vectors is their dot product', () => {
    assert.ok(Math.abs(cosine(unitVectorAt(0.3), unitVectorAt(1)) - 0.3) < 1e-6);
  });

  test('refuses embeddings of different sizes', () => {
    assert.throws(() => cosine(unitVectorAt(1, 4), unitVectorAt(1, 8)), RangeError);
  });
});
