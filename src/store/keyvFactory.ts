import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { Keyv } from 'keyv';
import KeyvRedis from '@keyv/redis';
import { logger } from '../logger.js';
import { PostgresKeyvStore } from './postgresKeyvStore.js';
import { SqliteKeyvStore } from './sqliteKeyvStore.js';
import { boundOperations, StoreOutageLog, type StoreDescription } from './boundedOperations.js';
import { StoreUnavailableError } from './storeUnavailable.js';

export { StoreUnavailableError } from './storeUnavailable.js';

/**
 * Turns a store URL into a connected keyv, proven by a real round trip, so that a
 * wrong URL or a server that is down fails at start-up with a clear message
 * instead of on the first write (or never, as a hang).
 */

export type StoreBackend = 'sqlite' | 'redis' | 'postgres';

export const SUPPORTED_SCHEMES = ['sqlite://', 'redis://', 'rediss://', 'postgresql://', 'postgres://'] as const;

/** The store URL cannot be used as written (unknown scheme, malformed). */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

export interface OpenKeyvOptions {
  /** Key prefix separating this application's keys from others' in a shared database (default 'image-search'). */
  namespace?: string;
  /** How long connecting plus the first round trip may take before StoreUnavailableError (default 5000 ms). */
  timeoutMs?: number;
  /** How long any later operation may take before StoreUnavailableError (default 30000 ms). */
  operationTimeoutMs?: number;
}

export const DEFAULT_NAMESPACE = 'image-search';
const DEFAULT_TIMEOUT_MS = 5000;
/**
 * Long enough for a window of large segments (tens of MB each) over a slow link; a server that
 * is down is found out much sooner (a refused connection fails at once, Redis fails commands at
 * once while it reconnects, and connecting is bounded by the open timeout).
 */
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
/** Advice when a server does not answer. */
const CHECK_SERVER = 'check that the server is running and reachable from here';

