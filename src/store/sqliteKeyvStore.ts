import { EventEmitter } from 'node:events';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/**
 * A keyv store on Node's built-in SQLite (`node:sqlite`), replacing @keyv/sqlite and its
 * native sqlite3 build. It keeps @keyv/sqlite's table exactly (`keyv(key VARCHAR(255) PRIMARY
 * KEY, value TEXT)`, keys prefixed `namespace:`), so files written by either open in the other.
 *
 * Every call is one prepared statement in autocommit, as before: one `set` is one small
 * transaction, and `getMany` reads many large values in one query. Iteration pages by key
 * (`key > last`), not by OFFSET, so it does not slow down as it goes. The calls are
 * synchronous under their promises: a read of a few megabytes or a commit's fsync holds the
 * event loop for that long, which the bot's write rate (single images) and start-up (a few
 * large segments) afford.
 */

export interface SqliteKeyvStoreOptions {
  /** How long a statement waits for another connection's lock before failing (ms). */
  busyTimeoutMs: number;
  /** Rows per query while iterating (default 1000). */
  iterationLimit?: number;
}

const TABLE = 'keyv';
/** The memory map's size: start-up's large reads skip a read() per page through it. */
const MMAP_BYTES = 2147418112;

export class SqliteKeyvStore extends EventEmitter {
  /** keyv reads `opts.dialect` to know that this store can iterate. */
  readonly opts: { dialect: 'sqlite'; url: string; table: string; iterationLimit: number };
  /** Set by keyv: the prefix `clear()` and `iterator()` are limited to. */
  namespace: string | undefined;
  private readonly db: DatabaseSync;
  private readonly statements: ReturnType<typeof prepareStatements>;

  /** Opens (creating if needed) the file; throws when it cannot be opened or is not a database. */
  constructor(file: string, options: SqliteKeyvStoreOptions) {
    super();
    this.opts = { dialect: 'sqlite', url: `sqlite://${file}`, table: TABLE, iterationLimit: options.iterationLimit ?? 1000 };
    this.db = new DatabaseSync(file, { timeout: options.busyTimeoutMs });
    try {
      // WAL: a commit is one fsync of the log instead of a rollback journal dance, and a
      // reader (say, the CLI's `stats`) does not block the writer. synchronous=FULL keeps
      // every resolved write durable across power loss, not only across a killed process.
      this.db.exec('PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL');
      this.db.exec(`PRAGMA mmap_size=${MMAP_BYTES}`);
      // @keyv/sqlite 4's statement, to the byte, so either adapter recognises the other's table.
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${TABLE}(key VARCHAR(255) PRIMARY KEY, value TEXT )`);
      this.statements = prepareStatements(this.db);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  async get(key: string): Promise<string | undefined> {
    return (this.statements.get.get(key) as { value: string } | undefined)?.value;
  }

  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    const rows = this.statements.getMany.all(JSON.stringify(keys)) as Array<{ key: string; value: string }>;
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key));
  }

  async has(key: string): Promise<boolean> {
    return this.statements.has.get(key) !== undefined;
  }

  async set(key: string, value: string): Promise<void> {
    this.statements.set.run(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return Number(this.statements.delete.run(key).changes) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return Number(this.statements.deleteMany.run(JSON.stringify(keys)).changes) > 0;
  }

  /** Deletes this namespace's keys (every key when there is no namespace). */
  async clear(): Promise<void> {
    const [from, to] = namespaceBounds(this.namespace);
    this.statements.clear.run(from, to);
  }

  /** Every key that starts with `prefix` (whole keys, namespace included): one indexed range query. */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const rows = this.statements.keysFrom.all(prefix, upperBound(prefix)) as Array<{ key: string }>;
    return rows.map((row) => row.key);
  }

  /**
   * Unmaps the pages a large read left resident: through the memory map every page read stays
   * in the process, a second copy of the store beside the index built from it. Mapping again
   * is lazy, on the next read.
   */
  releaseMappedPages(): void {
    this.db.exec('PRAGMA mmap_size=0');
    this.db.exec(`PRAGMA mmap_size=${MMAP_BYTES}`);
  }

  async *iterator(namespace?: string): AsyncGenerator<[string, string], void> {
    const [from, to] = namespaceBounds(namespace);
    let after = from;
    let inclusive = true;
    for (;;) {
      const page = (inclusive ? this.statements.pageFrom : this.statements.pageAfter).all(after, to, this.opts.iterationLimit) as Array<{
        key: string;
        value: string;
      }>;
      for (const row of page) yield [row.key, row.value];
      if (page.length < this.opts.iterationLimit) return;
      after = page.at(-1)!.key;
      inclusive = false;
    }
  }

  async disconnect(): Promise<void> {
    if (this.db.isOpen) this.db.close();
  }
}

function prepareStatements(
  db: DatabaseSync,
): Record<'get' | 'getMany' | 'has' | 'set' | 'delete' | 'deleteMany' | 'clear' | 'pageFrom' | 'pageAfter' | 'keysFrom', StatementSync> {
  const inList = `key IN (SELECT value FROM json_each(?))`;
  return {
    get: db.prepare(`SELECT value FROM ${TABLE} WHERE key = ?`),
    getMany: db.prepare(`SELECT key, value FROM ${TABLE} WHERE ${inList}`),
    has: db.prepare(`SELECT 1 FROM ${TABLE} WHERE key = ?`),
    set: db.prepare(`INSERT INTO ${TABLE} (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`),
    delete: db.prepare(`DELETE FROM ${TABLE} WHERE key = ?`),
    deleteMany: db.prepare(`DELETE FROM ${TABLE} WHERE ${inList}`),
    clear: db.prepare(`DELETE FROM ${TABLE} WHERE key >= ? AND key < ?`),
    pageFrom: db.prepare(`SELECT key, value FROM ${TABLE} WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`),
    pageAfter: db.prepare(`SELECT key, value FROM ${TABLE} WHERE key > ? AND key < ? ORDER BY key LIMIT ?`),
    keysFrom: db.prepare(`SELECT key FROM ${TABLE} WHERE key >= ? AND key < ? ORDER BY key`),
  };
}

/**
 * The key range of a namespace, `namespace:` up to (not including) `namespace;` — the next
 * character after ':' — which an index can seek, unlike LIKE (which is also case-blind).
 * Without a namespace: every key.
 */
function namespaceBounds(namespace: string | undefined): [string, string] {
  return namespace === undefined || namespace === '' ? ['', '\u{10FFFF}'] : [`${namespace}:`, `${namespace};`];
}

/** The first string after every string that starts with `prefix` (its last character, plus one). */
function upperBound(prefix: string): string {
  if (prefix === '') return '\u{10FFFF}';
  const last = prefix.codePointAt(prefix.length - 1)!;
  return prefix.slice(0, -1) + String.fromCodePoint(last + 1);
}
