import { test, describe, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ImageRecord } from '../../src/store/imageRecord.js';
import { ImageStore, type ImageStoreOptions, type StoreProblem } from '../../src/store/imageStore.js';
import { openKeyv } from '../../src/store/keyvFactory.js';
import { ConcurrentWriterError, SchemaTooNewError, StoreMissingError, StoreReadOnlyError } from '../../src/store/storeErrors.js';
import { InvalidCollectionError } from '../../src/store/storeKeys.js';

/**
 * One behaviour suite, run against every backend. A server backend is skipped (saying
 * why) only when its server is absent and CI is not set; in CI its absence fails.
 */

interface Backend {
  name: 'sqlite' | 'redis' | 'postgres';
  /** A URL for a fresh, empty store (with the namespace below). */
  freshUrl(): Promise<string>;
  port?: number;
}

const runId = `t${process.pid}x${Date.now().toString(36)}`;
let tempDir = '';
const namespaces: { url: string; namespace: string }[] = [];

const backends: Backend[] = [
  { name: 'sqlite', freshUrl: async () => `sqlite://${path.join(tempDir, `${namespaces.length}.sqlite`)}` },
  { name: 'redis', freshUrl: async () => 'redis://127.0.0.1:6379', port: 6379 },
  { name: 'postgres', freshUrl: async () => 'postgresql://postgres@127.0.0.1:5432/test', port: 5432 },
];

function reachable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

const availability = new Map<string, boolean>();
for (const backend of backends) availability.set(backend.name, backend.port === undefined || (await reachable(backend.port)));

before(async () => {
  tempDir = await mkdtemp(path.join(os.tmpdir(), 'image-store-test-'));
});

after(async () => {
  for (const { url, namespace } of namespaces) {
    if (url.startsWith('sqlite:')) continue;
    const keyv = await openKeyv(url, { namespace });
    await keyv.clear();
    await keyv.disconnect();
  }
  await rm(tempDir, { recursive: true, force: true });
});

let counter = 0;
function record(collection: string, n: number, overrides: Partial<ImageRecord> = {}): ImageRecord {
  const messageId = `11${String(n).padStart(17, '0')}`;
  const attachmentId = `12${String(n).padStart(17, '0')}`;
  const embedding = new Float32Array(8);
  for (let i = 0; i < embedding.length; i++) embedding[i] = Math.sin(n * 31 + i) * (i % 2 === 0 ? 1 : -1e-20);
  return {
    id: `${messageId}:${attachmentId}`,
    collection,
    channelId: `13${String(n % 3).padStart(17, '0')}`,
    messageId,
    attachmentId,
    authorId: `14${String(n % 5).padStart(17, '0')}`,
    createdAt: 1_700_000_000_000 + n,
    source: `https://cdn.example/attachments/${attachmentId}/image-${n}.png`,
    contentHash: (n * 7919).toString(16).padStart(64, '0'),
    perceptualHash: undefined,
    modelId: 'test-model',
    embedding,
    ...overrides,
  };
}

async function loadAll(store: ImageStore, collection: string): Promise<Map<string, ImageRecord>> {
  const loaded = new Map<string, ImageRecord>();
  for await (const batch of store.loadCollection(collection)) {
    for (const r of batch) {
      assert.ok(!loaded.has(r.id), `record ${r.id} was loaded twice`);
      loaded.set(r.id, r);
    }
  }
  return loaded;
}

function assertSameRecords(actual: Map<string, ImageRecord>, expected: readonly ImageRecord[]): void {
  assert.deepEqual([...actual.keys()].sort(), expected.map((r) => r.id).sort());
  for (const want of expected) {
    const got = actual.get(want.id) as ImageRecord;
    const { embedding, ...fields } = got;
    const { embedding: wantEmbedding, ...wantFields } = want;
    assert.deepEqual(fields, wantFields);
    assert.deepEqual(
      Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength),
      Buffer.from(wantEmbedding.buffer, wantEmbedding.byteOffset, wantEmbedding.byteLength),
      `embedding of ${want.id} differs`,
    );
  }
}

