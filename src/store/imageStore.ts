import { access } from 'node:fs/promises';
import type { Keyv } from 'keyv';
import type { ImageRecord } from './imageRecord.js';
import { durabilityWarnings, maskStoreUrl, openKeyv, sqlitePathOf, storeBackendOf, type StoreBackend } from './keyvFactory.js';
import { validateRecord } from './recordCodec.js';
import type { RecordBatch } from './recordColumns.js';
import { CollectionRegistry } from './collectionRegistry.js';
import { compactUnlocked, dropUnlocked, type CompactionHooks } from './storeCompaction.js';
import { KeywordStore } from './keywordStore.js';
import { StoreClosedError, StoreMissingError, StoreReadOnlyError } from './storeErrors.js';
import { appendEntry, deleteValue, findJournalEnd, putValue, type JournalValue } from './storeJournal.js';
import { SqliteKeyvStore } from './sqliteKeyvStore.js';
import { checkCollection, storeKeys } from './storeKeys.js';
import { loadUnlocked, type LoadProgress, type StoreContext, type StoreProblem } from './storeLoader.js';
import { emptyManifest, liveCount, parseManifest } from './storeManifest.js';
import { checkSchema, readSchema } from './storeSchema.js';
import { StoreSettings } from './storeSettings.js';
import { CollectionState } from './storeState.js';

export type { StoreProblem } from './storeLoader.js';
export type { CompactionHooks } from './storeCompaction.js';
export { STORE_SCHEMA_VERSION } from './storeSchema.js';

/**
 * Records per segment: about 50 MB of text at 256 dimensions. Start-up reads few large values;
 * and above 32 MiB, glibc's malloc serves each transient read buffer straight from mmap and
 * gives it back on free (its dynamic mmap threshold never rises above that), where 25 MB
 * values left up to ~190 MB of freed-but-kept heap behind a 1 M-image load.
 */
export const DEFAULT_SEGMENT_RECORDS = 32_768;
/** Records loaded between two releases of SQLite's memory-mapped pages (SqliteKeyvStore.releaseMappedPages). */
const RELEASE_MAP_EVERY = 65_536;

export interface ImageStoreOptions {
  /** Journal entries per collection that start a background compaction (default 4096; 0 turns it off). */
  compactAfter?: number;
  /** Records per segment (default DEFAULT_SEGMENT_RECORDS). */
  maxSegmentRecords?: number;
  /** keyv namespace (key prefix); default 'image-search'. */
  namespace?: string;
  /** Bound on connecting at open (default 5000 ms). */
  timeoutMs?: number;
  /** Bound on each later read or write of the server or file; past it, StoreUnavailableError (default 30000 ms). */
  operationTimeoutMs?: number;
  /** Recorded in the schema key when this call creates the store. */
  writtenBy?: string;
  /**
   * Only reads: nothing is created (no SQLite file or folder, no schema key on an empty server)
   * and every write throws StoreReadOnlyError. A SQLite file that does not exist is StoreMissingError.
   */
  readOnly?: boolean;
  /** With readOnly: a store that holds nothing at all (no schema key) is StoreMissingError too. */
  mustExist?: boolean;
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
  /** The words of the images (keyword search), on this store's connection; its keys start with `kw:`. */
  readonly keywords: KeywordStore;
  private readonly ctx: StoreContext;
  private readonly settings: StoreSettings;
  private readonly states = new Map<string, Promise<CollectionState>>();
  private readonly registry: CollectionRegistry;
  private readonly compactAfter: number;
  private readonly readOnly: boolean;
  private readonly onCompactionError: (error: unknown, collection: string) => void;
  private closed = false;

  private constructor(
    private readonly keyv: Keyv,
    url: string,
    options: ImageStoreOptions,
    /** Server settings that could lose acknowledged writes (worth logging at start-up). */
    readonly warnings: readonly string[],
  ) {
    this.backend = storeBackendOf(url);
    this.url = maskStoreUrl(url);
    this.compactAfter = options.compactAfter ?? 4096;
    this.readOnly = options.readOnly ?? false;
    const onProblem =
      options.onProblem ??
      ((p: StoreProblem) =>
        process.emitWarning(
          `image store: ${p.reason} (${p.key}, ${p.records} record(s) of collection ${p.collection})`,
          'ImageStoreWarning',
        ));
    this.ctx = { keyv, report: onProblem, maxSegmentRecords: options.maxSegmentRecords ?? DEFAULT_SEGMENT_RECORDS };
    this.settings = new StoreSettings(keyv);
    this.keywords = new KeywordStore(keyv, this.readOnly ? { readOnly: { url: this.url } } : {});
    this.registry = new CollectionRegistry(keyv, this.backend);
    this.onCompactionError =
      options.onCompactionError ??
      ((error, collection) =>
        process.emitWarning(
          `image store: compacting collection ${collection} failed (will retry): ${(error as Error)?.message ?? error}`,
          'ImageStoreWarning',
        ));
  }

