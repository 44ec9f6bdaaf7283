/**
 * Keeps each collection's keyword documents in keyv across restarts and crashes, in
 * the layout of keywordStoreLayout.ts: start-up reads a manifest, a few large segments
 * and the journal since; each change is one small journal write. Compaction folds the
 * journal into fresh segments in the background, in an order that leaves a consistent
 * state at every instant: new segments, then the manifest (the switch), then deletion
 * of what the old one named. One process writes a collection at a time (as for images);
 * a second writer is detected and refused with ConcurrentWriterError. The collections are
 * the image store's (a document exists only for an image): no list of its own is kept.
 */
import type { Keyv } from 'keyv';
import type { KeywordDocument } from './keywordDocument.js';
import {
  applyKeywordJournal,
  decodeDocuments,
  emptyKeywordManifest,
  encodeDocuments,
  keywordKeys,
  parseKeywordManifest,
  type KeywordJournalValue,
  type KeywordManifest,
} from './keywordStoreLayout.js';
import { ConcurrentWriterError, StoreCorruptError, StoreReadOnlyError } from './storeErrors.js';
import { checkCollection } from './storeKeys.js';
import { Mutex } from './storeState.js';
import { isOwnUnconfirmedWrite, unconfirmedWrite, type UnconfirmedWrite } from './unconfirmedWrite.js';

export interface KeywordStoreProblem {
  collection: string;
  key: string;
  reason: string;
}

export interface KeywordStoreOptions {
  /** Journal entries that start a compaction: at least this many, and at least a quarter of the documents (default 1024; 0 turns it off). */
  compactAfter?: number;
  /** Documents per segment (default 20,000). */
  maxSegmentDocuments?: number;
  /** Told about anything unreadable at load, and about failed background compactions. */
  onProblem?: (problem: KeywordStoreProblem) => void;
  /** Only reads: every write throws StoreReadOnlyError naming this URL (the store it shares a connection with). */
  readOnly?: { url: string };
}

interface CollectionState {
  manifest: KeywordManifest;
  nextSeq: number;
  /** Documents in segments plus journal entries: an upper bound on the live count. */
  size: number;
  lock: Mutex;
  conflict: Error | null;
  /** The journal write last reported failed, which may have been stored all the same. */
  unconfirmed: UnconfirmedWrite | null;
  compaction: Promise<void> | null;
}

const READ_WINDOW = 256;
const SEGMENT_WINDOW = 4;

export class KeywordStore {
  private readonly states = new Map<string, Promise<CollectionState>>();
  private readonly compactAfter: number;
  private readonly maxSegmentDocuments: number;
  private readonly report: (problem: KeywordStoreProblem) => void;
  private readonly readOnlyUrl: string | undefined;

  /** `keyv` is shared with the image store (its owner disconnects it). */
  constructor(
    private readonly keyv: Keyv,
    options: KeywordStoreOptions = {},
  ) {
    this.compactAfter = options.compactAfter ?? 1024;
    this.maxSegmentDocuments = options.maxSegmentDocuments ?? 20_000;
    this.report = options.onProblem ?? ((p) => process.emitWarning(`keyword store: ${p.reason} (${p.key})`, 'KeywordStoreWarning'));
    this.readOnlyUrl = options.readOnly?.url;
  }

  get writable(): boolean {
    return this.readOnlyUrl === undefined;
  }

  /** Adds or replaces documents: one small write. */
  async put(collection: string, documents: readonly KeywordDocument[]): Promise<void> {
    if (documents.length > 0) await this.append(collection, { put: encodeDocuments(documents) });
  }

  /** Removes documents by id: one small write. */
  async remove(collection: string, ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.append(collection, { del: [...ids] });
  }

  /** Every live document of the collection; unreadable parts are reported and skipped. */
  async load(collection: string): Promise<KeywordDocument[]> {
    const state = await this.stateOf(checkCollection(collection));
    return state.lock.run(async () => [...(await this.readAll(collection, state, 'report')).values()]);
  }

  /** Folds the journal into segments now (it also happens by itself as the journal grows). */
  async compact(collection: string): Promise<void> {
    this.checkWritable();
    const state = await this.stateOf(checkCollection(collection));
    await state.lock.run(() => this.compactUnlocked(collection, state));
  }

