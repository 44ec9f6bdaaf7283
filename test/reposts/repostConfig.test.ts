import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.js';
import { DEFAULT_REPOST_THRESHOLDS } from '../../src/reposts/repostMatcher.js';

function problemOf(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.problems.length, 1, error.message);
    return error.problems[0]!;
  }
  assert.fail('expected a ConfigError');
}

describe('repost thresholds in the configuration', () => {
  test('unset, they are the measured defaults', () => {
    assert.deepEqual(loadConfig({}).reposts, DEFAULT_REPOST_THRESHOLDS);
  });

  test('set, they are read as numbers', () => {
    const env = { REPOST_MAX_DISTANCE: '10', REPOST_MIN_SIMILARITY: '0.95', REPOST_HASH_ALONE_DISTANCE: '4' };
    assert.deepEqual(loadConfig(env).reposts, { maxDistance: 10, minSimilarity: 0.95, hashAloneDistance: 4 });
  });

  test('a distance that is not a whole number of bits from 0 to 64 names the variable and the range', () => {
    for (const name of ['REPOST_MAX_DISTANCE', 'REPOST_HASH_ALONE_DISTANCE']) {
      for (const value of ['65', '-1', '3.5', 'near']) {
        assert.match(problemOf({ [name]: value }), new RegExp(`^${name} is "${value}": expected a whole number of bits from 0 to 64`));
      }
    }
  });

  test('a similarity outside -1 to 1 names the variable and the range', () => {
    for (const value of ['1.5', '-2', 'high']) {
      assert.match(
        problemOf({ REPOST_MIN_SIMILARITY: value }),
        new RegExp(`^REPOST_MIN_SIMILARITY is "${value}": expected a cosine similarity from -1 to 1`),
      );
    }
  });
});