  static async open(url: string, options: ImageStoreOptions = {}): Promise<ImageStore> {
    if (options.readOnly) await checkFileExists(url);
    const keyv = await openKeyv(url, {
      namespace: options.namespace,
      timeoutMs: options.timeoutMs,
      operationTimeoutMs: options.operationTimeoutMs,
    });
    try {
      if (!options.readOnly) await checkSchema(keyv, options.writtenBy ?? 'image-search-bot');
      else if ((await readSchema(keyv)) === undefined && options.mustExist) {
        throw new StoreMissingError(maskStoreUrl(url), 'it holds no image store (nothing was ever indexed there)');
      }
      return new ImageStore(keyv, url, options, await durabilityWarnings(keyv, storeBackendOf(url)));
    } catch (error) {
      await keyv.disconnect().catch(() => undefined);
      throw error;
    }
  }

  /** Adds or replaces a record by id: one small write. */
  async put(record: ImageRecord): Promise<void> {
    await this.putMany([record]);
  }

  /** Adds or replaces several records: one small write per collection involved. */
  async putMany(records: readonly ImageRecord[]): Promise<void> {
    for (const [collection, group] of groupByCollection(records)) await this.append(collection, putValue(group));
  }

  /** Hides records by id: one write for the whole batch. */
  async remove(collection: string, ids: readonly string[]): Promise<void> {
    checkCollection(collection);
    this.checkWritable();
    if (ids.length > 0) await this.append(collection, deleteValue(ids));
  }

  /**
   * Writes records straight into segments (one large write per segment) instead of
   * the journal: for imports and benchmarks, not for a stream of single changes.
   */
  async putBulk(records: readonly ImageRecord[]): Promise<void> {
    for (const [collection, group] of groupByCollection(records)) {
      this.checkWritable();
      const state = await this.stateOf(collection);
      await state.writes.run(async () => {
        if (state.conflict !== null) throw state.conflict;
        await this.ensureRegistered(collection, state);
        await state.lock.run(() => compactUnlocked(this.ctx, collection, state, group));
      });
    }
  }

  /** Deletes a collection's records, settings and cursors. */
  async dropCollection(collection: string): Promise<void> {
    checkCollection(collection);
    this.checkWritable();
    const state = await this.stateOf(collection);
    await state.writes.run(() =>
      state.lock.run(async () => {
        if (state.manifest.gen > 0 || state.nextSeq > 0) await dropUnlocked(this.ctx, collection, state);
        await this.registry.unregister(collection);
        state.registered = false;
        await this.settings.drop(collection);
      }),
    );
  }

  /**
   * Every record of a collection, in batches, as of when loading started (writes made
   * meanwhile are not included). Embeddings are views into one buffer per segment.
   */
  async *loadCollection(collection: string, onProgress?: LoadProgress): AsyncGenerator<RecordBatch> {
    checkCollection(collection);
    this.checkOpen();
    const state = await this.stateOf(collection);
    const release = await state.lock.acquire();
    let mapped = 0;
    try {
      for await (const batch of loadUnlocked(this.ctx, collection, state, onProgress)) {
        yield batch;
        mapped += batch.length;
        if (mapped >= RELEASE_MAP_EVERY) {
          this.releaseMappedPages();
          mapped = 0;
        }
      }
    } finally {
      release();
    }
    this.releaseMappedPages();
  }

  private releaseMappedPages(): void {
    if (this.keyv.store instanceof SqliteKeyvStore) this.keyv.store.releaseMappedPages();
  }

  /** Collections that hold (or held, until dropped) records, sorted. */
  async collections(): Promise<string[]> {
    this.checkOpen();
    return this.registry.list();
  }