  /** Deletes a collection's documents. */
  async drop(collection: string): Promise<void> {
    this.checkWritable();
    const state = await this.stateOf(checkCollection(collection));
    await state.lock.run(async () => {
      const old = state.manifest;
      await this.switchManifest(collection, state, {
        ...emptyKeywordManifest(),
        gen: old.gen + 1,
        journalStart: state.nextSeq,
        nextSegment: old.nextSegment,
        garbage: { journal: [old.journalStart, state.nextSeq], segments: old.segments.map((s) => s.n) },
      });
      state.size = 0;
      await this.deleteGarbage(collection, state.manifest);
    });
  }

  /** Waits for background compactions. The keyv connection stays open. */
  async close(): Promise<void> {
    for (const settled of await Promise.allSettled(this.states.values())) {
      if (settled.status === 'fulfilled') await settled.value.lock.run(async () => undefined);
    }
  }

  private checkWritable(): void {
    if (this.readOnlyUrl !== undefined) throw new StoreReadOnlyError(this.readOnlyUrl);
  }

  private async append(collection: string, value: KeywordJournalValue): Promise<void> {
    this.checkWritable();
    const state = await this.stateOf(checkCollection(collection));
    await state.lock.run(async () => {
      if (state.conflict !== null) throw state.conflict;
      let key = keywordKeys.journal(collection, state.nextSeq);
      const manifestKey = keywordKeys.manifest(collection);
      const [first, stored] = await this.keyv.getMany<unknown>([key, manifestKey]);
      let existing = first;
      if (existing !== undefined && isOwnUnconfirmedWrite(state.unconfirmed, state.nextSeq, existing)) {
        state.nextSeq++;
        key = keywordKeys.journal(collection, state.nextSeq);
        [existing] = await this.keyv.getMany<unknown>([key]);
      }
      state.unconfirmed = null;
      const storedGen = stored === undefined ? 0 : parseKeywordManifest(stored, manifestKey).gen;
      if (existing !== undefined || storedGen !== state.manifest.gen) {
        throw (state.conflict = new ConcurrentWriterError(
          collection,
          `keyword journal entry ${key} or manifest changed under this process`,
        ));
      }
      try {
        await this.keyv.set(key, value);
      } catch (error) {
        state.unconfirmed = unconfirmedWrite(state.nextSeq, value);
        throw error;
      }
      state.nextSeq++;
      state.size += 'put' in value ? value.put.length : 0;
    });
    this.maybeCompact(collection, state);
  }

  private maybeCompact(collection: string, state: CollectionState): void {
    const journal = state.nextSeq - state.manifest.journalStart;
    if (this.compactAfter <= 0 || state.compaction !== null || journal < Math.max(this.compactAfter, state.size / 4)) return;
    state.compaction = state.lock
      .run(() => this.compactUnlocked(collection, state))
      .catch((error: unknown) =>
        this.report({
          collection,
          key: keywordKeys.manifest(collection),
          reason: `compaction failed (will retry): ${(error as Error).message}`,
        }),
      )
      .finally(() => (state.compaction = null));
  }

  private async compactUnlocked(collection: string, state: CollectionState): Promise<void> {
    if (state.conflict !== null) throw state.conflict;
    const old = state.manifest;
    await this.deleteGarbage(collection, old);
    const end = state.nextSeq;
    const live = [...(await this.readAll(collection, state, 'refuse')).values()];
    const segments: KeywordManifest['segments'] = [];
    let n = old.nextSegment;
    for (let from = 0; from < live.length; from += this.maxSegmentDocuments) {
      const batch = live.slice(from, from + this.maxSegmentDocuments);
      await this.keyv.set(keywordKeys.segment(collection, n), encodeDocuments(batch));
      segments.push({ n: n++, count: batch.length });
    }
    await this.switchManifest(collection, state, {
      layout: 1,
      gen: old.gen + 1,
      journalStart: end,
      nextSegment: n,
      segments,
      garbage: { journal: end > old.journalStart ? [old.journalStart, end] : null, segments: old.segments.map((s) => s.n) },
    });
    state.size = live.length;
    await this.deleteGarbage(collection, state.manifest);
  }