/** The URL with any password replaced by ***, safe to log or show. */
export function maskStoreUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)([^@/?#]*)@/i, (_m, head: string) => `${head}***@`);
}

export function storeBackendOf(url: string): StoreBackend {
  const lower = url.trim().toLowerCase();
  if (lower.startsWith('sqlite://')) return 'sqlite';
  if (lower.startsWith('redis://') || lower.startsWith('rediss://')) return 'redis';
  if (lower.startsWith('postgresql://') || lower.startsWith('postgres://')) return 'postgres';
  throw new StoreConfigError(
    `unsupported store URL "${maskStoreUrl(url)}": use one of ${SUPPORTED_SCHEMES.join(', ')} ` +
      '(for example sqlite://data/images.sqlite, redis://127.0.0.1:6379, postgresql://user@127.0.0.1:5432/db)',
  );
}

/** The file an sqlite:// URL names, resolved against the current directory ('sqlite:///abs' is absolute). */
export function sqlitePathOf(url: string): string {
  const rest = url.trim().slice('sqlite://'.length);
  if (rest.length === 0) throw new StoreConfigError('sqlite:// URL names no file: write sqlite://data/images.sqlite');
  if (rest === ':memory:') return rest;
  return path.resolve(rest);
}

export async function openKeyv(url: string, options: OpenKeyvOptions = {}): Promise<Keyv> {
  const backend = storeBackendOf(url);
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  const timeouts = { open: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, operation: options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS };
  switch (backend) {
    case 'sqlite':
      return openSqlite(url, namespace, timeouts);
    case 'redis':
      return openRedis(url, namespace, timeouts);
    case 'postgres':
      return openPostgres(url, namespace, timeouts);
  }
}

interface Timeouts {
  open: number;
  operation: number;
}

async function openSqlite(url: string, namespace: string, timeouts: Timeouts): Promise<Keyv> {
  const file = sqlitePathOf(url);
  if (file !== ':memory:') {
    await mkdir(path.dirname(file), { recursive: true }).catch((error: unknown) => {
      throw new StoreUnavailableError(
        `cannot create the folder for the SQLite store ${file}: ${describe(error)}; check the path in the store URL and its permissions`,
        { cause: error },
      );
    });
  }
  let adapter: SqliteKeyvStore;
  try {
    adapter = new SqliteKeyvStore(file, { busyTimeoutMs: timeouts.open });
  } catch (error) {
    throw new StoreUnavailableError(
      `cannot open the SQLite store ${file}: ${describe(error)}; check that the folder is writable ` +
        'and the file is a SQLite database not locked by another program',
      { cause: error },
    );
  }
  boundOperations(
    adapter,
    {
      name: `the SQLite file ${file}`,
      url: maskStoreUrl(url),
      advice: 'check that its disk has room, the file is writable and no other program holds a lock on it',
    },
    timeouts.operation,
  );
  return withFastDeserialize(new Keyv({ store: adapter, namespace, throwOnErrors: true }));
}

async function openRedis(url: string, namespace: string, timeouts: Timeouts): Promise<Keyv> {
  const where = hostPort(url, 6379);
  let connectedOnce = false;
  const adapter = new KeyvRedis(
    {
      url,
      // While disconnected, a command fails at once (instead of queueing until Redis is back,
      // however long that takes); one the server does not answer fails after the operation time.
      disableOfflineQueue: true,
      commandOptions: { timeout: timeouts.operation },
      socket: {
        connectTimeout: timeouts.open,
        // Fail fast on the first connection (so open() can report it); once connected,
        // ride out restarts of the server with a capped back-off.
        reconnectStrategy: (retries: number, cause: Error) => (connectedOnce ? Math.min(100 * 2 ** retries, 2000) : cause),
      },
    },
    { namespace, throwOnConnectError: true, throwOnErrors: true },
  );
  let failure: unknown;
  const noteFailure = (error: unknown): void => void (failure ??= error);
  adapter.on('error', noteFailure);
  try {
    const client = await withTimeout(adapter.getClient(), timeouts.open, `connecting to Redis at ${where}`);
    connectedOnce = true;
    await withTimeout(client.ping(), timeouts.open, `a PING to Redis at ${where}`);
  } catch (error) {
    await adapter.disconnect(true).catch(() => undefined);
    throw new StoreUnavailableError(
      `cannot reach Redis at ${where} (${maskStoreUrl(url)}): ${describe(failure ?? error)}; ${CHECK_SERVER}, ` +
        'and the password and TLS (rediss://) settings in the URL',
      { cause: failure ?? error, url: maskStoreUrl(url) },
    );
  }
  adapter.off('error', noteFailure);
  const store: StoreDescription = { name: `Redis at ${where}`, url: maskStoreUrl(url), advice: CHECK_SERVER };
  const outage = new StoreOutageLog(store);
  // The client reports each failed reconnection: the log hears of the outage once.
  adapter.on('error', (error: unknown) => outage.failed(error));
  boundOperations(adapter, store, timeouts.operation, {
    outage,
    onTimeout: replacerOfConnection(adapter.client, outage),
  });
  // The adapter prefixes keys with its namespace itself, so keyv must not prefix again.
  const keyv = withFastDeserialize(new Keyv({ store: adapter, namespace, useKeyPrefix: false, throwOnErrors: true }));
  // A graceful close waits for the answers to commands under way, which a hung server never sends.
  keyv.disconnect = async () => {
    await withTimeout(adapter.disconnect(), timeouts.open, 'closing the Redis connection').catch(() => adapter.disconnect(true));
  };
  return keyv;
}

async function openPostgres(url: string, namespace: string, timeouts: Timeouts): Promise<Keyv> {
  const where = hostPort(url, 5432);
  const adapter = new PostgresKeyvStore(url, {
    connectTimeoutMs: timeouts.open,
    queryTimeoutMs: timeouts.operation,
    onConnectionLost: (error) =>
      logger.warn(
        // Not the error itself: pg hangs the whole client on it.
        { store: maskStoreUrl(url), reason: describe(error) },
        `PostgreSQL at ${where} ended this program's connections (a server restart?); the next operation connects again`,
      ),
  });
  try {
    await withTimeout(adapter.query('SELECT 1'), timeouts.open, `connecting to PostgreSQL at ${where}`);
  } catch (error) {
    await adapter.disconnect().catch(() => undefined);
    throw new StoreUnavailableError(
      `cannot reach PostgreSQL at ${where} (${maskStoreUrl(url)}): ${describe(error)}; ${CHECK_SERVER}, ` +
        'and the user, password and database name in the URL',
      { cause: error, url: maskStoreUrl(url) },
    );
  }
  boundOperations(adapter, { name: `PostgreSQL at ${where}`, url: maskStoreUrl(url), advice: CHECK_SERVER }, timeouts.operation);
  return withFastDeserialize(new Keyv({ store: adapter, namespace, throwOnErrors: true }));
}

/** What replacing a Redis connection takes (a client, a cluster's or a sentinel's). */
interface RedisConnection {
  isOpen: boolean;
  destroy(): void;
  connect(): Promise<unknown>;
}

/**
 * Redis answers in the order it was asked: after a command went unanswered, the next answer
 * on that connection may be the late one, handed to the wrong command (or none comes, and every
 * later command waits behind it). The connection is dropped and opened again; meanwhile
 * commands fail at once (no offline queue).
 */
function replacerOfConnection(client: RedisConnection, outage: StoreOutageLog): () => void {
  let replacing = false;
  return () => {
    if (replacing) return;
    replacing = true;
    if (client.isOpen) client.destroy();
    client
      .connect()
      .catch((error: unknown) => outage.failed(error))
      .finally(() => (replacing = false));
  };
}

/**
 * What in the server's configuration could lose writes it has acknowledged (for the
 * operator to read at start-up). SQLite is opened durable here, so only servers are checked.
 */
export async function durabilityWarnings(keyv: Keyv, backend: StoreBackend): Promise<string[]> {
  const warnings: string[] = [];
  try {
    if (backend === 'redis') {
      const client = await (keyv.store as KeyvRedis<string>).getClient();
      const config = (await client.configGet(['appendonly', 'appendfsync'])) as Record<string, string>;
      if (config.appendonly === 'no') {
        warnings.push(
          'Redis runs without an append-only file (appendonly no): a Redis restart loses writes since its last snapshot; set appendonly yes',
        );
      } else if (config.appendfsync === 'no') {
        warnings.push(
          'Redis never fsyncs its append-only file (appendfsync no): a machine crash can lose recent writes; use everysec or always',
        );
      }
    } else if (backend === 'postgres') {
      const rows = await (keyv.store as PostgresKeyvStore).query<{ synchronous_commit?: string }>('SHOW synchronous_commit');
      if (rows[0]?.synchronous_commit === 'off') {
        warnings.push('PostgreSQL has synchronous_commit off: a server crash can lose the last acknowledged writes');
      }
    }
  } catch {
    // Managed servers often refuse CONFIG; not knowing is not a warning.
  }
  return warnings;
}

const WRAPPED_STRING_HEAD = '{"value":"';
const WRAPPED_STRING_TAIL = '"}';

/**
 * keyv's own deserializer, with a fast path for what dominates start-up: a
 * large string value with nothing to unescape (a base64 segment), which keyv's
 * default format stores as {"value":"…"}. That path slices instead of running
 * JSON.parse with a reviver over tens of megabytes; the stored format stays keyv's own.
 */
function withFastDeserialize(keyv: Keyv): Keyv {
  const fallback = keyv.deserialize;
  const fallbackSerialize = keyv.serialize;
  if (fallback === undefined || fallbackSerialize === undefined) return keyv;
  const deserialize = (raw: string) => deserializeWrappedString(raw) ?? fallback(raw);
  keyv.deserialize = deserialize as typeof fallback;
  const serialize = (data: { value?: unknown; expires?: number | null }) =>
    serializeWrappedString(data) ?? fallbackSerialize(data as Parameters<typeof fallbackSerialize>[0]);
  keyv.serialize = serialize;
  return keyv;
}

/** Characters JSON.stringify would escape in a string. */
const NEEDS_ESCAPE = new RegExp(String.raw`["\\\u0000-\u001f\ud800-\udfff]`);

/** keyv's own serialization of a large plain string, without JSON.stringify's per-character pass. */
export function serializeWrappedString(data: { value?: unknown; expires?: number | null }): string | undefined {
  const { value } = data;
  if (typeof value !== 'string' || value.length <= 4096 || data.expires != null || NEEDS_ESCAPE.test(value)) return undefined;
  // keyv's serializer escapes a leading ':' by doubling it.
  return WRAPPED_STRING_HEAD + (value.startsWith(':') ? `:${value}` : value) + WRAPPED_STRING_TAIL;
}

/** The value of a keyv-serialized plain string, or undefined when the general parser is needed. */
export function deserializeWrappedString(raw: string): { value: string } | undefined {
  if (typeof raw === 'string' && raw.length > 4096 && raw.startsWith(WRAPPED_STRING_HEAD) && raw.endsWith(WRAPPED_STRING_TAIL)) {
    const end = raw.length - WRAPPED_STRING_TAIL.length;
    if (raw.indexOf('"', WRAPPED_STRING_HEAD.length) === end && raw.indexOf('\\', WRAPPED_STRING_HEAD.length) === -1) {
      const text = raw.slice(WRAPPED_STRING_HEAD.length, end);
      // keyv's serializer escapes a leading ':' by doubling it.
      return { value: text.startsWith(':') ? text.slice(1) : text };
    }
  }
  return undefined;
}

function hostPort(url: string, defaultPort: number): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || defaultPort}`;
  } catch {
    throw new StoreConfigError(`store URL "${maskStoreUrl(url)}" is not a valid URL`);
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
