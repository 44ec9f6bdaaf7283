import type { Keyv } from 'keyv';
import type { ImageRecord } from './imageRecord.js';
import { durabilityWarnings, maskStoreUrl, openKeyv, storeBackendOf, type StoreBackend } from './keyvFactory.js';
import { validateRecord } from './recordCodec.js';
import { compactUnlocked, dropUnlocked, type CompactionHooks } from './storeCompaction.js';
import { ConcurrentWriterError, SchemaTooNewError, StoreClosedError, StoreCorruptError } from './storeErrors.js';
import { deleteValue, findJournalEnd, putValue, type JournalValue } from './storeJournal.js';
import { checkCollection, storeKeys } from './storeKeys.js';
import { loadUnlocked, type LoadProgress, type StoreContext, type StoreProblem } from './storeLoader.js';
import { emptyManifest, liveCount, parseManifest, type Manifest } from './storeManifest.js';
import { CollectionState, Mutex } from './storeState.js';

export type { StoreProblem } from './storeLoader.js';

/** The newest layout this code reads and writes. */
export const STORE_SCHEMA_VERSION = 1;

export interface ImageStoreOptions {
  /** Journal entries per collection that start a background compaction (default 4096; 0 turns it off). */
  compactAfter?: number;
  /** Records per segment (default 16384). */
  maxSegmentRecords?: number;
  /** keyv namespace (key prefix); default 'image-search'. */
  namespace?: string;
  /** Bound on connecting at open (default 5000 ms). */
  timeoutMs?: number;
  /** Recorded in the schema key when this call creates the store. */
  writtenBy?: string;
  /** Told about anything unreadable (default: a process warning on stderr). */
  onProblem?: (problem: StoreProblem) => void;
  /** Told when a background compaction fails (default: a process warning); the journal stays intact. */
  onCompactionError?: (error: unknown, collection: string) => void;
}

export interface CollectionInfo {
  collection: string;
  segments: number;
  /** Records in segments, before the journal is applied. */
  segmentRecords: number;
  journalEntries: number;
}

interface SchemaValue {
  version: number;
  writtenBy?: string;
}

/**
 * Image records, settings and progress cursors, kept in keyv (SQLite, Redis or
 * PostgreSQL) in a layout that starts up from a few large reads:
 *   per collection, immutable segments of many records (s:<c>:<n>), a journal of one
 *   small write per change (j:<c>:<seq>), and a manifest naming them (m:<c>) that only
 *   compaction rewrites.
 * One process writes a collection at a time (Discord shards own disjoint guilds; the
 * CLI must not write a store the bot is writing); every write checks this and fails
 * with ConcurrentWriterError rather than lose data.
 */
export class ImageStore {
  readonly backend: StoreBackend;
  /** The URL with any password masked, for display. */
  readonly url: string;
  /** Server settings that could lose acknowledged writes (worth logging at start-up). */
  readonly warnings: readonly string[];
  private readonly ctx: StoreContext;
  private readonly states = new Map<string, Promise<CollectionState>>();
  private readonly registry = new Mutex();
  private readonly cursorLocks = new Map<string, Mutex>();
  private readonly compactAfter: number;
  private readonly onCompactionError: (error: unknown, collection: string) => void;
  private closed = false;

  private constructor(
    private readonly keyv: Keyv,
    url: string,
    options: ImageStoreOptions,
    warnings: string[],
  ) {
    this.backend = storeBackendOf(url);
    this.warnings = warnings;
    this.url = maskStoreUrl(url);
    this.compactAfter = options.compactAfter ?? 4096;
    const onProblem = options.onProblem ?? ((p: StoreProblem) => process.emitWarning(
      `image store: ${p.reason} (${p.key}, ${p.records} record(s) of collection ${p.collection})`, 'ImageStoreWarning'));
    this.ctx = { keyv, report: onProblem, maxSegmentRecords: options.maxSegmentRecords ?? 16_384 };
    this.onCompactionError = options.onCompactionError ?? ((error, collection) => process.emitWarning(
      `image store: compacting collection ${collection} failed (will retry): ${(error as Error)?.message ?? error}`, 'ImageStoreWarning'));
  }

  static async open(url: string, options: ImageStoreOptions = {}): Promise<ImageStore> {
    const keyv = await openKeyv(url, { namespace: options.namespace, timeoutMs: options.timeoutMs });
    let warnings: string[];
    try {
      await checkSchema(keyv, options.writtenBy ?? 'image-search-bot');
      warnings = await durabilityWarnings(keyv, storeBackendOf(url));
    } catch (error) {
      await keyv.disconnect().catch(() => undefined);
      throw error;
    }
    return new ImageStore(keyv, url, options, warnings);
  }

