import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SnowflakeGenerator, compareSnowflakes, shardForGuild, snowflakeTimestamp } from './snowflake.js';

test('snowflakes made in the same millisecond still sort in creation order', () => {
  const generator = new SnowflakeGenerator(() => 1_700_000_000_000);
  const ids = Array.from({ length: 5000 }, () => generator.next());
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++) assert.equal(compareSnowflakes(ids[i - 1]!, ids[i]!), -1);
});

test('a snowflake carries the time it was made, and never goes back when the clock does', () => {
  let now = 1_700_000_000_000;
  const generator = new SnowflakeGenerator(() => now);
  const first = generator.next();
  assert.equal(snowflakeTimestamp(first), now);
  now -= 5000;
  assert.equal(compareSnowflakes(first, generator.next()), -1);
});

test("a guild's shard is (guild_id >> 22) % num_shards", () => {
  const id = ((123_456_789n << 22n) | 77n).toString();
  assert.equal(shardForGuild(id, 4), 123_456_789 % 4);
  assert.equal(shardForGuild(id, 1), 0);
});
