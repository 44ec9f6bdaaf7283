import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { hammingDistance } from '../../src/reposts/hammingDistance.js';
import { mirroredHash } from '../../src/reposts/mirroredHash.js';
import { PerceptualHashIndex, type HashNeighbour } from '../../src/reposts/perceptualHashIndex.js';
import { mulberry32 } from '../fixtures/seededRandom.js';

const BASE = 0x8f3c_5a21_0d97_e4b6n;

/** BASE with the given bit positions flipped: exactly `bits.length` bits away from it. */
function flipped(...bits: number[]): bigint {
  return bits.reduce((hash, bit) => hash ^ (1n << BigInt(bit)), BASE);
}

function randomHash(random: () => number): bigint {
  const word = () => BigInt(Math.floor(random() * 2 ** 32));
  return (1n << 63n) | (word() << 32n) | word();
}

describe('PerceptualHashIndex', () => {
  test('finds every held hash within the distance, the distance itself included, nearest first', () => {
    const index = new PerceptualHashIndex();
    index.set('same', BASE);
    index.set('three-away', flipped(1, 40, 62));
    index.set('five-away', flipped(0, 9, 33, 34, 50));
    index.set('six-away', flipped(2, 3, 4, 35, 36, 37));
    assert.deepEqual(index.within(BASE, 5), [
      { id: 'same', distance: 0, mirrored: false },
      { id: 'three-away', distance: 3, mirrored: false },
      { id: 'five-away', distance: 5, mirrored: false },
    ]);
  });

  test('finds the mirror image of a hash too, and says it is mirrored', () => {
    const index = new PerceptualHashIndex();
    index.set('flipped', mirroredHash(flipped(7, 20)));
    assert.deepEqual(index.within(BASE, 2), [{ id: 'flipped', distance: 2, mirrored: true }]);
  });

  test('agrees with counting bits one pair at a time, both ways round, over thousands of random hashes', () => {
    const random = mulberry32(21);
    const held = new Map<string, bigint>();
    const index = new PerceptualHashIndex();
    for (let i = 0; i < 3000; i++) {
      // Some near copies of earlier hashes, and some mirror images, so that small distances occur both ways.
      const earlier = [...held.values()][i - 1];
      const nearCopy = earlier === undefined ? undefined : earlier ^ (1n << BigInt(Math.floor(random() * 63)));
      const hash = nearCopy === undefined || i % 5 > 1 ? randomHash(random) : i % 5 === 0 ? nearCopy : mirroredHash(nearCopy);
      held.set(`image-${i}`, hash);
      index.set(`image-${i}`, hash);
    }
    for (const query of [...held.values()].slice(0, 40)) {
      for (const maxDistance of [0, 3, 14, 24]) {
        const expected: HashNeighbour[] = [...held]
          .map(([id, hash]) => {
            const [plain, mirrored] = [hammingDistance(query, hash), hammingDistance(mirroredHash(query), hash)];
            return { id, distance: Math.min(plain, mirrored), mirrored: mirrored < plain };
          })
          .filter((neighbour) => neighbour.distance <= maxDistance)
          .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : 1));
        assert.deepEqual(index.within(query, maxDistance), expected);
      }
    }
  });

  test('setting an id again replaces its hash', () => {
    const index = new PerceptualHashIndex();
    index.set('a', BASE);
    index.set('a', ~BASE & ((1n << 64n) - 1n));
    assert.equal(index.size, 1);
    assert.deepEqual(index.within(BASE, 10), []);
  });

  test('a deleted id is no longer found, and the others still are', () => {
    const index = new PerceptualHashIndex();
    for (let i = 0; i < 5; i++) index.set(`image-${i}`, flipped(i));
    assert.equal(index.delete('image-1'), true);
    assert.equal(index.delete('image-1'), false);
    assert.equal(index.delete('never-held'), false);
    assert.deepEqual(
      index.within(BASE, 1).map((neighbour) => neighbour.id),
      ['image-0', 'image-2', 'image-3', 'image-4'],
    );
    assert.equal(index.has('image-1'), false);
  });

  test('a low-information hash is not held, and setting one drops what the id had', () => {
    const index = new PerceptualHashIndex();
    index.set('flat', LOW_INFORMATION_HASH);
    assert.equal(index.size, 0);
    index.set('photo', BASE);
    index.set('photo', LOW_INFORMATION_HASH);
    assert.equal(index.has('photo'), false);
  });

  test('a low-information query finds nothing, not even another low-information image', () => {
    const index = new PerceptualHashIndex();
    index.set('flat', LOW_INFORMATION_HASH);
    index.set('photo', BASE);
    assert.deepEqual(index.within(LOW_INFORMATION_HASH, 64), []);
  });

  test('holds more hashes than it started with room for', () => {
    const random = mulberry32(5);
    const index = new PerceptualHashIndex();
    const hashes = Array.from({ length: 5000 }, () => randomHash(random));
    hashes.forEach((hash, i) => index.set(`image-${i}`, hash));
    assert.equal(index.size, 5000);
    assert.deepEqual(
      index.within(hashes[4321]!, 0).map((neighbour) => neighbour.id),
      ['image-4321'],
    );
  });

  test('refuses a value that is not a 64-bit unsigned hash', () => {
    const index = new PerceptualHashIndex();
    assert.throws(() => index.set('a', 1n << 64n), RangeError);
    assert.throws(() => index.within(-1n, 3), RangeError);
  });
});
