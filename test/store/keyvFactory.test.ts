import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {
  deserializeWrappedString,
  serializeWrappedString,
  maskStoreUrl,
  openKeyv,
  sqlitePathOf,
  storeBackendOf,
  StoreConfigError,
  StoreUnavailableError,
} from '../../src/store/keyvFactory.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'keyv-factory-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openKeyv', () => {
  test('an unknown scheme is a StoreConfigError naming the URL (password masked) and the supported schemes', async () => {
    await assert.rejects(openKeyv('mysql://bot:hunter2@db.example/images'), (error: Error) => {
      assert.ok(error instanceof StoreConfigError);
      assert.match(error.message, /mysql:\/\/bot:\*\*\*@db\.example\/images/);
      assert.doesNotMatch(error.message, /hunter2/);
      for (const scheme of ['sqlite://', 'redis://', 'rediss://', 'postgresql://', 'postgres://']) {
        assert.ok(error.message.includes(scheme), `message does not mention ${scheme}`);
      }
      return true;
    });
  });

  const unreachable = [
    ['Redis', 'redis://:sekret@127.0.0.1:1'],
    ['PostgreSQL', 'postgresql://postgres:sekret@127.0.0.1:1/test'],
  ] as const;
  for (const [server, url] of unreachable) {
    test(`an unreachable ${server} fails fast at open with host:port and what to check`, async () => {
      const started = Date.now();
      await assert.rejects(openKeyv(url, { timeoutMs: 3000 }), (error: Error) => {
        assert.ok(error instanceof StoreUnavailableError);
        assert.match(error.message, /127\.0\.0\.1:1/);
        assert.match(error.message, /check that the server is running/);
        assert.doesNotMatch(error.message, /sekret/);
        return true;
      });
      assert.ok(Date.now() - started < 3000, `took ${Date.now() - started} ms`);
    });
  }

  test('a relative sqlite:// path is resolved from the current folder, creating missing folders', async () => {
    const file = path.join(dir, 'nested', 'deeper', 'store.sqlite');
    const keyv = await openKeyv(`sqlite://${path.relative(process.cwd(), file)}`);
    try {
      await keyv.set('k', { a: 1 });
      assert.deepEqual(await keyv.get('k'), { a: 1 });
    } finally {
      await keyv.disconnect();
    }
    assert.ok((await stat(file)).isFile());
    assert.equal(sqlitePathOf('sqlite://data/images.sqlite'), path.join(process.cwd(), 'data', 'images.sqlite'));
  });

  test('a SQLite path that cannot be created is a StoreUnavailableError naming the file', async () => {
    const blocker = path.join(dir, 'a-file');
    await writeFile(blocker, 'not a folder');
    await assert.rejects(
      openKeyv(`sqlite://${path.join(blocker, 'store.sqlite')}`),
      (error: Error) => error instanceof StoreUnavailableError && error.message.includes(blocker),
    );
  });

  test('large and awkward string values round-trip through SQLite', async () => {
    const keyv = await openKeyv(`sqlite://${path.join(dir, 'values.sqlite')}`);
    const values = [
      'QUJD'.repeat(300_000), // a segment-like base64 string (the fast path)
      `:starts with a colon ${'x'.repeat(5000)}`,
      `quote " and backslash \\ and newline \n ${'y'.repeat(5000)}`,
      { nested: ['ok', 1] },
    ];
    try {
      for (const [i, value] of values.entries()) await keyv.set(`v${i}`, value);
      assert.deepEqual(await keyv.getMany(values.map((_, i) => `v${i}`)), values);
    } finally {
      await keyv.disconnect();
    }
  });
});

describe('store URL helpers', () => {
  test('each supported scheme maps to its backend', () => {
    assert.equal(storeBackendOf('sqlite://data/x.sqlite'), 'sqlite');
    assert.equal(storeBackendOf('redis://127.0.0.1:6379'), 'redis');
    assert.equal(storeBackendOf('rediss://cache.example:6380'), 'redis');
    assert.equal(storeBackendOf('postgresql://u@h/db'), 'postgres');
    assert.equal(storeBackendOf('postgres://u@h/db'), 'postgres');
  });

  test('maskStoreUrl hides only the password', () => {
    assert.equal(maskStoreUrl('postgresql://bot:p%40ss@db:5432/images'), 'postgresql://bot:***@db:5432/images');
    assert.equal(maskStoreUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(maskStoreUrl('sqlite://data/images.sqlite'), 'sqlite://data/images.sqlite');
  });

  test('the fast serializer writes what keyv itself would, and declines what needs escaping', () => {
    const big = 'QUJD'.repeat(2000);
    assert.equal(serializeWrappedString({ value: big }), JSON.stringify({ value: big }));
    assert.equal(serializeWrappedString({ value: `:${big}` }), JSON.stringify({ value: `::${big}` }));
    assert.equal(serializeWrappedString({ value: `${big}"` }), undefined);
    assert.equal(serializeWrappedString({ value: `${big}\u0001` }), undefined);
    assert.equal(serializeWrappedString({ value: `${big}\\` }), undefined);
    assert.equal(serializeWrappedString({ value: big, expires: 5 }), undefined);
  });

  test('the fast path declines values it cannot slice safely', () => {
    const big = 'A'.repeat(5000);
    assert.deepEqual(deserializeWrappedString(`{"value":"${big}"}`), { value: big });
    assert.equal(deserializeWrappedString(`{"value":"${big}\\n"}`), undefined);
    assert.equal(deserializeWrappedString(`{"value":"${big}","expires":1}`), undefined);
  });
});
