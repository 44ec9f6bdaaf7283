import { StoreCorruptError } from './storeErrors.js';

/**
 * A collection's manifest: the one value rewritten in place, and only by compaction or
 * a drop. Writing it is the atomic switch from one consistent state to the next:
 * everything it names was written before it, and what it no longer names is deleted
 * only after it.
 */

export interface SegmentRef {
  /** The segment's number in its key s:<collection>:<n>; never reused. */
  n: number;
  /** Entries stored in the segment. */
  count: number;
  /** How many of those entries later writes replaced or deleted (listed under deadKey). */
  dead: number;
}

export interface Garbage {
  /** Journal seqs [from, to) already folded into segments. */
  journal: [number, number] | null;
  /** Segment numbers no longer in the manifest. */
  segments: number[];
  /** Dead-list keys no longer in use. */
  deadKeys: string[];
}

export interface Manifest {
  layout: 1;
  /** Bumped by every switch; a writer that sees a newer one knows someone else wrote. */
  gen: number;
  /** The first journal seq not yet folded into segments. */
  journalStart: number;
  /** The number the next new segment gets. */
  nextSegment: number;
  segments: SegmentRef[];
  /** Key of { [n]: sorted entry indexes } for segments with dead entries, or null. */
  deadKey: string | null;
  /** What the previous switch left to delete; deleted again (idempotently) by the next compaction. */
  garbage: Garbage;
}

/** Dead entries per segment number. */
export type DeadLists = Map<number, Set<number>>;

export function emptyManifest(): Manifest {
  return {
    layout: 1,
    gen: 0,
    journalStart: 0,
    nextSegment: 0,
    segments: [],
    deadKey: null,
    garbage: { journal: null, segments: [], deadKeys: [] },
  };
}

export function parseManifest(value: unknown, key: string): Manifest {
  const m = value as Partial<Manifest> | undefined;
  const ok =
    m !== null &&
    typeof m === 'object' &&
    m.layout === 1 &&
    Number.isSafeInteger(m.gen) &&
    Number.isSafeInteger(m.journalStart) &&
    Number.isSafeInteger(m.nextSegment) &&
    Array.isArray(m.segments) &&
    m.segments.every((s) => Number.isSafeInteger(s?.n) && Number.isSafeInteger(s?.count) && Number.isSafeInteger(s?.dead)) &&
    (m.deadKey === null || typeof m.deadKey === 'string') &&
    typeof m.garbage === 'object' &&
    m.garbage !== null;
  if (!ok) throw new StoreCorruptError(`the manifest ${key} is not one this program wrote: ${JSON.stringify(value)?.slice(0, 200)}`);
  return m as Manifest;
}

export function liveCount(manifest: Manifest): number {
  return manifest.segments.reduce((sum, s) => sum + s.count - s.dead, 0);
}

export function parseDeadLists(value: unknown): DeadLists {
  const lists: DeadLists = new Map();
  if (value === undefined || value === null) return lists;
  for (const [n, indexes] of Object.entries(value as Record<string, number[]>)) {
    lists.set(Number(n), new Set(indexes));
  }
  return lists;
}

export function serializeDeadLists(lists: DeadLists): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [n, indexes] of lists) {
    if (indexes.size > 0) out[String(n)] = [...indexes].sort((a, b) => a - b);
  }
  return out;
}
