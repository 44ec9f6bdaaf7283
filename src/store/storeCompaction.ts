import type { ImageRecord } from './imageRecord.js';
import { decodeRecords, encodeBuilt } from './recordCodec.js';
import type { RecordColumns } from './recordColumns.js';
import { RecordColumnsBuilder } from './recordColumnsBuilder.js';
import { keyHashOfId } from './recordShape.js';
import { StoreCorruptError } from './storeErrors.js';
import { applyJournal, readJournal } from './storeJournal.js';
import { storeKeys } from './storeKeys.js';
import { loadUnlocked, type StoreContext } from './storeLoader.js';
import {
  emptyManifest,
  parseDeadLists,
  parseManifest,
  serializeDeadLists,
  type DeadLists,
  type Garbage,
  type Manifest,
  type SegmentRef,
} from './storeManifest.js';
import type { CollectionState } from './storeState.js';

/**
 * Compaction folds the journal (and, for bulk imports, records handed in directly)
 * into segments. Order of writes is what keeps a crash harmless at any point:
 *   1. new segments under fresh numbers, and the new dead list — nothing refers to them yet;
 *   2. the manifest — the atomic switch;
 *   3. deletion of what the old manifest named and the new one does not.
 * A crash before 2 leaves the old manifest, which still names the old segments and
 * journal; the orphans it leaves get overwritten (their numbers are reused from the
 * old manifest's nextSegment) or deleted later. A crash after 2 leaves only garbage,
 * which the new manifest lists and the next compaction deletes again.
 */

/** A segment is rewritten once more than this share of its entries are dead. */
const REWRITE_DEAD_SHARE = 0.25;
const DELETE_CHUNK = 500;

export interface CompactionHooks {
  /** Runs after new segments are written and before the manifest switch (tests throw here to simulate a crash). */
  beforeManifest?: () => void | Promise<void>;
}

export async function compactUnlocked(
  ctx: StoreContext,
  collection: string,
  state: CollectionState,
  extra: readonly ImageRecord[] = [],
  hooks: CompactionHooks = {},
): Promise<void> {
  const old = state.manifest;
  const journalEnd = state.nextSeq;
  await deleteGarbage(ctx, collection, old.garbage);

  const net = new Map<string, ImageRecord | null>();
  for await (const entry of readJournal(ctx.keyv, collection, old.journalStart, journalEnd)) {
    const unreadable =
      entry.kind === 'unreadable' ? entry.reason : entry.kind === 'put' && entry.failed > 0 ? entry.problems.join('; ') : null;
    if (unreadable !== null) {
      throw new StoreCorruptError(
        `cannot compact collection "${collection}": journal entry ${entry.key} cannot be read (${unreadable}); ` +
          'nothing was changed. Loading still returns everything else; delete that key if losing it is acceptable',
      );
    }
    applyJournal(net, entry);
  }
  for (const record of extra) net.set(record.id, record);

  if (state.segmentHashes === null) {
    // Which segment entries the journal replaces is known only from a full read.
    for await (const batch of loadUnlocked(ctx, collection, state)) void batch;
  }
  const segmentHashes = state.segmentHashes ?? new Map<number, Float64Array>();
  const dead = parseDeadLists(old.deadKey === null ? undefined : await ctx.keyv.get(old.deadKey));
  const newlyDead = await findReplaced(ctx, collection, segmentHashes, net);
  for (const [n, index] of newlyDead) addDead(dead, n, index);
  const refs: SegmentRef[] = old.segments.map((s) => ({ ...s, dead: dead.get(s.n)?.size ?? 0 }));
  const puts = [...net.values()].filter((record): record is ImageRecord => record !== null);
  const { rewrite, dropped } = planRewrites(refs, puts.length, ctx.maxSegmentRecords);
  if (journalEnd === old.journalStart && puts.length === 0 && rewrite.size === 0 && dropped.size === 0) return;

  const packer = new SegmentPacker(ctx, collection, old.nextSegment);
  for (const ref of refs) {
    if (!rewrite.has(ref.n)) continue;
    const live = await liveEntriesOf(ctx, collection, ref, dead.get(ref.n));
    if (live === null) {
      rewrite.delete(ref.n); // unreadable: kept exactly as it is rather than lost
      continue;
    }
    for (const entry of live.entries) await packer.addFrom(live.columns, entry);
  }
  for (const record of puts) await packer.add(record);
  await packer.flush();

  const kept = refs.filter((ref) => !rewrite.has(ref.n) && !dropped.has(ref.n));
  const keptDead: DeadLists = new Map();
  for (const ref of kept) if (ref.dead > 0) keptDead.set(ref.n, dead.get(ref.n) as Set<number>);
  const deadKey = keptDead.size > 0 ? storeKeys.dead(collection, old.gen + 1) : null;
  if (deadKey !== null) await ctx.keyv.set(deadKey, serializeDeadLists(keptDead));
  await hooks.beforeManifest?.();

  const next: Manifest = {
    layout: 1,
    gen: old.gen + 1,
    journalStart: journalEnd,
    nextSegment: packer.nextSegment,
    segments: [...kept, ...packer.written],
    deadKey,
    garbage: {
      journal: journalEnd > old.journalStart ? [old.journalStart, journalEnd] : null,
      segments: [...rewrite, ...dropped],
      deadKeys: old.deadKey !== null && old.deadKey !== deadKey ? [old.deadKey] : [],
    },
  };
  await switchManifest(ctx, collection, state, next);
  for (const [n, index] of newlyDead) {
    const hashes = segmentHashes.get(n);
    if (hashes !== undefined) hashes[index] = Number.NaN;
  }
  for (const n of next.garbage.segments) segmentHashes.delete(n);
  packer.written.forEach((ref, i) => segmentHashes.set(ref.n, packer.hashes[i] as Float64Array));
  state.segmentHashes = segmentHashes;
  await deleteGarbage(ctx, collection, next.garbage);
}

