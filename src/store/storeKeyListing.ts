import type { Keyv } from 'keyv';
import type { StoreBackend } from './keyvFactory.js';
import type { PostgresKeyvStore } from './postgresKeyvStore.js';
import type { SqliteKeyvStore } from './sqliteKeyvStore.js';

/**
 * Every key of the store (inside its namespace) that starts with `prefix`: one query on
 * SQLite and PostgreSQL, a SCAN on Redis. keyv itself can only iterate whole namespaces, values
 * included, ten rows a query; this reads keys only. Used for small key families, such as the
 * collections' registration markers, which no two processes ever write at once.
 */
export async function listKeys(keyv: Keyv, backend: StoreBackend, prefix: string): Promise<string[]> {
  if (backend === 'redis') return listRedisKeys(keyv, prefix);
  const namespaced = keyv.namespace === undefined ? prefix : `${keyv.namespace}:${prefix}`;
  const keys = await (keyv.store as SqliteKeyvStore | PostgresKeyvStore).keysWithPrefix(namespaced);
  return keys.filter((key) => key.startsWith(namespaced)).map((key) => key.slice(namespaced.length - prefix.length));
}

interface RedisAdapter {
  namespace: string | undefined;
  createKeyPrefix(key: string, namespace: string | undefined): string;
  getMasterNodes(): Promise<
    { scan(cursor: string, options: { MATCH: string; COUNT: number }): Promise<{ cursor: string | number; keys: string[] }> }[]
  >;
}

async function listRedisKeys(keyv: Keyv, prefix: string): Promise<string[]> {
  const adapter = keyv.store as RedisAdapter;
  const namespaced = adapter.createKeyPrefix(prefix, adapter.namespace);
  const match = `${namespaced.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
  const keys = new Set<string>();
  for (const client of await adapter.getMasterNodes()) {
    let cursor = '0';
    do {
      const page = await client.scan(cursor, { MATCH: match, COUNT: 1000 });
      cursor = String(page.cursor);
      for (const key of page.keys) keys.add(key.slice(namespaced.length - prefix.length));
    } while (cursor !== '0');
  }
  return [...keys];
}
