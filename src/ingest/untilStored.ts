import { isStoreUnavailable } from '../store/storeUnavailable.js';

export interface UntilStoredOptions {
  /** The first pause after the store was found unavailable; each next one doubles… */
  firstPauseMs: number;
  /** …up to this. */
  maxPauseMs: number;
  /** Aborted when the work is to be given up: no more tries. */
  closing: AbortSignal;
  /** Told when the write starts waiting for the store (true) and when it stops (false). */
  onWait?: (waiting: boolean) => void;
}

/**
 * Runs a step that writes the store; while the store is unavailable (a server restarting, a
 * network cut), tries it again after a pause that doubles up to a limit, for as long as it
 * takes, so nothing is dropped for want of a store. It ends when the step succeeds, fails for
 * another reason (thrown as it is), or `closing` aborts (the store's error is thrown).
 */
export async function untilStored<T>(write: () => Promise<T>, options: UntilStoredOptions): Promise<T> {
  let pauseMs = options.firstPauseMs;
  let waiting = false;
  try {
    for (;;) {
      try {
        return await write();
      } catch (error) {
        if (!isStoreUnavailable(error) || options.closing.aborted) throw error;
        if (!waiting) {
          waiting = true;
          options.onWait?.(true);
        }
      }
      await pause(pauseMs, options.closing);
      pauseMs = Math.min(pauseMs * 2, options.maxPauseMs);
    }
  } finally {
    if (waiting) options.onWait?.(false);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
