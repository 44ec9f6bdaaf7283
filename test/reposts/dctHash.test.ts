import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { dctHash, flatShare, isInformative, LOW_INFORMATION_HASH, MAX_FLAT_SHARE, THUMBNAIL_SIZE } from '../../src/reposts/dctHash.js';
import { hammingDistance } from '../../src/reposts/hammingDistance.js';
import { mulberry32 } from '../fixtures/seededRandom.js';

const SIZE = THUMBNAIL_SIZE;

/** A thumbnail from a per-pixel function of (x, y). */
function thumbnail(level: (x: number, y: number) => number): Float32Array {
  return Float32Array.from({ length: SIZE * SIZE }, (_, i) => level(i % SIZE, Math.floor(i / SIZE)));
}

/** Smooth, photo-like detail: a sum of seeded random blobs on a mid-grey ground. */
function blobs(seed: number): Float32Array {
  const random = mulberry32(seed);
  const spots = Array.from({ length: 12 }, () => ({
    x: random() * SIZE,
    y: random() * SIZE,
    r: 3 + random() * 8,
    a: (random() - 0.5) * 160,
  }));
  return thumbnail((x, y) => {
    let level = 128;
    for (const spot of spots) level += spot.a * Math.exp(-((x - spot.x) ** 2 + (y - spot.y) ** 2) / (2 * spot.r ** 2));
    return Math.min(255, Math.max(0, level));
  });
}

describe('dctHash', () => {
  test('a detailed thumbnail gets a real hash, marked by its top bit', () => {
    const hash = dctHash(blobs(1));
    assert.ok(isInformative(hash));
    assert.equal(hash >> 63n, 1n);
  });

  test('the same thumbnail always gets the same hash', () => {
    assert.equal(dctHash(blobs(2)), dctHash(blobs(2)));
  });

  test('a uniform change of brightness leaves the hash unchanged', () => {
    const picture = blobs(3);
    const brighter = picture.map((level) => level + 20);
    assert.equal(dctHash(brighter), dctHash(picture));
  });

  test('slight noise moves a detailed thumbnail by a few bits at most', () => {
    const picture = blobs(4);
    const random = mulberry32(40);
    const noisy = picture.map((level) => level + (random() - 0.5) * 4);
    assert.ok(hammingDistance(dctHash(picture), dctHash(noisy)) <= 4);
  });

  test('unrelated detailed thumbnails differ in many bits', () => {
    for (let seed = 10; seed < 15; seed++) {
      const distance = hammingDistance(dctHash(blobs(seed)), dctHash(blobs(seed + 100)));
      assert.ok(distance >= 16, `seeds ${seed} and ${seed + 100}: ${distance} bits apart`);
    }
  });

  test('a flat thumbnail is low information', () => {
    assert.equal(dctHash(thumbnail(() => 200)), LOW_INFORMATION_HASH);
    assert.equal(isInformative(LOW_INFORMATION_HASH), false);
  });

  test('a nearly flat thumbnail (encoder noise of a few levels) is low information', () => {
    const random = mulberry32(5);
    assert.equal(dctHash(thumbnail(() => 90 + (random() - 0.5) * 6)), LOW_INFORMATION_HASH);
  });

  test('plain stripes, with structure along one direction only, are low information', () => {
    assert.equal(dctHash(thumbnail((_x, y) => (y < SIZE / 3 ? 60 : y < (2 * SIZE) / 3 ? 150 : 230))), LOW_INFORMATION_HASH);
  });

  test('a thumbnail mostly of one level is low information, whatever detail the rest holds', () => {
    const detailed = blobs(6);
    const mostlyPlain = detailed.map((level, i) => (i < 0.6 * SIZE * SIZE ? 200 : level));
    assert.ok(isInformative(dctHash(detailed)));
    assert.ok(flatShare(mostlyPlain) > MAX_FLAT_SHARE);
    assert.equal(dctHash(mostlyPlain), LOW_INFORMATION_HASH);
  });

  test('a thumbnail of the wrong size is refused', () => {
    assert.throws(() => dctHash(new Float32Array(SIZE * SIZE - 1)), RangeError);
  });
});