/** Empties a collection: an empty manifest (keeping seqs and segment numbers moving forward), then deletion. */
export async function dropUnlocked(ctx: StoreContext, collection: string, state: CollectionState): Promise<void> {
  const old = state.manifest;
  await deleteGarbage(ctx, collection, old.garbage);
  const next: Manifest = {
    ...emptyManifest(),
    gen: old.gen + 1,
    journalStart: state.nextSeq,
    nextSegment: old.nextSegment,
    garbage: {
      journal: state.nextSeq > old.journalStart ? [old.journalStart, state.nextSeq] : null,
      segments: old.segments.map((s) => s.n),
      deadKeys: old.deadKey === null ? [] : [old.deadKey],
    },
  };
  await switchManifest(ctx, collection, state, next);
  state.segmentHashes = new Map();
  await deleteGarbage(ctx, collection, next.garbage);
}

/**
 * The segment entries (segment number, index) whose ids the journal holds: candidates
 * by hash, each confirmed against the id stored in its segment, so that a hash
 * collision can never hide a record.
 */
async function findReplaced(
  ctx: StoreContext,
  collection: string,
  segmentHashes: Map<number, Float64Array>,
  net: Map<string, ImageRecord | null>,
): Promise<[number, number][]> {
  if (net.size === 0) return [];
  const wanted = new Set<number>();
  for (const id of net.keys()) wanted.add(keyHashOfId(id));
  const candidates = new Map<number, number[]>();
  for (const [n, hashes] of segmentHashes) {
    for (let index = 0; index < hashes.length; index++) {
      if (!wanted.has(hashes[index] as number)) continue;
      let list = candidates.get(n);
      if (list === undefined) candidates.set(n, (list = []));
      list.push(index);
    }
  }
  const confirmed: [number, number][] = [];
  for (const [n, indexes] of candidates) {
    const key = storeKeys.segment(collection, n);
    const value = await ctx.keyv.get<unknown>(key);
    let decoded;
    try {
      if (typeof value !== 'string') throw new Error('segment is missing');
      decoded = decodeRecords(value);
    } catch (error) {
      throw new StoreCorruptError(
        `cannot compact collection "${collection}": ${key} cannot be read to confirm replaced records (${(error as Error).message})`,
      );
    }
    const entryAt = new Map<number, number>();
    decoded.positions.forEach((position, k) => entryAt.set(position, decoded.entries[k] as number));
    for (const index of indexes) {
      const entry = entryAt.get(index);
      if (entry !== undefined && net.has(decoded.columns.idAt(entry))) confirmed.push([n, index]);
    }
  }
  return confirmed;
}

function planRewrites(refs: SegmentRef[], newRecords: number, maxRecords: number) {
  const rewrite = new Set<number>();
  const dropped = new Set<number>();
  for (const ref of refs) {
    if (ref.count - ref.dead === 0) dropped.add(ref.n);
    else if (ref.dead > ref.count * REWRITE_DEAD_SHARE) rewrite.add(ref.n);
  }
  const last = refs.at(-1);
  if (last !== undefined && newRecords > 0 && !dropped.has(last.n) && last.count - last.dead < maxRecords) {
    rewrite.add(last.n); // top up the last segment rather than leave a trail of small ones
  }
  return { rewrite, dropped };
}

