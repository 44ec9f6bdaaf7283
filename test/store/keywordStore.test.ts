import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Keyv } from 'keyv';
import type { KeywordDocument } from '../../src/store/keywordDocument.js';
import { ImageStore } from '../../src/store/imageStore.js';
import { LostAnswerStore } from './helpers/lostAnswerStore.js';
import { KeywordStore, type KeywordStoreProblem } from '../../src/store/keywordStore.js';
import { keywordKeys } from '../../src/store/keywordStoreLayout.js';
import { openKeyv } from '../../src/store/keyvFactory.js';
import { ConcurrentWriterError, StoreReadOnlyError } from '../../src/store/storeErrors.js';
import { migrateStore } from '../../src/store/storeMigration.js';
import { stateAfter } from './helpers/keywordOperations.js';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir = '';
let files = 0;
const freshUrl = () => `sqlite://${path.join(dir, `${files++}.sqlite`)}`;

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keyword-store-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function withStore<T>(
  url: string,
  use: (store: KeywordStore, keyv: Keyv, problems: KeywordStoreProblem[]) => Promise<T>,
  compactAfter = 1024,
): Promise<T> {
  const keyv = await openKeyv(url);
  const problems: KeywordStoreProblem[] = [];
  const store = new KeywordStore(keyv, { compactAfter, onProblem: (p) => problems.push(p) });
  try {
    return await use(store, keyv, problems);
  } finally {
    await store.close();
    await keyv.disconnect();
  }
}

const byId = (documents: KeywordDocument[]) => [...documents].sort((a, b) => (a.id < b.id ? -1 : 1));

describe('KeywordStore', () => {
  test('documents survive a restart: puts, replacements and removals as last written', async () => {
    const url = freshUrl();
    await withStore(url, async (store) => {
      await store.put('g1', [
        { id: 'a', imageText: 'PINEAPPLE', fileName: 'a.png' },
        { id: 'b', messageText: 'walrus' },
      ]);
      await store.put('g1', [{ id: 'a', imageText: 'WIZARD', description: 'alt text' }]);
      await store.remove('g1', ['b']);
      await store.put('g2', [{ id: 'c', fileName: 'c.jpg' }]);
    });
    await withStore(url, async (store) => {
      assert.deepEqual(await store.load('g1'), [{ id: 'a', imageText: 'WIZARD', description: 'alt text' }]);
      assert.deepEqual(await store.load('g2'), [{ id: 'c', fileName: 'c.jpg' }]);
    });
  });

  test('compaction folds the journal into segments: start-up then reads a few large values, and nothing changes', async () => {
    const url = freshUrl();
    const expected = await withStore(
      url,
      async (store, keyv) => {
        for (let i = 0; i < 60; i++) await store.put('g', [{ id: `d${i % 40}`, imageText: `word${i}` }]);
        await store.remove('g', ['d1', 'd2']);
        await store.compact('g');
        const manifest = (await keyv.get(keywordKeys.manifest('g'))) as { journalStart: number; segments: unknown[] };
        assert.equal(manifest.segments.length, 1);
        assert.equal(manifest.journalStart, 61);
        assert.equal(await keyv.has(keywordKeys.journal('g', 0)), false, 'folded journal entries are deleted');
        return byId(await store.load('g'));
      },
      0,
    );
    assert.equal(expected.length, 38);
    await withStore(url, async (store) => assert.deepEqual(byId(await store.load('g')), expected));
  });

  test('a second writer on the same collection is refused rather than allowed to overwrite the journal', async () => {
    const url = freshUrl();
    await withStore(url, async (first) => {
      await first.put('g', [{ id: 'a', imageText: 'one' }]);
      await withStore(url, async (second) => {
        await second.put('g', [{ id: 'b', imageText: 'two' }]);
        await assert.rejects(first.put('g', [{ id: 'c', imageText: 'three' }]), ConcurrentWriterError);
      });
    });
  });

  test('an unreadable journal entry is reported and skipped at load; the rest loads', async () => {
    const url = freshUrl();
    await withStore(url, async (store, keyv) => {
      await store.put('g', [{ id: 'a', imageText: 'one' }]);
      await store.put('g', [{ id: 'b', imageText: 'two' }]);
      await keyv.set(keywordKeys.journal('g', 0), { nonsense: true });
    });
    await withStore(url, async (store, _keyv, problems) => {
      assert.deepEqual(await store.load('g'), [{ id: 'b', imageText: 'two' }]);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.key, keywordKeys.journal('g', 0));
    });
  });

  test('a drop empties the collection for good', async () => {
    const url = freshUrl();
    await withStore(url, async (store) => {
      await store.put('g', [{ id: 'a', imageText: 'one' }]);
      await store.compact('g');
      await store.put('g', [{ id: 'b', imageText: 'two' }]);
      await store.drop('g');
      assert.deepEqual(await store.load('g'), []);
      await store.put('g', [{ id: 'c', imageText: 'three' }]);
    });
    await withStore(url, async (store) => assert.deepEqual(await store.load('g'), [{ id: 'c', imageText: 'three' }]));
  });

  test('killed with SIGKILL mid-write (compacting every 8 writes), every acknowledged change is there after a restart', async () => {
    const url = freshUrl();
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'helpers/keywordWriter.ts'), url], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acked = -1;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // 'close' comes after the last of stdout, so every acknowledgement printed is counted.
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      let buffered = '';
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) acked = Number(line.slice('acked '.length));
        if (acked >= 300) resolve();
      });
      child.once('exit', () => reject(new Error(`the writer stopped by itself: ${stderr}`)));
    });
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');
    const lastAcked = acked;
    await withStore(url, async (store, keyv, problems) => {
      const manifest = (await keyv.get(keywordKeys.manifest('guild'))) as { gen: number };
      assert.ok(manifest.gen > 3, `compactions ran while the writer was alive (generation ${manifest.gen})`);
      const loaded = new Map((await store.load('guild')).map((document) => [document.id, document]));
      assert.deepEqual(problems, [], 'everything stored is readable');
      // The write in flight at the kill may or may not have landed; every acknowledged one has.
      const matches = [lastAcked, lastAcked + 1].some((last) => {
        const expected = stateAfter(last);
        return (
          expected.size === loaded.size &&
          [...expected].every(([id, document]) => JSON.stringify(loaded.get(id)) === JSON.stringify(document))
        );
      });
      assert.ok(matches, `the store holds the state after operation ${lastAcked} (or the one in flight)`);
      await store.put('guild', [{ id: 'after-restart', imageText: 'still writable' }]);
    });
    assert.equal(stderr.includes('problem'), false, stderr);
  });
});

