/**
 * The store cannot be reached or used right now: a server that is down, restarting or not
 * answering, a network cut, a SQLite file that is locked or on a full disk. Says which store
 * (its URL with any password masked) and what to check. Unlike a wrong URL (StoreConfigError),
 * waiting may be all it takes.
 */
export class StoreUnavailableError extends Error {
  /** The store's URL with any password masked, when the error is about a known store. */
  readonly url: string | undefined;

  constructor(message: string, options?: { cause?: unknown; url?: string }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
    this.url = options?.url;
  }
}

/** Whether `error`, or an error it was caused by, is the store being unavailable. */
export function isStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 10; depth++) {
    if (current instanceof StoreUnavailableError) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}