for (const backend of backends) {
  const up = availability.get(backend.name) === true;
  const skip = !up && !process.env.CI ? `${backend.name} is not running on 127.0.0.1:${backend.port}` : false;
  if (skip) console.log(`# skipping the ${backend.name} store suite: ${skip}`);

  describe(`ImageStore on ${backend.name}`, { skip }, () => {
    const opened: { close(): Promise<unknown> }[] = [];
    // A failed assertion must not leave a connection open (the test file would hang).
    afterEach(async () => {
      for (const handle of opened.splice(0)) await handle.close().catch(() => undefined);
    });

    /** The store's keyv itself, for reading and planting keys behind the store's back. */
    async function rawKeyv(url: string, namespace: string) {
      const keyv = await openKeyv(url, { namespace });
      let closed: Promise<void> | undefined;
      const disconnect = keyv.disconnect.bind(keyv);
      keyv.disconnect = () => (closed ??= disconnect());
      opened.push({ close: () => keyv.disconnect() });
      return keyv;
    }

    /** Opens a fresh store (its own namespace) and returns how to reopen it. */
    async function fresh(options: ImageStoreOptions = {}) {
      const url = await backend.freshUrl();
      const namespace = `${runId}-${++counter}`;
      namespaces.push({ url, namespace });
      const open = async (more: ImageStoreOptions = {}) => {
        const store = await ImageStore.open(url, { namespace, ...options, ...more });
        opened.push(store);
        return store;
      };
      return { url, namespace, open, store: await open() };
    }

    test('a put record loads back with every field, its embedding bit-exact', async () => {
      const { store } = await fresh();
      const r = record('g1', 1, { source: '/home/zoë/Bilder/🌈 rainbow.jpg', id: 'folder/🌈.jpg' });
      await store.put(r);
      assertSameRecords(await loadAll(store, 'g1'), [r]);
      await store.close();
    });

    test('putting the same id again replaces the record', async () => {
      const { store } = await fresh();
      await store.put(record('g1', 1));
      const updated = record('g1', 1, { contentHash: 'f'.repeat(64), modelId: 'other-model' });
      await store.put(updated);
      assertSameRecords(await loadAll(store, 'g1'), [updated]);
      await store.close();
    });

    test('remove hides the removed records, compacted or not, and keeps the rest', async () => {
      const { store } = await fresh({ compactAfter: 0 });
      const records = [1, 2, 3, 4, 5].map((n) => record('g1', n));
      await store.putMany(records.slice(0, 3));
      await store.compact('g1'); // 1-3 now live in a segment, 4-5 in the journal
      await store.putMany(records.slice(3));
      await store.remove('g1', [records[1]!.id, records[3]!.id, 'never-stored']);
      assertSameRecords(await loadAll(store, 'g1'), [records[0]!, records[2]!, records[4]!]);
      await store.close();
    });

    test('records survive closing and reopening the store', async () => {
      const { store, open } = await fresh();
      const records = [1, 2, 3].map((n) => record('g1', n));
      for (const r of records) await store.put(r);
      await store.remove('g1', [records[0]!.id]);
      await store.close();
      const reopened = await open();
      assertSameRecords(await loadAll(reopened, 'g1'), records.slice(1));
      assert.deepEqual(await reopened.collections(), ['g1']);
      await reopened.close();
    });

    test('compaction keeps every record, with updates and deletes applied, across reopening', async () => {
      const { store, open } = await fresh({ maxSegmentRecords: 4, compactAfter: 0 });
      const expected = new Map<string, ImageRecord>();
      for (let n = 0; n < 14; n++) {
        const r = record('g1', n);
        await store.put(r);
        expected.set(r.id, r);
      }
      await store.compact('g1');
      for (const n of [0, 1, 2, 5, 9]) {
        await store.remove('g1', [record('g1', n).id]);
        expected.delete(record('g1', n).id);
      }
      const updated = record('g1', 7, { contentHash: 'e'.repeat(64) });
      await store.put(updated);
      expected.set(updated.id, updated);
      await store.compact('g1');
      const info = await store.info('g1');
      assert.equal(info.journalEntries, 0);
      assert.equal(info.segmentRecords, expected.size);
      assertSameRecords(await loadAll(store, 'g1'), [...expected.values()]);
      await store.close();
      const reopened = await open();
      assertSameRecords(await loadAll(reopened, 'g1'), [...expected.values()]);
      await reopened.compact('g1'); // a no-op compaction changes nothing
      assertSameRecords(await loadAll(reopened, 'g1'), [...expected.values()]);
      await reopened.close();
    });

    test('a crash between writing segments and switching the manifest leaves the store as it was', async () => {
      const { url, namespace, store, open } = await fresh({ maxSegmentRecords: 3, compactAfter: 0 });
      const first = [0, 1, 2, 3, 4].map((n) => record('g1', n));
      await store.putMany(first);
      await store.compact('g1');
      const later = [5, 6].map((n) => record('g1', n));
      for (const r of later) await store.put(r);
      await store.remove('g1', [first[0]!.id]);
      const expected = [...first.slice(1), ...later];
      const crash = new Error('simulated crash before the manifest switch');
      await assert.rejects(
        store.compact('g1', {
          beforeManifest: () => {
            throw crash;
          },
        }),
        crash,
      );
      await store.close();
      // The crash came after the new segments were written: they exist, unnamed by the manifest.
      const raw = await rawKeyv(url, namespace);
      const manifest = (await raw.get('m:g1')) as { nextSegment: number; segments: { n: number }[] };
      assert.notEqual(await raw.get(`s:g1:${manifest.nextSegment}`), undefined, 'no orphaned segment was left');
      assert.ok(manifest.segments.every((s) => s.n < manifest.nextSegment));
      await raw.disconnect();

      const reopened = await open();
      assertSameRecords(await loadAll(reopened, 'g1'), expected);
      const more = record('g1', 8);
      await reopened.put(more); // the journal continues where it was
      await reopened.compact('g1'); // and compaction overwrites the orphaned segments
      await reopened.close();
      const again = await open();
      assertSameRecords(await loadAll(again, 'g1'), [...expected, more]);
      await again.close();
    });

    test('compaction deletes the journal entries and segments it replaced', async () => {
      const { url, namespace, store } = await fresh({ maxSegmentRecords: 4, compactAfter: 0 });
      for (let n = 0; n < 6; n++) await store.put(record('g1', n));
      await store.compact('g1'); // segments 0 (4 records) and 1 (2 records)
      await store.put(record('g1', 6));
      await store.compact('g1'); // tops up the last segment: 1 is replaced by 2
      await store.close();
      const raw = await rawKeyv(url, namespace);
      const manifest = (await raw.get('m:g1')) as { segments: { n: number }[]; nextSegment: number; journalStart: number };
      const live = new Set(manifest.segments.map((s) => s.n));
      for (let n = 0; n < manifest.nextSegment; n++) {
        assert.equal((await raw.get(`s:g1:${n}`)) !== undefined, live.has(n), `segment ${n}`);
      }
      for (let seq = 0; seq < manifest.journalStart; seq++) assert.equal(await raw.get(`j:g1:${seq}`), undefined, `journal ${seq}`);
      await raw.disconnect();
    });

    test('background compaction runs after compactAfter journal entries', async () => {
      const { store, open } = await fresh({ compactAfter: 5, maxSegmentRecords: 4 });
      const records = Array.from({ length: 12 }, (_, n) => record('g1', n));
      for (const r of records) await store.put(r);
      await store.close(); // waits for the compaction under way
      const reopened = await open();
      const info = await reopened.info('g1');
      assert.ok(info.segments > 0, 'nothing was compacted');
      assert.ok(info.journalEntries < 5, `journal still holds ${info.journalEntries} entries`);
      assertSameRecords(await loadAll(reopened, 'g1'), records);
      await reopened.close();
    });

    test('loading reports progress, ending at the exact number of records', async () => {
      const { store } = await fresh({ maxSegmentRecords: 2, compactAfter: 0 });
      await store.putMany([1, 2, 3, 4, 5].map((n) => record('g1', n)));
      await store.compact('g1');
      await store.put(record('g1', 6));
      await store.put(record('g1', 2, { contentHash: 'c'.repeat(64) })); // an update: one record, not two
      const seen: [number, number | undefined][] = [];
      for await (const batch of store.loadCollection('g1', (loaded, total) => seen.push([loaded, total]))) void batch;
      assert.deepEqual(seen.at(-1), [6, 6]);
      assert.ok(
        seen.every(([loaded], i) => i === 0 || loaded >= seen[i - 1]![0]),
        JSON.stringify(seen),
      );
      await store.close();
    });

    test('two collections are independent', async () => {
      const { store } = await fresh();
      const a = [1, 2].map((n) => record('guild-a', n));
      const b = [1, 2].map((n) => record('guild-b', n)); // same ids, other collection
      await store.putMany([...a, ...b]);
      await store.remove('guild-a', [a[0]!.id]);
      assertSameRecords(await loadAll(store, 'guild-b'), b);
      await store.dropCollection('guild-b');
      assertSameRecords(await loadAll(store, 'guild-a'), [a[1]!]);
      assert.deepEqual(await store.collections(), ['guild-a']);
      await store.close();
    });

    test('dropping a collection removes its records, settings and cursors for good', async () => {
      const { store, open } = await fresh({ compactAfter: 0 });
      await store.putMany([1, 2, 3].map((n) => record('g1', n)));
      await store.compact('g1');
      await store.put(record('g1', 4));
      await store.setSettings('g1', { channels: ['1'] });
      await store.setCursor('g1', 'c1', { before: '5' });
      await store.dropCollection('g1');
      assert.equal((await loadAll(store, 'g1')).size, 0);
      await store.close();
      const reopened = await open();
      assert.equal((await loadAll(reopened, 'g1')).size, 0);
      assert.deepEqual(await reopened.collections(), []);
      assert.equal(await reopened.getSettings('g1'), undefined);
      assert.equal(await reopened.getCursor('g1', 'c1'), undefined);
      const back = record('g1', 9);
      await reopened.put(back); // a dropped collection can be filled again
      assertSameRecords(await loadAll(reopened, 'g1'), [back]);
      await reopened.close();
    });

    test('settings and cursors round-trip, and a cursor can be deleted', async () => {
      const { store, open } = await fresh();
      assert.equal(await store.getSettings('g1'), undefined);
      await store.setSettings('g1', { channels: ['1', '2'], nsfw: false });
      await store.setCursor('g1', 'chan-1', { before: '123', done: 40 });
      await store.setCursor('g1', 'chan-2', 'x');
      await store.deleteCursor('g1', 'chan-2');
      await store.close();
      const reopened = await open();
      assert.deepEqual(await reopened.getSettings('g1'), { channels: ['1', '2'], nsfw: false });
      assert.deepEqual(await reopened.getCursor('g1', 'chan-1'), { before: '123', done: 40 });
      assert.equal(await reopened.getCursor('g1', 'chan-2'), undefined);
      assert.deepEqual(await reopened.cursors('g1'), { 'chan-1': { before: '123', done: 40 } });
      assert.equal(await reopened.getSettings('g2'), undefined);
      await reopened.close();
    });

    test('a store written by a newer schema is refused with an upgrade message', async () => {
      const { url, namespace, store, open } = await fresh();
      await store.close();
      const raw = await rawKeyv(url, namespace);
      await raw.set('schema', { version: 3, writtenBy: 'image-search-bot 9.0.0' });
      await raw.disconnect();
      await assert.rejects(
        open(),
        (error: Error) =>
          error instanceof SchemaTooNewError && /written by schema v3.*understands up to v1; upgrade the bot/.test(error.message),
      );
    });

    test('a segment that cannot be read is reported with its record count, and the rest still loads', async () => {
      const problems: StoreProblem[] = [];
      const { url, namespace, store, open } = await fresh({ maxSegmentRecords: 2, compactAfter: 0 });
      const records = [1, 2, 3, 4].map((n) => record('g1', n));
      await store.putMany(records);
      await store.compact('g1');
      await store.close();
      const raw = await rawKeyv(url, namespace);
      await raw.set('s:g1:0', 'bm90IGEgc2VnbWVudA==');
      await raw.disconnect();
      const reopened = await open({ onProblem: (p) => problems.push(p) });
      const loaded = await loadAll(reopened, 'g1');
      assert.equal(loaded.size, 2);
      assert.equal(problems.length, 1);
      assert.deepEqual({ key: problems[0]!.key, records: problems[0]!.records }, { key: 's:g1:0', records: 2 });
      await reopened.close();
    });

    test('the store warns exactly when the server could lose writes it acknowledged', async () => {
      const { url, namespace, store } = await fresh();
      const raw = await rawKeyv(url, namespace);
      let atRisk = false;
      if (backend.name === 'redis') {
        const client = await (raw.store as { getClient(): Promise<{ configGet(k: string): Promise<Record<string, string>> }> }).getClient();
        atRisk = (await client.configGet('appendonly')).appendonly === 'no';
      } else if (backend.name === 'postgres') {
        const rows = await (raw.store as { query(sql: string): Promise<{ synchronous_commit: string }[]> }).query(
          'SHOW synchronous_commit',
        );
        atRisk = rows[0]?.synchronous_commit === 'off';
      }
      await raw.disconnect();
      assert.equal(store.warnings.length > 0, atRisk, store.warnings.join('; '));
      await store.close();
    });

    test('a collection name that could collide with another is refused', async () => {
      const { store } = await fresh();
      await assert.rejects(store.put(record('a:b', 1)), InvalidCollectionError);
      await assert.rejects(store.getSettings('../x'), InvalidCollectionError);
      assert.deepEqual(await store.collections(), []);
      await store.close();
    });

    test('two stores registering collections at the same moment list every one of them', async () => {
      const { store, open } = await fresh();
      const other = await open();
      const names = (prefix: string) => Array.from({ length: 12 }, (_, i) => `${prefix}-${i}`);
      // Each store writes its own collections (one writer per collection), all at once.
      await Promise.all([
        ...names('shard-a').map((collection, i) => store.put(record(collection, i))),
        ...names('shard-b').map((collection, i) => other.put(record(collection, i))),
      ]);
      const reader = await open();
      assert.deepEqual(await reader.collections(), [...names('shard-a'), ...names('shard-b')].sort());
      await Promise.all([store.close(), other.close(), reader.close()]);
    });

    test('a collection listed by an older store version stays listed, and dropping it unlists it', async () => {
      const { url, namespace, store, open } = await fresh();
      await store.put(record('new-guild', 1));
      await store.close();
      const raw = await rawKeyv(url, namespace);
      await raw.set('collections', ['old-guild']);
      await raw.disconnect();
      const reopened = await open();
      assert.deepEqual(await reopened.collections(), ['new-guild', 'old-guild']);
      await reopened.dropCollection('old-guild');
      assert.deepEqual(await reopened.collections(), ['new-guild']);
      await reopened.close();
    });

    test('a store opened read-only writes nothing, not even to an empty server, and refuses writes', async () => {
      const { url, namespace, store, open } = await fresh();
      await store.close();
      const raw = await rawKeyv(url, namespace);
      await raw.clear();
      const reader = await open({ readOnly: true });
      assert.deepEqual(await reader.collections(), []);
      await assert.rejects(reader.put(record('g1', 1)), StoreReadOnlyError);
      await assert.rejects(reader.setCursor('g1', 'c', 1), StoreReadOnlyError);
      await reader.close();
      assert.equal(await raw.get('schema'), undefined, 'the read-only open wrote the schema key');
      await assert.rejects(open({ readOnly: true, mustExist: true }), StoreMissingError);
      await raw.disconnect();
    });

    test('a second writer on the same collection is detected instead of overwriting', async () => {
      const { store, open } = await fresh();
      await store.put(record('g1', 1));
      const other = await open();
      await other.put(record('g1', 2)); // the other process's view is current, so its write lands
      await assert.rejects(store.put(record('g1', 3)), ConcurrentWriterError);
      await assert.rejects(store.put(record('g1', 4)), ConcurrentWriterError); // and stays refused
      assertSameRecords(await loadAll(other, 'g1'), [record('g1', 1), record('g1', 2)]);
      await other.close();
      await store.close();
    });
  });
}