describe('KeywordStore beside the image store', () => {
  test("it shares the image store's connection, refuses writes when that store is read-only", async () => {
    const url = freshUrl();
    const writer = await ImageStore.open(url);
    await writer.keywords.put('g', [
      { id: 'a', imageText: '' },
      { id: 'b', fileName: 'b.png' },
    ]);
    await writer.close();
    const reader = await ImageStore.open(url, { readOnly: true });
    try {
      assert.deepEqual(
        byId(await reader.keywords.load('g')),
        [
          { id: 'a', imageText: '' },
          { id: 'b', fileName: 'b.png' },
        ],
        'read but empty stays told apart from not read',
      );
      await assert.rejects(reader.keywords.put('g', [{ id: 'c', fileName: 'c.png' }]), StoreReadOnlyError);
      await assert.rejects(reader.keywords.remove('g', ['a']), StoreReadOnlyError);
    } finally {
      await reader.close();
    }
  });

  test('migrating a store copies the words of its images', async () => {
    const from = await ImageStore.open(freshUrl());
    const to = await ImageStore.open(freshUrl());
    try {
      await from.put({
        id: 'a',
        collection: 'g',
        channelId: 'c',
        messageId: 'm',
        attachmentId: 'a',
        authorId: 'u',
        createdAt: 1,
        source: 'a.png',
        contentHash: 'h'.repeat(64),
        perceptualHash: undefined,
        modelId: 'm',
        embedding: new Float32Array([1, 0]),
      });
      await from.keywords.put('g', [{ id: 'a', imageText: 'PINEAPPLE', messageText: 'look' }]);
      await migrateStore(from, to);
      assert.deepEqual(await to.keywords.load('g'), [{ id: 'a', imageText: 'PINEAPPLE', messageText: 'look' }]);
    } finally {
      await from.close();
      await to.close();
    }
  });

  test('a journal write stored though reported failed is taken as its own: writing goes on, nothing twice', async () => {
    const lost = new LostAnswerStore();
    const keyv = new Keyv({ store: lost, throwOnErrors: true });
    const store = new KeywordStore(keyv, {});
    await store.put('g', [{ id: 'a', fileName: 'a.png' }]);
    lost.loseNextAnswer = true;
    await assert.rejects(store.put('g', [{ id: 'b', fileName: 'b.png' }]), /answer came/);
    await store.put('g', [{ id: 'b', fileName: 'b.png' }]);
    await store.put('g', [{ id: 'c', fileName: 'c.png' }]);
    const reread = await new KeywordStore(keyv, {}).load('g');
    assert.deepEqual(reread.map((document) => document.id).sort(), ['a', 'b', 'c']);
  });
});
