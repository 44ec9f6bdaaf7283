import type { Keyv } from 'keyv';
import type { ImageRecord } from './imageRecord.js';
import { decodedRecords, decodeRecords, encodeRecords } from './recordCodec.js';
import { ConcurrentWriterError, StoreCorruptError } from './storeErrors.js';
import { storeKeys } from './storeKeys.js';
import { parseManifest } from './storeManifest.js';
import type { CollectionState } from './storeState.js';
import { isOwnUnconfirmedWrite, unconfirmedWrite } from './unconfirmedWrite.js';

/**
 * The journal: every add, update or delete is one small value j:<collection>:<seq>,
 * written once, never changed. Seqs are contiguous from the manifest's journalStart
 * (one writer per collection writes them in order), which is what lets the end be
 * found by probing instead of a counter that would cost a second write.
 */

export type JournalValue = { put: string } | { del: string[] };

export type JournalEntry =
  | { seq: number; key: string; kind: 'put'; records: ImageRecord[]; failed: number; problems: string[] }
  | { seq: number; key: string; kind: 'del'; ids: string[] }
  | { seq: number; key: string; kind: 'unreadable'; reason: string };

/** How many journal keys one getMany asks for. */
const READ_WINDOW = 256;

export function putValue(records: readonly ImageRecord[]): JournalValue {
  return { put: encodeRecords(records) };
}

export function deleteValue(ids: readonly string[]): JournalValue {
  return { del: [...ids] };
}

/**
 * Appends one entry as the collection's single writer (the caller holds state.writes).
 * The slot must still be empty and the manifest the one this process knows, or
 * someone else is writing the collection: refused, now and for every later write.
 */
export async function appendEntry(keyv: Keyv, collection: string, state: CollectionState, value: JournalValue): Promise<void> {
  if (state.conflict !== null) throw state.conflict;
  let seq = state.nextSeq;
  let key = storeKeys.journal(collection, seq);
  const manifestKey = storeKeys.manifest(collection);
  const [first, stored] = await keyv.getMany<unknown>([key, manifestKey]);
  let existing = first;
  if (existing !== undefined && isOwnUnconfirmedWrite(state.unconfirmed, seq, existing)) {
    // Our own earlier write, reported failed (its answer was lost or late) but stored: its slot is taken.
    state.nextSeq = seq = seq + 1;
    key = storeKeys.journal(collection, seq);
    [existing] = await keyv.getMany<unknown>([key]);
  }
  state.unconfirmed = null;
  if (existing !== undefined) {
    throw (state.conflict = new ConcurrentWriterError(collection, `journal entry ${key} was written by someone else`));
  }
  const storedGen = stored === undefined ? 0 : parseManifest(stored, manifestKey).gen;
  if (storedGen !== state.manifest.gen && storedGen !== state.pendingGen) {
    throw (state.conflict = new ConcurrentWriterError(
      collection,
      `its manifest is at generation ${storedGen} but this process last wrote generation ${state.manifest.gen}`,
    ));
  }
  try {
    await keyv.set(key, value);
  } catch (error) {
    state.unconfirmed = unconfirmedWrite(seq, value);
    throw error;
  }
  state.nextSeq = seq + 1;
}

/**
 * The first seq at or after `start` with no entry: doubling steps, then bisection,
 * so a journal of n entries costs about 2·log2(n) key-exists queries.
 */
export async function findJournalEnd(keyv: Keyv, collection: string, start: number): Promise<number> {
  const exists = (seq: number) => keyv.has(storeKeys.journal(collection, seq));
  if (!(await exists(start))) return start;
  let present = start;
  let step = 1;
  let absent = start + step;
  while (await exists(absent)) {
    present = absent;
    step *= 2;
    absent = present + step;
  }
  while (absent - present > 1) {
    const middle = present + Math.floor((absent - present) / 2);
    if (await exists(middle)) present = middle;
    else absent = middle;
  }
  return absent;
}

/** Entries [start, end) in order, read in windows; a missing entry inside the range is reported as unreadable. */
export async function* readJournal(keyv: Keyv, collection: string, start: number, end: number): AsyncGenerator<JournalEntry> {
  for (let from = start; from < end; from += READ_WINDOW) {
    const seqs: number[] = [];
    for (let seq = from; seq < Math.min(end, from + READ_WINDOW); seq++) seqs.push(seq);
    const keys = seqs.map((seq) => storeKeys.journal(collection, seq));
    const values = await keyv.getMany<unknown>(keys);
    for (let i = 0; i < seqs.length; i++) {
      yield decodeJournalValue(seqs[i] as number, keys[i] as string, values[i]);
    }
  }
}

export function decodeJournalValue(seq: number, key: string, value: unknown): JournalEntry {
  try {
    if (value === undefined || value === null) throw new StoreCorruptError('the entry is missing');
    const entry = value as Partial<{ put: unknown; del: unknown }>;
    if (typeof entry.put === 'string') {
      const decoded = decodeRecords(entry.put);
      return { seq, key, kind: 'put', records: decodedRecords(decoded), failed: decoded.failed, problems: decoded.problems };
    }
    if (Array.isArray(entry.del) && entry.del.every((id) => typeof id === 'string')) {
      return { seq, key, kind: 'del', ids: entry.del };
    }
    throw new StoreCorruptError(`not a journal entry: ${JSON.stringify(value).slice(0, 120)}`);
  } catch (error) {
    return { seq, key, kind: 'unreadable', reason: (error as Error).message };
  }
}

/** The net effect of journal entries applied in order: id → latest record, or null if deleted. */
export function applyJournal(net: Map<string, ImageRecord | null>, entry: JournalEntry): void {
  if (entry.kind === 'put') for (const record of entry.records) net.set(record.id, record);
  else if (entry.kind === 'del') for (const id of entry.ids) net.set(id, null);
}
