import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { readHash, slotsWithin, writeHash } from '../../src/reposts/hashScan.js';
import { mirroredHash } from '../../src/reposts/mirroredHash.js';

const HASH = 0xb3c1_07e4_5a92_6d18n;

function column(hashes: Array<bigint | undefined>): Uint32Array {
  const pairs = new Uint32Array(2 * hashes.length);
  hashes.forEach((hash, slot) => writeHash(pairs, slot, hash));
  return pairs;
}

describe('slotsWithin', () => {
  test('finds the slots within the distance, in slot order, with their distances', () => {
    const pairs = column([HASH ^ 0b111n, HASH ^ (1n << 63n), ~HASH & 0xffff_ffff_ffff_ffffn, HASH]);
    assert.deepEqual(slotsWithin(pairs, 4, HASH, 3), [
      { slot: 0, distance: 3, mirrored: false },
      { slot: 1, distance: 1, mirrored: false },
      { slot: 3, distance: 0, mirrored: false },
    ]);
  });

  test('a slot holding the mirror image of the hash is found at the distance between them as mirror images', () => {
    const pairs = column([mirroredHash(HASH), mirroredHash(HASH ^ 0b11n), HASH ^ 0x5555_5555n]);
    assert.deepEqual(slotsWithin(pairs, 3, HASH, 2), [
      { slot: 0, distance: 0, mirrored: true },
      { slot: 1, distance: 2, mirrored: true },
    ]);
  });

  test('an empty slot (no hash, or a low-information one) matches nothing, at any distance', () => {
    const pairs = column([undefined, LOW_INFORMATION_HASH, HASH]);
    assert.deepEqual(slotsWithin(pairs, 3, HASH, 64), [{ slot: 2, distance: 0, mirrored: false }]);
  });

  test('slots past the count are not read', () => {
    assert.deepEqual(slotsWithin(column([HASH, HASH]), 1, HASH, 0), [{ slot: 0, distance: 0, mirrored: false }]);
    assert.throws(() => slotsWithin(column([HASH]), 2, HASH, 0), RangeError);
  });

  test('a hash written is read back', () => {
    assert.equal(readHash(column([undefined, HASH]), 1), HASH);
  });
});