describe('ImageStore on a SQLite file that does not exist', () => {
  test('a read-only open fails naming the file, and creates neither the file nor its folder', async () => {
    const folder = path.join(tempDir, 'no', 'such', 'dir');
    const url = `sqlite://${path.join(folder, 'x.sqlite')}`;
    await assert.rejects(
      ImageStore.open(url, { readOnly: true }),
      (error: Error) => error instanceof StoreMissingError && error.message.includes(path.join(folder, 'x.sqlite')),
    );
    await assert.rejects(stat(path.join(tempDir, 'no')), { code: 'ENOENT' });
  });
});

describe('ImageStore durability', () => {
  test('every write whose promise resolved survives a SIGKILL of the writing process', async () => {
    const url = `sqlite://${path.join(tempDir, 'killed.sqlite')}`;
    const storeModule = new URL('../../src/store/imageStore.ts', import.meta.url).pathname;
    // The child writes records (compacting every 10 writes) and prints each id once its put resolved.
    const script = `
      import { ImageStore } from ${JSON.stringify(storeModule)};
      const store = await ImageStore.open(${JSON.stringify(url)}, { compactAfter: 10, maxSegmentRecords: 8 });
      for (let n = 0; n < 5000; n++) {
        const id = 'img-' + n;
        await store.put({ id, collection: 'g1', channelId: 'c', messageId: '', attachmentId: '', authorId: 'a',
          createdAt: n, source: '/x/' + n, contentHash: 'h', modelId: 'm', embedding: Float32Array.of(n, -n) });
        process.stdout.write(id + '\\n');
      }`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acknowledged: string[] = [];
    let pending = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      acknowledged.push(...lines);
      if (acknowledged.length >= 40) child.kill('SIGKILL');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const signal = await exited;
    clearTimeout(timer);
    assert.equal(signal, 'SIGKILL');
    assert.ok(acknowledged.length >= 40, `the child acknowledged only ${acknowledged.length} writes`);

    const store = await ImageStore.open(url);
    let loaded: Map<string, ImageRecord>;
    try {
      loaded = await loadAll(store, 'g1');
    } finally {
      await store.close();
    }
    const lost = acknowledged.filter((id) => !loaded.has(id));
    assert.deepEqual(lost, [], `${lost.length} acknowledged writes were lost`);
  });
});