  /** Folds the journal into segments now (it also happens by itself every compactAfter writes). */
  async compact(collection: string, hooks?: CompactionHooks): Promise<void> {
    checkCollection(collection);
    this.checkWritable();
    const state = await this.stateOf(collection);
    await state.lock.run(() => compactUnlocked(this.ctx, collection, state, [], hooks));
  }

  async info(collection: string): Promise<CollectionInfo> {
    this.checkOpen();
    const state = await this.stateOf(checkCollection(collection));
    const m = state.manifest;
    return { collection, segments: m.segments.length, segmentRecords: liveCount(m), journalEntries: state.journalLength };
  }

  /** Old model stamps and the model (by its files) each was adopted for; see engine.ts. */
  async modelAdoptions(): Promise<Record<string, string>> {
    this.checkOpen();
    return ((await this.keyv.get(storeKeys.modelAdoptions)) as Record<string, string> | undefined) ?? {};
  }

  async setModelAdoptions(adoptions: Record<string, string>): Promise<void> {
    this.checkWritable();
    await this.keyv.set(storeKeys.modelAdoptions, adoptions);
  }

  async getSettings<T>(collection: string): Promise<T | undefined> {
    this.checkOpen();
    return this.settings.get<T>(collection);
  }

  async setSettings<T>(collection: string, value: T): Promise<void> {
    this.checkWritable();
    await this.settings.set(collection, value);
  }

  async getCursor<T>(collection: string, key: string): Promise<T | undefined> {
    this.checkOpen();
    return this.settings.getCursor<T>(collection, key);
  }

  /** Every cursor of a collection (for copying a store). */
  async cursors(collection: string): Promise<Record<string, unknown>> {
    this.checkOpen();
    return this.settings.cursors(collection);
  }

  async setCursor<T>(collection: string, key: string, value: T): Promise<void> {
    this.checkWritable();
    await this.settings.setCursor(collection, key, value);
  }

  async deleteCursor(collection: string, key: string): Promise<void> {
    this.checkWritable();
    await this.settings.deleteCursor(collection, key);
  }

  /** Waits for writes and background compactions under way, then disconnects. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const settled of await Promise.allSettled(this.states.values())) {
      if (settled.status !== 'fulfilled') continue;
      await settled.value.writes.run(async () => undefined);
      await settled.value.compaction;
    }
    await this.keywords.close();
    await this.keyv.disconnect();
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreClosedError();
  }

  private checkWritable(): void {
    this.checkOpen();
    if (this.readOnly) throw new StoreReadOnlyError(this.url);
  }

  private async append(collection: string, value: JournalValue): Promise<void> {
    this.checkWritable();
    const state = await this.stateOf(collection);
    await state.writes.run(async () => {
      this.checkOpen();
      await this.ensureRegistered(collection, state);
      await appendEntry(this.keyv, collection, state, value);
      this.maybeCompact(collection, state);
    });
  }

  private maybeCompact(collection: string, state: CollectionState): void {
    if (this.compactAfter <= 0 || state.compaction !== null) return;
    if (state.journalLength < Math.max(this.compactAfter, state.compactRetryAt)) return;
    state.compaction = state.lock
      .run(() => compactUnlocked(this.ctx, collection, state))
      .then(() => void (state.compactRetryAt = 0))
      .catch((error: unknown) => {
        // Try again only after as many more writes, not on every write.
        state.compactRetryAt = state.journalLength + this.compactAfter;
        this.onCompactionError(error, collection);
      })
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
    const stored = await this.keyv.get<unknown>(key);
    const manifest = stored === undefined ? emptyManifest() : parseManifest(stored, key);
    return new CollectionState(manifest, await findJournalEnd(this.keyv, collection, manifest.journalStart));
  }

  /** Lists the collection (see collectionRegistry.ts) before this process first writes it. */
  private async ensureRegistered(collection: string, state: CollectionState): Promise<void> {
    if (state.registered) return;
    await this.registry.register(collection);
    state.registered = true;
  }
}

/** A read-only open must not create a SQLite file (the adapter would, with its folders). */
async function checkFileExists(url: string): Promise<void> {
  if (storeBackendOf(url) !== 'sqlite') return;
  const file = sqlitePathOf(url);
  if (file === ':memory:') return;
  try {
    await access(file);
  } catch {
    throw new StoreMissingError(maskStoreUrl(url), `the file ${file} does not exist`);
  }
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
