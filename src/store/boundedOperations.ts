import { logger } from '../logger.js';
import { StoreUnavailableError } from './storeUnavailable.js';

/**
 * Every operation of a keyv store adapter, bounded in time: a server that stopped answering
 * (or a network that drops packets) fails the operation after `timeoutMs` instead of leaving
 * it, and whoever waits on it, waiting forever. Whatever the adapter fails with becomes a
 * StoreUnavailableError that names the store and what to check. The log is told once when
 * the store stops answering and once when it answers again, however many operations fail
 * in between.
 */

/** Which store, in words fit for a log line or an error message. */
export interface StoreDescription {
  /** E.g. `Redis at 127.0.0.1:6379` or `the SQLite file /data/index.sqlite`. */
  name: string;
  /** The URL with any password masked. */
  url: string;
  /** What a person should check when it does not answer. */
  advice: string;
}

/** Adapter methods that reach the store (keyv's, and the project's own listing and query helpers). */
const OPERATIONS = ['get', 'getMany', 'has', 'set', 'setMany', 'delete', 'deleteMany', 'clear', 'query', 'keysWithPrefix'] as const;

export interface BoundOptions {
  /** Told of the store's outages (default: a log of its own). */
  outage?: StoreOutageLog;
  /**
   * Called when an operation went unanswered: a connection that carries requests in order (Redis)
   * lost its place, and must be replaced before it hands one operation's answer to another.
   */
  onTimeout?: () => void;
}

export function boundOperations(adapter: object, store: StoreDescription, timeoutMs: number, options: BoundOptions = {}): void {
  const outage = options.outage ?? new StoreOutageLog(store);
  const methods = adapter as Record<string, unknown>;
  for (const name of OPERATIONS) {
    const original = methods[name];
    if (typeof original !== 'function') continue;
    // An own property in front of the prototype's method: `this` stays the adapter.
    methods[name] = async (...args: unknown[]): Promise<unknown> => {
      try {
        const result = await withinTime(() => (original as (...a: unknown[]) => Promise<unknown>).apply(adapter, args), timeoutMs);
        outage.answered();
        return result;
      } catch (error) {
        if (error instanceof OperationTimeout) options.onTimeout?.();
        const unavailable = unavailableError(store, error, timeoutMs);
        outage.failed(unavailable);
        throw unavailable;
      }
    };
  }
}

/** The log's account of one store's outages: one line when it stops answering, one when it is back. */
export class StoreOutageLog {
  private down = false;

  constructor(private readonly store: StoreDescription) {}

  /** An operation failed, or the connection reported trouble (a Redis client's 'error' event). */
  failed(error: unknown): void {
    if (this.down) return;
    this.down = true;
    logger.warn(
      { store: this.store.url, reason: describe(error) },
      `the store (${this.store.name}) is unavailable; its operations fail until it answers again`,
    );
  }

  answered(): void {
    if (!this.down) return;
    this.down = false;
    logger.info({ store: this.store.url }, `the store (${this.store.name}) answers again`);
  }
}

class OperationTimeout extends Error {}

function unavailableError(store: StoreDescription, error: unknown, timeoutMs: number): StoreUnavailableError {
  if (error instanceof StoreUnavailableError) return error;
  const what = error instanceof OperationTimeout ? `did not answer within ${timeoutMs} ms` : `is unavailable (${describe(error)})`;
  return new StoreUnavailableError(`the store (${store.name}, ${store.url}) ${what}; ${store.advice}`, {
    cause: error,
    url: store.url,
  });
}

async function withinTime<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new OperationTimeout()), ms);
  });
  try {
    return await Promise.race([work(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
