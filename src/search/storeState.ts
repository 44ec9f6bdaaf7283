import type { Manifest } from './storeManifest.js';

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
   * Segment number → the id of each entry by index (undefined where dead or unreadable):
   * what compaction needs to find the entries the journal replaces. Null until a full
   * load built it. Arrays of ids shared with the loaded records cost little; a Map
   * from id would cost a hash insert per record at start-up.
   */
  segmentIds: Map<number, (string | undefined)[]> | null;
  /** Known to be listed under the collections key. */
  registered = false;
  /** Set once another writer was detected; every later write fails with it. */
  conflict: Error | null = null;
  /** The background compaction under way, if any. */
  compaction: Promise<void> | null = null;

  constructor(
    public manifest: Manifest,
    /** The seq the next journal entry gets. */
    public nextSeq: number,
  ) {
    this.segmentIds = manifest.segments.length === 0 ? new Map() : null;
  }

  get journalLength(): number {
    return this.nextSeq - this.manifest.journalStart;
  }
}
