import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { Keyv } from 'keyv';
import { openKeyv } from '../../src/store/keyvFactory.js';
import { SqliteKeyvStore } from '../../src/store/sqliteKeyvStore.js';
import { keyvStoreContract } from './keyvStoreContract.js';

/** The statement @keyv/sqlite 4 (the adapter this store replaces) creates its table with. */
const KEYV_SQLITE_TABLE = 'CREATE TABLE keyv(key VARCHAR(255) PRIMARY KEY, value TEXT )';

let dir = '';
let files = 0;
const freshFile = (): string => path.join(dir, `store-${files++}.sqlite`);
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'sqlite-keyv-store-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the SQLite keyv store on node:sqlite', () => {
  test('a file written by @keyv/sqlite opens and reads as it was', async () => {
    const file = freshFile();
    const earlier = new DatabaseSync(file);
    earlier.exec(`${KEYV_SQLITE_TABLE.replace('TABLE', 'TABLE IF NOT EXISTS')}`);
    // keyv's own serialization, under the bot's namespace, as the old adapter stored it.
    const insert = earlier.prepare('INSERT INTO keyv (key, value) VALUES (?, ?)');
    insert.run('image-search:settings:1', JSON.stringify({ value: { indexedChannels: ['2'] }, expires: null }));
    insert.run('image-search:segment:1:0', JSON.stringify({ value: 'QUJD'.repeat(2000) }));
    earlier.close();
    const keyv = await openKeyv(`sqlite://${file}`);
    try {
      assert.deepEqual(await keyv.get('settings:1'), { indexedChannels: ['2'] });
      assert.deepEqual(await keyv.getMany(['segment:1:0', 'missing']), ['QUJD'.repeat(2000), undefined]);
    } finally {
      await keyv.disconnect();
    }
  });

  test("a new file has exactly @keyv/sqlite's table, so the earlier adapter could read it back", async () => {
    const file = freshFile();
    const keyv = await openKeyv(`sqlite://${file}`);
    await keyv.set('k', 1);
    await keyv.disconnect();
    const raw = new DatabaseSync(file, { readOnly: true });
    try {
      const tables = raw.prepare("SELECT sql FROM sqlite_master WHERE type = 'table'").all() as Array<{ sql: string }>;
      assert.deepEqual(
        tables.map((table) => table.sql),
        [KEYV_SQLITE_TABLE],
      );
      assert.deepEqual(
        raw
          .prepare('SELECT key FROM keyv')
          .all()
          .map((row) => row.key),
        ['image-search:k'],
      );
    } finally {
      raw.close();
    }
  });

  test('the file is in WAL mode, so a reader does not block the writer', async () => {
    const file = freshFile();
    const store = new SqliteKeyvStore(file, { busyTimeoutMs: 1000 });
    await store.disconnect();
    const raw = new DatabaseSync(file, { readOnly: true });
    try {
      assert.equal(raw.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
    } finally {
      raw.close();
    }
  });

  test("iteration visits every key of its namespace once, across pages, and no other namespace's", async () => {
    const file = freshFile();
    const store = new SqliteKeyvStore(file, { busyTimeoutMs: 1000, iterationLimit: 7 });
    const mine = new Keyv({ store, namespace: 'mine' });
    const theirs = new Keyv({ store: new SqliteKeyvStore(file, { busyTimeoutMs: 1000 }), namespace: 'theirs' });
    try {
      for (let i = 0; i < 30; i++) await mine.set(`key-${i}`, i);
      await theirs.set('key-0', 'not mine');
      const seen = new Map<string, unknown>();
      for await (const [key, value] of mine.iterator!(undefined)) {
        assert.ok(!seen.has(key as string), `${key} visited twice`);
        seen.set(key as string, value);
      }
      assert.equal(seen.size, 30);
      assert.deepEqual(
        [...seen.values()].sort((a, b) => (a as number) - (b as number)),
        [...Array(30).keys()],
      );
    } finally {
      await mine.disconnect();
      await theirs.disconnect();
    }
  });

  keyvStoreContract(() => {
    const file = freshFile();
    return {
      openStore: () => new SqliteKeyvStore(file, { busyTimeoutMs: 1000 }),
      openNamespace: (namespace) => new Keyv({ store: new SqliteKeyvStore(file, { busyTimeoutMs: 1000 }), namespace }),
      openKeyv: () => openKeyv(`sqlite://${file}`),
      keyPrefix: 'ns:',
      foreignPrefix: 'other:',
    };
  });

  test('a file that is not a database is refused when opened, naming the file', async () => {
    const file = freshFile();
    await writeFile(file, 'this is not a database, just text that is long enough to have a header page');
    await assert.rejects(
      openKeyv(`sqlite://${file}`),
      (error: Error) => error.message.includes(file) && /not a database/.test(error.message),
    );
  });
});
