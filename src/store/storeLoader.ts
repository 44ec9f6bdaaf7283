import type { Keyv } from 'keyv';
import type { ImageRecord } from './imageRecord.js';
import { decodeRecords } from './recordCodec.js';
import { RecordBatch } from './recordColumns.js';
import { batchOf } from './recordColumnsBuilder.js';
import { keyHashOfId } from './recordShape.js';
import { applyJournal, readJournal } from './storeJournal.js';
import { storeKeys } from './storeKeys.js';
import { liveCount, parseDeadLists, type SegmentRef } from './storeManifest.js';
import type { CollectionState } from './storeState.js';

/** Something that could not be read; reported, never skipped silently. */
export interface StoreProblem {
  collection: string;
  /** The keyv key of the value concerned. */
  key: string;
  /** How many records it affects (as far as the store can tell). */
  records: number;
  reason: string;
}

export interface StoreContext {
  keyv: Keyv;
  report(problem: StoreProblem): void;
  maxSegmentRecords: number;
}

/**
 * Records loaded so far, and the expected total (an upper bound until the last call, where it is
 * exact). The first call, before any batch, says (0, expected total).
 */
export type LoadProgress = (loaded: number, total?: number) => void;

/** Segments asked for in one getMany; the next window is fetched while this one decodes. */
const SEGMENT_WINDOW = 1;
const JOURNAL_BATCH = 32_768;

/**
 * Every live record of a collection, as batches: the journal is read first (it is
 * small, and says which segment entries it replaces), then the segments a window at
 * a time, then the journal's own records. The caller holds the collection's lock.
 * A completed load leaves the id → location map that compaction needs. Segments come out
 * as columns (no object per record); the journal's few records are made into columns too.
 */
export async function* loadUnlocked(
  ctx: StoreContext,
  collection: string,
  state: CollectionState,
  onProgress?: LoadProgress,
): AsyncGenerator<RecordBatch> {
  const manifest = state.manifest;
  const net = new Map<string, ImageRecord | null>();
  for await (const entry of readJournal(ctx.keyv, collection, manifest.journalStart, state.nextSeq)) {
    if (entry.kind === 'unreadable') {
      ctx.report({ collection, key: entry.key, records: 1, reason: `journal entry unreadable: ${entry.reason}` });
      continue;
    }
    if (entry.kind === 'put' && entry.failed > 0) {
      ctx.report({ collection, key: entry.key, records: entry.failed, reason: entry.problems.join('; ') });
    }
    applyJournal(net, entry);
  }
  const dead = parseDeadLists(manifest.deadKey === null ? undefined : await ctx.keyv.get(manifest.deadKey));
  const journalRecords = [...net.values()].filter((record): record is ImageRecord => record !== null);
  const total = liveCount(manifest) + journalRecords.length;
  onProgress?.(0, total);
  const journalHashes = new Set([...net.keys()].map(keyHashOfId));
  const segmentHashes = new Map<number, Float64Array>();
  let loaded = 0;

  const refs = manifest.segments;
  const fetchWindow = (from: number): Promise<unknown[]> => {
    const keys = refs.slice(from, from + SEGMENT_WINDOW).map((ref) => storeKeys.segment(collection, ref.n));
    const values = ctx.keyv.getMany<unknown>(keys);
    values.catch(() => undefined); // awaited below; this only keeps an abandoned prefetch from being "unhandled"
    return values;
  };
  let pending = refs.length > 0 ? fetchWindow(0) : undefined;
  for (let from = 0; pending !== undefined; from += SEGMENT_WINDOW) {
    const values = await pending;
    pending = from + SEGMENT_WINDOW < refs.length ? fetchWindow(from + SEGMENT_WINDOW) : undefined;
    for (let i = 0; i < values.length; i++) {
      const ref = refs[from + i] as SegmentRef;
      const batch = segmentBatch(ctx, collection, ref, values[i], dead.get(ref.n), { net, hashes: journalHashes }, segmentHashes);
      if (batch === null) continue;
      loaded += batch.length;
      yield batch;
      onProgress?.(loaded, total);
    }
  }
  for (let from = 0; from < journalRecords.length; from += JOURNAL_BATCH) {
    const batch = batchOf(journalRecords.slice(from, from + JOURNAL_BATCH));
    loaded += batch.length;
    yield batch;
    onProgress?.(loaded, total);
  }
  if (loaded !== total) onProgress?.(loaded, loaded); // journal updates were counted twice in the estimate
  if (state.manifest === manifest) state.segmentHashes = segmentHashes;
}

/** The journal's net changes, and the key hashes of their ids (a cheap first test per segment entry). */
interface JournalChanges {
  net: Map<string, ImageRecord | null>;
  hashes: Set<number>;
}

function segmentBatch(
  ctx: StoreContext,
  collection: string,
  ref: SegmentRef,
  value: unknown,
  dead: Set<number> | undefined,
  journal: JournalChanges,
  segmentHashes: Map<number, Float64Array>,
): RecordBatch | null {
  const key = storeKeys.segment(collection, ref.n);
  if (typeof value !== 'string') {
    const reason = value === undefined ? 'segment listed in the manifest is missing' : 'segment is not encoded text';
    ctx.report({ collection, key, records: ref.count - ref.dead, reason });
    return null;
  }
  let decoded;
  try {
    decoded = decodeRecords(value);
  } catch (error) {
    ctx.report({ collection, key, records: ref.count - ref.dead, reason: (error as Error).message });
    return null;
  }
  if (decoded.failed > 0) ctx.report({ collection, key, records: decoded.failed, reason: decoded.problems.join('; ') });
  const { columns, entries, positions } = decoded;
  const hashes = new Float64Array(Math.max(ref.count, columns.count)).fill(Number.NaN);
  segmentHashes.set(ref.n, hashes);
  const live = new Uint32Array(entries.length);
  let kept = 0;
  const checkJournal = journal.hashes.size > 0;
  for (let k = 0; k < entries.length; k++) {
    const position = positions[k] as number;
    if (dead !== undefined && dead.has(position)) continue;
    const entry = entries[k] as number;
    const hash = columns.keyHashAt(entry);
    hashes[position] = hash;
    // Replaced or deleted by a newer journal entry (the hash only narrows; the id decides).
    if (checkJournal && journal.hashes.has(hash) && journal.net.has(columns.idAt(entry))) continue;
    live[kept++] = entry;
  }
  return kept === 0 ? null : new RecordBatch(columns, live.subarray(0, kept));
}