  /** Adds or replaces a record by id: one small write. */
  async put(record: ImageRecord): Promise<void> {
    await this.putMany([record]);
  }

  /** Adds or replaces several records: one small write per collection involved. */
  async putMany(records: readonly ImageRecord[]): Promise<void> {
    for (const [collection, group] of groupByCollection(records)) await this.appendJournal(collection, putValue(group));
  }

  /** Hides records by id: one write for the whole batch. */
  async remove(collection: string, ids: readonly string[]): Promise<void> {
    checkCollection(collection);
    if (ids.length === 0) return;
    await this.appendJournal(collection, deleteValue(ids));
  }

  /**
   * Writes records straight into segments (one large write per segment) instead of
   * the journal: for imports and benchmarks, not for a stream of single changes.
   */
  async putBulk(records: readonly ImageRecord[]): Promise<void> {
    for (const [collection, group] of groupByCollection(records)) {
      const state = await this.stateOf(collection);
      await state.writes.run(async () => {
        await this.ensureRegistered(collection, state);
        await state.lock.run(() => compactUnlocked(this.ctx, collection, state, group));
      });
    }
  }

  async dropCollection(collection: string): Promise<void> {
    checkCollection(collection);
    const state = await this.stateOf(collection);
    await state.writes.run(() => state.lock.run(async () => {
      this.checkOpen();
      await dropUnlocked(this.ctx, collection, state);
      await this.registry.run(async () => {
        const listed = await this.listCollections();
        if (listed.includes(collection)) await this.keyv.set(storeKeys.collections, listed.filter((c) => c !== collection));
        state.registered = false;
      });
      await this.keyv.deleteMany([storeKeys.settings(collection), storeKeys.cursors(collection)]);
    }));
  }

  /** Every record of a collection, in batches, as of when loading started. */
  async *loadCollection(collection: string, onProgress?: LoadProgress): AsyncGenerator<ImageRecord[]> {
    checkCollection(collection);
    this.checkOpen();
    const state = await this.stateOf(collection);
    const release = await state.lock.acquire();
    try {
      yield* loadUnlocked(this.ctx, collection, state, onProgress);
    } finally {
      release();
    }
  }

  async collections(): Promise<string[]> {
    this.checkOpen();
    return this.listCollections();
  }

  /** Folds the journal into segments now (it also happens by itself every compactAfter writes). */
  async compact(collection: string, hooks?: CompactionHooks): Promise<void> {
    checkCollection(collection);
    this.checkOpen();
    const state = await this.stateOf(collection);
    await state.lock.run(() => compactUnlocked(this.ctx, collection, state, [], hooks));
  }

  async info(collection: string): Promise<CollectionInfo> {
    const state = await this.stateOf(checkCollection(collection));
    const m = state.manifest;
    return { collection, segments: m.segments.length, segmentRecords: liveCount(m), journalEntries: state.journalLength };
  }

  async getSettings<T>(collection: string): Promise<T | undefined> {
    this.checkOpen();
    return (await this.keyv.get(storeKeys.settings(checkCollection(collection)))) as T | undefined;
  }

  async setSettings<T>(collection: string, value: T): Promise<void> {
    this.checkOpen();
    await this.keyv.set(storeKeys.settings(checkCollection(collection)), value);
  }

  async getCursor<T>(collection: string, key: string): Promise<T | undefined> {
    this.checkOpen();
    const cursors = (await this.keyv.get(storeKeys.cursors(checkCollection(collection)))) as Record<string, T> | undefined;
    return cursors !== undefined && Object.hasOwn(cursors, key) ? cursors[key] : undefined;
  }

  /** Every cursor of a collection (for copying a store). */
  async cursors(collection: string): Promise<Record<string, unknown>> {
    this.checkOpen();
    return ((await this.keyv.get(storeKeys.cursors(checkCollection(collection)))) as Record<string, unknown> | undefined) ?? {};
  }

  async setCursor<T>(collection: string, key: string, value: T): Promise<void> {
    await this.updateCursors(collection, (cursors) => (cursors[key] = value));
  }

  async deleteCursor(collection: string, key: string): Promise<void> {
    await this.updateCursors(collection, (cursors) => delete cursors[key]);
  }

