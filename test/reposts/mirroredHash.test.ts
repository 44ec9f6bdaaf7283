import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { hammingDistance } from '../../src/reposts/hammingDistance.js';
import { MIRRORED_BITS, mirroredHash, nearerOrientation } from '../../src/reposts/mirroredHash.js';
import { perceptualHash } from '../../src/reposts/perceptualHash.js';
import { DEFAULT_REPOST_THRESHOLDS } from '../../src/reposts/repostMatcher.js';
import { WEATHER_DIR } from '../fixtures/datasets.js';

const LIMITS = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };
const { maxDistance } = DEFAULT_REPOST_THRESHOLDS;
const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;

describe('mirroredHash', () => {
  test('flips exactly the bits of odd horizontal frequencies (bit 63 − (8v + u), u odd), never the mark of a real hash', () => {
    let odd = 0n;
    for (let v = 0; v < 8; v++) for (let u = 1; u < 8; u += 2) odd |= 1n << BigInt(63 - (8 * v + u));
    assert.equal(MIRRORED_BITS, odd);
    const hash = 0xb3c1_07e4_5a92_6d18n;
    assert.equal(mirroredHash(hash) ^ hash, odd);
    assert.ok(mirroredHash(hash) >> 63n === 1n);
    assert.equal(mirroredHash(mirroredHash(hash)), hash);
  });

  test('a low-information hash has no mirror image but itself', () => {
    assert.equal(mirroredHash(LOW_INFORMATION_HASH), LOW_INFORMATION_HASH);
  });
});

describe('mirrored copies of the weather photos', () => {
  /** Per photo: its hash, and the hash of the photo flipped with sharp and saved as JPEG. */
  let pairs: Array<{ name: string; hash: bigint; flipped: bigint }> = [];
  before(async () => {
    const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
    pairs = await Promise.all(
      names.map(async (name) => {
        const bytes = await readFile(path.join(WEATHER_DIR, name));
        const flippedBytes = await sharp(bytes).autoOrient().flop().jpeg({ quality: 90 }).toBuffer();
        return { name, hash: await perceptualHash(bytes, LIMITS), flipped: await perceptualHash(flippedBytes, LIMITS) };
      }),
    );
  });

  test(`as they are, most mirrored photos hash more than ${maxDistance} bits from their original`, () => {
    const far = pairs.filter(({ hash, flipped }) => hammingDistance(hash, flipped) > maxDistance);
    assert.ok(far.length >= 0.9 * pairs.length, `${far.length} of ${pairs.length}`);
  });

  test(`the hash derived from the stored one lands within ${maxDistance} bits of the flipped photo’s own hash for 9 in 10 photos`, () => {
    const derived = pairs.map(({ hash, flipped }) => hammingDistance(mirroredHash(hash), flipped));
    const near = derived.filter((distance) => distance <= maxDistance).length;
    assert.equal(pairs.length, 53);
    assert.ok(near >= 0.9 * pairs.length, `${near} of ${pairs.length}: ${derived.join(', ')}`);
    assert.ok(median(derived) <= 6, `median ${median(derived)} bits`);
  });

  test('compared both ways round, every flipped photo is found within 16 bits of its original, as its mirror image when that is nearer', () => {
    for (const { name, hash, flipped } of pairs) {
      const match = nearerOrientation(flipped, hash);
      assert.ok(match.distance <= 16, `${name}: ${match.distance} bits`);
      assert.equal(match.mirrored, hammingDistance(mirroredHash(hash), flipped) < hammingDistance(hash, flipped), name);
    }
  });
});