  /**
   * id → document for the whole collection. With 'report', unreadable values are
   * reported and skipped (a load keeps going); with 'refuse' they stop a compaction,
   * which would otherwise drop them for good.
   */
  private async readAll(
    collection: string,
    state: CollectionState,
    unreadable: 'report' | 'refuse',
  ): Promise<Map<string, KeywordDocument>> {
    const manifest = state.manifest;
    const documents = new Map<string, KeywordDocument>();
    const problem = (key: string, error: unknown) => {
      const reason = (error as Error).message;
      if (unreadable === 'refuse')
        throw new StoreCorruptError(
          `cannot compact keyword collection "${collection}": ${key} cannot be read (${reason}); nothing was changed`,
        );
      this.report({ collection, key, reason });
    };
    for (let from = 0; from < manifest.segments.length; from += SEGMENT_WINDOW) {
      const keys = manifest.segments.slice(from, from + SEGMENT_WINDOW).map((s) => keywordKeys.segment(collection, s.n));
      const values = await this.keyv.getMany<unknown>(keys);
      keys.forEach((key, i) => {
        try {
          for (const document of decodeDocuments(values[i], key)) documents.set(document.id, document);
        } catch (error) {
          problem(key, error);
        }
      });
    }
    for (let from = manifest.journalStart; from < state.nextSeq; from += READ_WINDOW) {
      const keys: string[] = [];
      for (let seq = from; seq < Math.min(state.nextSeq, from + READ_WINDOW); seq++) keys.push(keywordKeys.journal(collection, seq));
      const values = await this.keyv.getMany<unknown>(keys);
      keys.forEach((key, i) => {
        const net = new Map<string, KeywordDocument | null>();
        try {
          applyKeywordJournal(net, values[i], key);
        } catch (error) {
          problem(key, error);
        }
        for (const [id, document] of net) {
          if (document === null) documents.delete(id);
          else documents.set(id, document);
        }
      });
    }
    return documents;
  }

  private async switchManifest(collection: string, state: CollectionState, next: KeywordManifest): Promise<void> {
    await this.keyv.set(keywordKeys.manifest(collection), next);
    state.manifest = next;
  }

  /** Best effort: what stays is listed in the manifest and deleted again by the next compaction. */
  private async deleteGarbage(collection: string, manifest: KeywordManifest): Promise<void> {
    const keys = manifest.garbage.segments.map((n) => keywordKeys.segment(collection, n));
    const journal = manifest.garbage.journal;
    if (journal !== null) for (let seq = journal[0]; seq < journal[1]; seq++) keys.push(keywordKeys.journal(collection, seq));
    try {
      for (let from = 0; from < keys.length; from += 500) await this.keyv.deleteMany(keys.slice(from, from + 500));
    } catch (error) {
      this.report({ collection, key: keys[0] ?? '', reason: `deleting replaced data failed (retried later): ${(error as Error).message}` });
    }
  }

  private stateOf(collection: string): Promise<CollectionState> {
    let state = this.states.get(collection);
    if (state === undefined) {
      state = this.readState(collection);
      this.states.set(collection, state);
      state.catch(() => this.states.delete(collection));
    }
    return state;
  }

  private async readState(collection: string): Promise<CollectionState> {
    const key = keywordKeys.manifest(collection);
    const stored = await this.keyv.get<unknown>(key);
    const manifest = stored === undefined ? emptyKeywordManifest() : parseKeywordManifest(stored, key);
    const nextSeq = await journalEnd((seq) => this.keyv.has(keywordKeys.journal(collection, seq)), manifest.journalStart);
    const size = manifest.segments.reduce((sum, s) => sum + s.count, 0) + (nextSeq - manifest.journalStart);
    return { manifest, nextSeq, size, lock: new Mutex(), conflict: null, unconfirmed: null, compaction: null };
  }
}

/**
 * The first seq at or after `start` with no entry (journal seqs are contiguous): doubling
 * steps, then bisection, about 2·log2(n) existence checks for a journal of n entries.
 */
export async function journalEnd(exists: (seq: number) => Promise<boolean>, start: number): Promise<number> {
  if (!(await exists(start))) return start;
  let present = start;
  let step = 1;
  while (await exists(present + step)) {
    present += step;
    step *= 2;
  }
  let absent = present + step;
  while (absent - present > 1) {
    const middle = present + Math.floor((absent - present) / 2);
    if (await exists(middle)) present = middle;
    else absent = middle;
  }
  return absent;
}
