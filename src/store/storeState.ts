import type { Manifest } from './storeManifest.js';
import type { UnconfirmedWrite } from './unconfirmedWrite.js';

/** A promise-chain mutex: callers run one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Resolves with the release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => released);
    return previous.then(() => release);
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/**
 * What this process knows about one collection. One writer per collection per store
 * is assumed (and checked on every write); within the process, `writes` orders
 * journal writes and `lock` keeps compaction, drops and loads from overlapping.
 */
export class CollectionState {
  readonly writes = new Mutex();
  readonly lock = new Mutex();
  /** The generation being switched to while a compaction writes its manifest. */
  pendingGen: number | null = null;
  /**
   * Segment number → keyHashOfId of each entry's id (NaN where dead or unreadable):
   * how compaction finds the entries that the journal replaces, confirming every hit
   * against the stored id. Null until a full load built it. Typed arrays cost 8 bytes
   * a record and nothing to the garbage collector, unlike holding the id strings.
   */
  segmentHashes: Map<number, Float64Array> | null;
  /** Known to be listed under the collections key. */
  registered = false;
  /** The journal write last reported failed, which may have been stored all the same. */
  unconfirmed: UnconfirmedWrite | null = null;
  /** Set once another writer was detected; every later write fails with it. */
  conflict: Error | null = null;
  /** After a failed compaction: the journal length at which to try again. */
  compactRetryAt = 0;
  /** The background compaction under way, if any. */
  compaction: Promise<void> | null = null;

  constructor(
    public manifest: Manifest,
    /** The seq the next journal entry gets. */
    public nextSeq: number,
  ) {
    this.segmentHashes = manifest.segments.length === 0 ? new Map() : null;
  }

  get journalLength(): number {
    return this.nextSeq - this.manifest.journalStart;
  }
}
