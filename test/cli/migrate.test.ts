import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../src/cli.js';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';

const TARGET = 'redis://127.0.0.1:6379/8';

function records(collection: string, count: number): ImageRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${collection}-m${i}:a${i}`,
    collection,
    channelId: `c${i % 3}`,
    messageId: `m${i}`,
    attachmentId: `a${i}`,
    authorId: 'u1',
    createdAt: 1_700_000_000_000 + i,
    source: `https://cdn.example/${i}.png`,
    contentHash: 'h'.repeat(64),
    perceptualHash: undefined,
    modelId: 'unum-cloud/uform3-image-text-english-small',
    embedding: Float32Array.from({ length: 8 }, (_, d) => Math.sin(i + d)),
  }));
}

const skip = skipUnlessRedis(await emptyRedisDatabase(TARGET));

describe('image-search migrate', { skip }, () => {
  let dir: string;
  let source: string;
  const lines: string[] = [];

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'migrate-test-'));
    source = `sqlite://${path.join(dir, 'index.sqlite')}`;
    const store = await ImageStore.open(source);
    await store.putBulk(records('111', 300));
    await store.putBulk(records('222', 5));
    await store.put(records('222', 6)[5]!);
    await store.remove('111', ['111-m0:a0']);
    await store.setSettings('111', { indexedChannels: ['c0', 'c1'] });
    await store.setCursor('111', 'live:c0', '123456');
    await store.close();
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('copies every record, setting and cursor, and verifies the counts', async () => {
    const code = await runCli(['migrate', '--from', source, '--to', TARGET], (line) => lines.push(line));
    assert.equal(code, 0);
    assert.match(lines[0]!, /^copied 305 records in 2 collections from sqlite:.* to redis:.*; counts verified$/);
    const target = await ImageStore.open(TARGET);
    try {
      const copied: ImageRecord[] = [];
      for await (const batch of target.loadCollection('111')) copied.push(...batch);
      assert.equal(copied.length, 299);
      assert.ok(!copied.some((record) => record.id === '111-m0:a0'), 'a removed record stays removed');
      const original = records('111', 300)[42]!;
      const copy = copied.find((record) => record.id === original.id)!;
      assert.deepEqual([...copy.embedding], [...original.embedding]);
      assert.equal(copy.source, original.source);
      assert.deepEqual(await target.getSettings('111'), { indexedChannels: ['c0', 'c1'] });
      assert.equal(await target.getCursor('111', 'live:c0'), '123456');
    } finally {
      await target.close();
    }
  });

  test('refuses to merge into a store that already holds the collections', async () => {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string) => (errors.push(chunk), true);
    try {
      assert.equal(await runCli(['migrate', '--from', source, '--to', TARGET], () => {}), 2);
    } finally {
      process.stderr.write = write;
    }
    assert.match(errors.join(''), /already holds 2 of these collections/);
  });

  test('without --to it is a usage error', async () => {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true;
    try {
      assert.equal(await runCli(['migrate', '--from', source], () => {}), 1);
    } finally {
      process.stderr.write = write;
    }
  });
});
