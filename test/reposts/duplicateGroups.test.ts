import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { LOW_INFORMATION_HASH } from '../../src/reposts/dctHash.js';
import { duplicateGroups, type DuplicateCandidate } from '../../src/reposts/duplicateGroups.js';
import type { RepostThresholds } from '../../src/reposts/repostMatcher.js';
import { unitVectorAt } from '../fixtures/unitVectors.js';

const THRESHOLDS: RepostThresholds = { maxDistance: 10, minSimilarity: 0.9, hashAloneDistance: 4 };
const ORIGIN = 0x9d2e_41c7_b358_06afn;

/** ORIGIN with 8 bits flipped per step, a new byte each step: steps i and j are 8·|i − j| bits apart. */
function stepsAway(steps: number): bigint {
  let hash = ORIGIN;
  for (let step = 0; step < steps; step++) hash ^= 0xffn << BigInt(8 * step);
  return hash;
}

/** ORIGIN with one byte flipped: copies flipping different bytes are 8 bits from ORIGIN, 16 from each other. */
function byteFlipped(byte: number): bigint {
  return ORIGIN ^ (0xffn << BigInt(8 * byte));
}

function image(id: string, perceptualHash: bigint, similarity = 1): DuplicateCandidate & { path: string } {
  return { id, path: `/photos/${id}.jpg`, perceptualHash, embedding: unitVectorAt(similarity) };
}

const idsOf = (groups: DuplicateCandidate[][]) => groups.map((group) => group.map((member) => member.id));

describe('duplicateGroups', () => {
  test('groups near-duplicates, largest group first, and leaves out images with none', () => {
    const candidates = [
      image('lone', 0x1234_5678_9abc_def0n),
      image('pair-b', 0x8000_0000_ffff_0000n),
      image('trio-c', byteFlipped(2)),
      image('pair-a', 0x8000_0000_ffff_0001n),
      image('trio-a', ORIGIN),
      image('trio-b', byteFlipped(1)),
    ];
    assert.deepEqual(idsOf(duplicateGroups(candidates, THRESHOLDS)), [
      ['trio-a', 'trio-b', 'trio-c'],
      ['pair-a', 'pair-b'],
    ]);
  });

  test('an original with copies that are not close to each other is one group', () => {
    const candidates = [image('copy-1', byteFlipped(0)), image('copy-2', byteFlipped(3)), image('original', ORIGIN)];
    assert.deepEqual(idsOf(duplicateGroups(candidates, THRESHOLDS)), [['copy-1', 'copy-2', 'original']]);
  });

  test('a chain of images each close only to the next does not become one group', () => {
    const chain = ['a', 'b', 'c', 'd', 'e'].map((id, step) => image(id, stepsAway(step)));
    const groups = duplicateGroups(chain, THRESHOLDS);
    assert.deepEqual(idsOf(groups), [
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
  });

  test('close hashes with distant embeddings are not grouped', () => {
    const candidates = [image('photo', ORIGIN, 1), image('same-layout', byteFlipped(1), 0.5)];
    assert.deepEqual(duplicateGroups(candidates, THRESHOLDS), []);
  });

  test('low-information images are never grouped, not even with each other', () => {
    const candidates = [image('blank-1', LOW_INFORMATION_HASH), image('blank-2', LOW_INFORMATION_HASH)];
    assert.deepEqual(duplicateGroups(candidates, THRESHOLDS), []);
  });

  test("groups hold the caller's own records, paths included", () => {
    const groups = duplicateGroups([image('x', ORIGIN), image('y', ORIGIN)], THRESHOLDS);
    assert.deepEqual(
      groups.map((group) => group.map((member) => member.path)),
      [['/photos/x.jpg', '/photos/y.jpg']],
    );
  });

  test('two candidates with the same id are refused', () => {
    assert.throws(() => duplicateGroups([image('x', ORIGIN), image('x', byteFlipped(1))], THRESHOLDS), /duplicate candidate id x/);
  });
});
