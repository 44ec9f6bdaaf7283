import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Keyv } from 'keyv';

/** A store that lists keys by prefix (src/store/storeKeyListing.ts), as both of the project's own do. */
export interface ListingStore {
  set(key: string, value: string): Promise<unknown>;
  keysWithPrefix(prefix: string): Promise<string[]>;
  disconnect(): Promise<void>;
}

/** Where one contract test works: rows there are seen by every store opened on it. */
export interface ContractPlace {
  openStore(): ListingStore;
  /** A keyv on a store of its own at this place, in the namespace given. */
  openNamespace(namespace: string): Keyv;
  openKeyv(): Promise<Keyv>;
  /** Keys of this test start with it; `foreignPrefix` starts keys that must stay out of its listings. */
  keyPrefix: string;
  foreignPrefix: string;
}

/** What the SQLite and PostgreSQL keyv stores both promise; each file calls this inside its describe. */
export function keyvStoreContract(freshPlace: () => ContractPlace): void {
  test('clear() empties only its own namespace', async () => {
    const place = freshPlace();
    const mine = place.openNamespace(`${place.keyPrefix}mine`);
    const theirs = place.openNamespace(`${place.keyPrefix}theirs`);
    try {
      await mine.set('a', 1);
      await theirs.set('a', 2);
      await mine.clear();
      assert.equal(await mine.get('a'), undefined);
      assert.equal(await theirs.get('a'), 2);
    } finally {
      await mine.disconnect();
      await theirs.disconnect();
    }
  });

  test('delete and deleteMany say whether anything was there', async () => {
    const keyv = await freshPlace().openKeyv();
    try {
      await keyv.set('a', 1);
      await keyv.set('b', 2);
      assert.equal(await keyv.delete('a'), true);
      assert.equal(await keyv.delete('a'), false);
      assert.equal(await keyv.deleteMany(['b', 'c']), true);
      assert.equal(await keyv.deleteMany(['b', 'c']), false);
      assert.equal(await keyv.has('b'), false);
    } finally {
      await keyv.disconnect();
    }
  });

  test('keysWithPrefix lists exactly the keys that start with the prefix, case and LIKE characters taken literally', async () => {
    const { keyPrefix: p, foreignPrefix, ...place } = freshPlace();
    const store = place.openStore();
    try {
      for (const key of ['c:1', 'c:2', 'C:3', 'c_x', 'c%y', 'd:1', 'c']) await store.set(`${p}${key}`, 'v');
      await store.set(`${foreignPrefix}c:1`, 'v');
      assert.deepEqual(await store.keysWithPrefix(`${p}c:`), [`${p}c:1`, `${p}c:2`]);
      assert.deepEqual(await store.keysWithPrefix(`${p}c_`), [`${p}c_x`]);
      assert.deepEqual(await store.keysWithPrefix(`${p}c%`), [`${p}c%y`]);
      assert.deepEqual(await store.keysWithPrefix(`${p}missing:`), []);
    } finally {
      await store.disconnect();
    }
  });
}