async function liveEntriesOf(
  ctx: StoreContext,
  collection: string,
  ref: SegmentRef,
  dead: Set<number> | undefined,
): Promise<{ columns: RecordColumns; entries: number[] } | null> {
  const key = storeKeys.segment(collection, ref.n);
  const value = await ctx.keyv.get<unknown>(key);
  try {
    if (typeof value !== 'string') throw new Error(value === undefined ? 'segment is missing' : 'segment is not text');
    const decoded = decodeRecords(value);
    if (decoded.failed > 0) throw new Error(decoded.problems.join('; '));
    const entries = [...decoded.entries].filter((_, k) => !dead?.has(decoded.positions[k] as number));
    return { columns: decoded.columns, entries };
  } catch (error) {
    ctx.report({ collection, key, records: ref.count - ref.dead, reason: `${(error as Error).message}; left as it is` });
    return null;
  }
}

/** Writes the manifest, telling this process's own writers to expect the new generation. */
async function switchManifest(ctx: StoreContext, collection: string, state: CollectionState, next: Manifest) {
  const key = storeKeys.manifest(collection);
  state.pendingGen = next.gen;
  try {
    await ctx.keyv.set(key, next);
  } catch (error) {
    // The write may have landed even though the call failed; believe what the store says.
    const stored = await ctx.keyv.get<unknown>(key).catch(() => undefined);
    if (stored === undefined || parseManifest(stored, key).gen !== next.gen) {
      state.pendingGen = null;
      throw error;
    }
  }
  state.manifest = next;
  state.pendingGen = null;
}

/** Best effort: what is left is listed in the manifest and deleted again next time. */
async function deleteGarbage(ctx: StoreContext, collection: string, garbage: Garbage): Promise<void> {
  const journalKeys: string[] = [];
  if (garbage.journal !== null) {
    for (let seq = garbage.journal[0]; seq < garbage.journal[1]; seq++) journalKeys.push(storeKeys.journal(collection, seq));
  }
  // Large values one at a time: the SQLite and PostgreSQL adapters read what they delete.
  const largeKeys = [...garbage.segments.map((n) => storeKeys.segment(collection, n)), ...garbage.deadKeys];
  try {
    for (let from = 0; from < journalKeys.length; from += DELETE_CHUNK) {
      await ctx.keyv.deleteMany(journalKeys.slice(from, from + DELETE_CHUNK));
    }
    for (const key of largeKeys) await ctx.keyv.delete(key);
  } catch (error) {
    const key = journalKeys[0] ?? largeKeys[0] ?? '';
    ctx.report({ collection, key, records: 0, reason: `deleting replaced data failed (retried later): ${(error as Error).message}` });
  }
}

function addDead(dead: DeadLists, n: number, index: number): void {
  let set = dead.get(n);
  if (set === undefined) dead.set(n, (set = new Set()));
  set.add(index);
}

/** Packs records into full segments under fresh numbers and remembers where each went. */
class SegmentPacker {
  readonly written: SegmentRef[] = [];
  /** The key hashes of each written segment's entries. */
  readonly hashes: Float64Array[] = [];
  private batch = new RecordColumnsBuilder();
  private batchHashes: number[] = [];

  constructor(
    private readonly ctx: StoreContext,
    private readonly collection: string,
    public nextSegment: number,
  ) {}

  async add(record: ImageRecord): Promise<void> {
    this.batch.append(record);
    this.batchHashes.push(keyHashOfId(record.id));
    if (this.batch.length >= this.ctx.maxSegmentRecords) await this.flush();
  }

  /** Entry `i` of decoded columns, copied without making a record object. */
  async addFrom(columns: RecordColumns, i: number): Promise<void> {
    this.batch.appendFrom(columns, i);
    this.batchHashes.push(columns.keyHashAt(i));
    if (this.batch.length >= this.ctx.maxSegmentRecords) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    const n = this.nextSegment++;
    const count = this.batch.length;
    const encoded = encodeBuilt(this.batch);
    const hashes = Float64Array.from(this.batchHashes);
    this.batch = new RecordColumnsBuilder();
    this.batchHashes = [];
    await this.ctx.keyv.set(storeKeys.segment(this.collection, n), encoded);
    this.hashes.push(hashes);
    this.written.push({ n, count, dead: 0 });
  }
}
