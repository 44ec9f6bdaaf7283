import type { ProgressView } from './reindexProgress.js';
import type { ReindexState } from './reindexState.js';

/** `stop` for good, `pause` to resume on restart, `gone` for a deleted channel or a server that removed the bot (nothing more of it is saved). */
export type Halt = 'stop' | 'pause' | 'gone';

/** A /reindex walk under way: its state, where its progress shows, and how it is asked to end. */
export class ReindexJob {
  done: Promise<void> = Promise.resolve();
  lastShown = 0;
  private how: Halt | undefined;
  private wake: (() => void) | undefined;

  constructor(
    /** The named channel's parent when it is a thread (so stopping the parent stops this walk too). */
    readonly parentId: string | null,
    readonly channelName: string,
    /** The walk's state, as it goes (stored after every page). */
    readonly state: ReindexState,
    /** Where its progress is shown: the public message, and the replies of admins who asked. */
    public views: ProgressView[],
  ) {}

  /** Set to end the walk before it queues another image (see Halt). */
  get halt(): Halt | undefined {
    return this.how;
  }

  set halt(how: Halt | undefined) {
    this.how = how;
    if (how !== undefined) this.wake?.();
  }

  /**
   * Settles once the walk is asked to end, so it waits for room in the queue no longer than that.
   * One per page: each call replaces the last, so waiters do not pile up on one promise for a whole walk.
   */
  untilHalted(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      if (this.how !== undefined) resolve();
    });
  }
}
