import { EventEmitter } from 'node:events';
import pg from 'pg';

/**
 * A keyv store on PostgreSQL through a `pg` pool of its own, replacing @keyv/postgres. That
 * adapter keeps one module-wide pool with no 'error' listener: PostgreSQL ending an idle
 * connection (a server restart, pg_terminate_backend, a proxy's idle cut) made the pool emit
 * 'error', which ended the whole process. Here every connection the pool holds is listened to:
 * a lost one is reported (onConnectionLost) and dropped by the pool, and the next query opens
 * another. Each query is bounded (query_timeout), and so is connecting.
 *
 * The table is @keyv/postgres's, to the byte (`public.keyv(key VARCHAR(255) PRIMARY KEY, value
 * TEXT)`, keys prefixed `namespace:`), so stores written by either open in the other.
 */

export interface PostgresKeyvStoreOptions {
  /** How long connecting may take (ms). */
  connectTimeoutMs: number;
  /** How long one query may wait for its answer (ms); the connection is dropped after that. */
  queryTimeoutMs: number;
  /** Connections at most (default 4). */
  maxConnections?: number;
  /**
   * Told that the server or the network ended an idle connection: once for all those lost
   * together (a restart ends them all), then again only after a query has succeeded.
   */
  onConnectionLost?: (error: Error) => void;
}

const TABLE = 'keyv';
const SCHEMA = 'public';
const QUALIFIED = `${SCHEMA}.${TABLE}`;
/** @keyv/postgres 2's statement, so either adapter recognises the other's table. */
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${QUALIFIED}(key VARCHAR(255) PRIMARY KEY, value TEXT )`;
/** Two processes creating the table at once: one of them sees one of these, and the table is there. */
const ALREADY_CREATED = new Set(['23505', '42P07']);

export class PostgresKeyvStore extends EventEmitter {
  /** What keyv and storeKeyListing read: the dialect, and where the rows are. */
  readonly opts: { dialect: 'postgres'; url: string; table: string; schema: string };
  /** Set by keyv: the prefix `clear()` is limited to. */
  namespace: string | undefined;
  private readonly pool: pg.Pool;
  private tableReady: Promise<void> | undefined;
  /** A lost connection was reported and no query has succeeded since. */
  private lossReported = false;

  constructor(url: string, options: PostgresKeyvStoreOptions) {
    super();
    this.opts = { dialect: 'postgres', url, table: TABLE, schema: SCHEMA };
    this.pool = new pg.Pool({
      connectionString: url,
      connectionTimeoutMillis: options.connectTimeoutMs,
      query_timeout: options.queryTimeoutMs,
      max: options.maxConnections ?? 4,
      // A peer that vanished without closing (a cut network) is noticed by TCP keep-alive.
      keepAlive: true,
    });
    // Without this listener, an idle connection's error is an uncaught 'error' event: the process ends.
    this.pool.on('error', (error) => {
      if (this.lossReported) return;
      this.lossReported = true;
      options.onConnectionLost?.(error);
    });
  }

  /** Runs one statement on a pooled connection (creating the table first, once); its rows. */
  async query<Row extends pg.QueryResultRow = Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<Row[]> {
    await this.ensureTable();
    const { rows } = await this.pool.query<Row>(sql, values);
    this.lossReported = false;
    return rows;
  }

  async get(key: string): Promise<string | undefined> {
    const rows = await this.query<{ value: string }>(`SELECT value FROM ${QUALIFIED} WHERE key = $1`, [key]);
    return rows[0]?.value;
  }

  async getMany(keys: string[]): Promise<Array<string | undefined>> {
    const rows = await this.query<{ key: string; value: string }>(`SELECT key, value FROM ${QUALIFIED} WHERE key = ANY($1)`, [keys]);
    const byKey = new Map(rows.map((row) => [row.key, row.value]));
    return keys.map((key) => byKey.get(key));
  }

  async has(key: string): Promise<boolean> {
    return (await this.query(`SELECT 1 FROM ${QUALIFIED} WHERE key = $1`, [key])).length > 0;
  }

  async set(key: string, value: string): Promise<void> {
    await this.query(`INSERT INTO ${QUALIFIED} (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [
      key,
      value,
    ]);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.query(`DELETE FROM ${QUALIFIED} WHERE key = $1 RETURNING 1`, [key])).length > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (await this.query(`DELETE FROM ${QUALIFIED} WHERE key = ANY($1) RETURNING 1`, [keys])).length > 0;
  }

  /** Deletes this namespace's keys (every key when there is no namespace). */
  async clear(): Promise<void> {
    if (this.namespace === undefined || this.namespace === '') await this.query(`DELETE FROM ${QUALIFIED}`);
    else await this.query(`DELETE FROM ${QUALIFIED} WHERE starts_with(key, $1)`, [`${this.namespace}:`]);
  }

  /** Every key that starts with `prefix` (whole keys, namespace included). */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    const rows = await this.query<{ key: string }>(`SELECT key FROM ${QUALIFIED} WHERE starts_with(key, $1) ORDER BY key`, [prefix]);
    return rows.map((row) => row.key);
  }

  /** Ends every connection of this store's own pool (no other store's). */
  async disconnect(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }

  private ensureTable(): Promise<void> {
    this.tableReady ??= this.pool.query(CREATE_TABLE).then(
      () => undefined,
      (error: unknown) => {
        if (ALREADY_CREATED.has((error as { code?: string }).code ?? '')) return;
        this.tableReady = undefined; // asked again on the next query
        throw error;
      },
    );
    return this.tableReady;
  }
}