  /** Waits for background work, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const states = await Promise.allSettled(this.states.values());
    for (const settled of states) {
      if (settled.status !== 'fulfilled') continue;
      await settled.value.compaction;
      await settled.value.writes.run(async () => undefined);
    }
    await this.keyv.disconnect();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private async appendJournal(collection: string, value: JournalValue): Promise<void> {
    this.checkOpen();
    const state = await this.stateOf(collection);
    await state.writes.run(async () => {
      this.checkOpen();
      if (state.conflict !== null) throw state.conflict;
      await this.ensureRegistered(collection, state);
      const seq = state.nextSeq;
      const key = storeKeys.journal(collection, seq);
      const [existing, stored] = (await this.keyv.getMany([key, storeKeys.manifest(collection)])) as unknown[];
      const storedGen = stored === undefined ? 0 : parseManifest(stored, storeKeys.manifest(collection)).gen;
      if (existing !== undefined) {
        throw (state.conflict = new ConcurrentWriterError(collection, `journal entry ${key} was written by someone else`));
      }
      if (storedGen !== state.manifest.gen && storedGen !== state.pendingGen) {
        throw (state.conflict = new ConcurrentWriterError(
          collection, `its manifest is at generation ${storedGen} but this process last wrote generation ${state.manifest.gen}`));
      }
      await this.keyv.set(key, value);
      state.nextSeq = seq + 1;
      this.maybeCompact(collection, state);
    });
  }

  private maybeCompact(collection: string, state: CollectionState): void {
    if (this.compactAfter <= 0 || state.journalLength < this.compactAfter || state.compaction !== null) return;
    state.compaction = state.lock
      .run(() => compactUnlocked(this.ctx, collection, state))
      .catch((error: unknown) => this.onCompactionError(error, collection))
      .finally(() => (state.compaction = null));
  }

  private stateOf(collection: string): Promise<CollectionState> {
    let state = this.states.get(collection);
    if (state === undefined) {
      state = this.readState(collection);
      this.states.set(collection, state);
      state.catch(() => this.states.delete(collection)); // retried on the next call
    }
    return state;
  }

  private async readState(collection: string): Promise<CollectionState> {
    const key = storeKeys.manifest(collection);
    const stored = await this.keyv.get(key);
    const manifest: Manifest = stored === undefined ? emptyManifest() : parseManifest(stored, key);
    const nextSeq = await findJournalEnd(this.keyv, collection, manifest.journalStart);
    return new CollectionState(manifest, nextSeq);
  }

  /** Lists the collection before its first record is written, so no data is ever unlisted. */
  private async ensureRegistered(collection: string, state: CollectionState): Promise<void> {
    if (state.registered) return;
    await this.registry.run(async () => {
      const listed = await this.listCollections();
      if (!listed.includes(collection)) await this.keyv.set(storeKeys.collections, [...listed, collection]);
      state.registered = true;
    });
  }

  private async listCollections(): Promise<string[]> {
    const listed = await this.keyv.get(storeKeys.collections);
    if (listed === undefined) return [];
    if (!Array.isArray(listed)) throw new StoreCorruptError(`the ${storeKeys.collections} key does not hold a list`);
    return listed as string[];
  }

  private async updateCursors(collection: string, change: (cursors: Record<string, unknown>) => void): Promise<void> {
    this.checkOpen();
    checkCollection(collection);
    let lock = this.cursorLocks.get(collection);
    if (lock === undefined) this.cursorLocks.set(collection, (lock = new Mutex()));
    await lock.run(async () => {
      const key = storeKeys.cursors(collection);
      const cursors = ((await this.keyv.get(key)) as Record<string, unknown> | undefined) ?? {};
      change(cursors);
      if (Object.keys(cursors).length === 0) await this.keyv.delete(key);
      else await this.keyv.set(key, cursors);
    });
  }
}

async function checkSchema(keyv: Keyv, writtenBy: string): Promise<void> {
  const stored = (await keyv.get(storeKeys.schema)) as SchemaValue | undefined;
  if (stored === undefined) {
    await keyv.set(storeKeys.schema, { version: STORE_SCHEMA_VERSION, writtenBy } satisfies SchemaValue);
    return;
  }
  if (typeof stored !== 'object' || stored === null || !Number.isSafeInteger(stored.version)) {
    throw new StoreCorruptError(`the store's ${storeKeys.schema} key holds ${JSON.stringify(stored)}, not a schema version`);
  }
  if (stored.version > STORE_SCHEMA_VERSION) throw new SchemaTooNewError(stored.version, STORE_SCHEMA_VERSION, stored.writtenBy);
}

function groupByCollection(records: readonly ImageRecord[]): Map<string, ImageRecord[]> {
  const groups = new Map<string, ImageRecord[]>();
  for (const record of records) {
    validateRecord(record);
    checkCollection(record.collection);
    let group = groups.get(record.collection);
    if (group === undefined) groups.set(record.collection, (group = []));
    group.push(record);
  }
  return groups;
}
