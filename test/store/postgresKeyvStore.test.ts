import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyv } from 'keyv';
import { openKeyv } from '../../src/store/keyvFactory.js';
import { PostgresKeyvStore } from '../../src/store/postgresKeyvStore.js';
import { keyvStoreContract } from './keyvStoreContract.js';
import {
  adminQuery,
  namedConnectionUrl,
  POSTGRES_URL,
  postgresAvailable,
  skipUnlessPostgres,
  terminateConnections,
} from '../fixtures/postgresDatabase.js';

/**
 * The PostgreSQL keyv store on a pool of its own. Every test works in a namespace of its own
 * in the shared `keyv` table (the table @keyv/postgres, which this store replaces, created).
 */

const skip = skipUnlessPostgres(await postgresAvailable());
const runId = `pgstore-${process.pid}-${Date.now().toString(36)}`;
let namespaces = 0;
const freshNamespace = (): string => `${runId}-${namespaces++}`;
const options = { connectTimeoutMs: 5000, queryTimeoutMs: 5000 };

after(async () => {
  if (skip === false) await adminQuery('DELETE FROM public.keyv WHERE starts_with(key, $1)', [runId]);
});

describe('the PostgreSQL keyv store', { skip }, () => {
  test("rows written as @keyv/postgres wrote them read back as they were, and its table's shape is kept", async () => {
    const namespace = freshNamespace();
    // keyv's own serialization under a namespace, as the earlier adapter stored it.
    await adminQuery('INSERT INTO public.keyv (key, value) VALUES ($1, $2), ($3, $4)', [
      `${namespace}:settings:1`,
      JSON.stringify({ value: { indexedChannels: ['2'] }, expires: null }),
      `${namespace}:segment:1:0`,
      JSON.stringify({ value: 'QUJD'.repeat(2000) }),
    ]);
    const keyv = await openKeyv(POSTGRES_URL, { namespace });
    try {
      assert.deepEqual(await keyv.get('settings:1'), { indexedChannels: ['2'] });
      assert.deepEqual(await keyv.getMany(['segment:1:0', 'missing']), ['QUJD'.repeat(2000), undefined]);
      await keyv.set('new', { written: 'here' });
    } finally {
      await keyv.disconnect();
    }
    const [row] = await adminQuery<{ value: string }>('SELECT value FROM public.keyv WHERE key = $1', [`${namespace}:new`]);
    assert.deepEqual((JSON.parse(row!.value) as { value: unknown }).value, { written: 'here' });
    const columns = await adminQuery<{ column_name: string; data_type: string; character_maximum_length: number | null }>(
      "SELECT column_name, data_type, character_maximum_length FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'keyv' ORDER BY ordinal_position",
    );
    assert.deepEqual(columns, [
      { column_name: 'key', data_type: 'character varying', character_maximum_length: 255 },
      { column_name: 'value', data_type: 'text', character_maximum_length: null },
    ]);
  });

  keyvStoreContract(() => {
    const ns = freshNamespace();
    return {
      openStore: () => new PostgresKeyvStore(POSTGRES_URL, options),
      openNamespace: (namespace) => new Keyv({ store: new PostgresKeyvStore(POSTGRES_URL, options), namespace }),
      openKeyv: () => openKeyv(POSTGRES_URL, { namespace: ns }),
      keyPrefix: `${ns}:`,
      foreignPrefix: `${ns}-other:`,
    };
  });

  test('two stores have pools of their own: disconnecting one leaves the other working', async () => {
    const first = new PostgresKeyvStore(POSTGRES_URL, options);
    const second = new PostgresKeyvStore(POSTGRES_URL, options);
    const ns = freshNamespace();
    await first.set(`${ns}:k`, 'v');
    await first.disconnect();
    try {
      assert.equal(await second.get(`${ns}:k`), 'v');
    } finally {
      await second.disconnect();
    }
  });

  test('connections the server ends are reported once together, and the next query opens a new one', async () => {
    const application = `${runId}-lost`;
    const lost: Error[] = [];
    const store = new PostgresKeyvStore(namedConnectionUrl(application), { ...options, onConnectionLost: (error) => lost.push(error) });
    const ns = freshNamespace();
    try {
      // Two queries at once hold two connections, both idle afterwards.
      await Promise.all([store.set(`${ns}:a`, '1'), store.set(`${ns}:b`, '2')]);
      assert.ok((await terminateConnections(application)) >= 1);
      await waitFor(() => lost.length > 0, 'the loss to be reported');
      assert.equal(await store.get(`${ns}:a`), '1');
      assert.equal(lost.length, 1, lost.map((error) => error.message).join('; '));
      assert.match(lost[0]!.message, /terminating connection/);
    } finally {
      await store.disconnect();
    }
  });
});

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
