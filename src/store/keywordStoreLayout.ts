/**
 * How the keyword store lays out one collection's documents in keyv, the same way the
 * image store lays out records (see storeManifest.ts):
 *   kw:s:<c>:<n>  immutable segments of many documents, read with a few large reads at start;
 *   kw:j:<c>:<seq> a journal of one small write per change;
 *   kw:m:<c>       the manifest naming the segments and where the journal starts —
 *                  rewritten only by compaction, as the atomic switch between states.
 * Keys start with `kw:` so they never meet the image store's in the same namespace.
 */
import { StoreCorruptError } from './storeErrors.js';
import type { KeywordDocument } from './keywordDocument.js';

export const keywordKeys = {
  manifest: (collection: string) => `kw:m:${collection}`,
  segment: (collection: string, n: number) => `kw:s:${collection}:${n}`,
  journal: (collection: string, seq: number) => `kw:j:${collection}:${seq}`,
} as const;

export interface KeywordManifest {
  layout: 1;
  /** Bumped by every switch; a writer that finds a newer one knows someone else wrote. */
  gen: number;
  /** The first journal seq not folded into segments. */
  journalStart: number;
  /** The number the next new segment gets (numbers are never reused once a manifest names them). */
  nextSegment: number;
  segments: { n: number; count: number }[];
  /** What the previous switch left to delete: journal seqs [from, to) and segment numbers. */
  garbage: { journal: [number, number] | null; segments: number[] };
}

export function emptyKeywordManifest(): KeywordManifest {
  return { layout: 1, gen: 0, journalStart: 0, nextSegment: 0, segments: [], garbage: { journal: null, segments: [] } };
}

export function parseKeywordManifest(value: unknown, key: string): KeywordManifest {
  const m = value as Partial<KeywordManifest> | null | undefined;
  const ok =
    typeof m === 'object' &&
    m !== null &&
    m.layout === 1 &&
    Number.isSafeInteger(m.gen) &&
    Number.isSafeInteger(m.journalStart) &&
    Number.isSafeInteger(m.nextSegment) &&
    Array.isArray(m.segments) &&
    m.segments.every((s) => Number.isSafeInteger(s?.n) && Number.isSafeInteger(s?.count)) &&
    typeof m.garbage === 'object' &&
    m.garbage !== null;
  if (!ok)
    throw new StoreCorruptError(`the keyword manifest ${key} is not one this program wrote: ${JSON.stringify(value)?.slice(0, 200)}`);
  return m as KeywordManifest;
}

/**
 * A document as stored: [id, imageText, messageText, fileName, description], '' for an absent
 * field, except imageText: null when not read, '' when read and empty (the OCR-done marker).
 */
type StoredDocument = [string, string | null, string, string, string];

export type KeywordJournalValue = { put: StoredDocument[] } | { del: string[] };

export function encodeDocuments(documents: readonly KeywordDocument[]): StoredDocument[] {
  return documents.map((d) => [d.id, d.imageText ?? null, d.messageText ?? '', d.fileName ?? '', d.description ?? '']);
}

/** Stored documents back; throws StoreCorruptError naming the key when the value is not a list of them. */
export function decodeDocuments(value: unknown, key: string): KeywordDocument[] {
  if (!Array.isArray(value)) throw new StoreCorruptError(`${key} does not hold a list of keyword documents`);
  return value.map((entry) => {
    if (
      !Array.isArray(entry) ||
      entry.length !== 5 ||
      entry.some((field, i) => typeof field !== 'string' && !(i === 1 && field === null))
    ) {
      throw new StoreCorruptError(`${key} holds something that is not a keyword document: ${JSON.stringify(entry)?.slice(0, 120)}`);
    }
    const [id, imageText, messageText, fileName, description] = entry as StoredDocument;
    const document: KeywordDocument = { id };
    if (imageText !== null) document.imageText = imageText;
    if (messageText !== '') document.messageText = messageText;
    if (fileName !== '') document.fileName = fileName;
    if (description !== '') document.description = description;
    return document;
  });
}

/** Applies one journal value to id → document (null = deleted); throws StoreCorruptError when unreadable. */
export function applyKeywordJournal(net: Map<string, KeywordDocument | null>, value: unknown, key: string): void {
  const entry = value as Partial<{ put: unknown; del: unknown }> | null | undefined;
  if (entry !== null && typeof entry === 'object' && entry.put !== undefined) {
    for (const document of decodeDocuments(entry.put, key)) net.set(document.id, document);
  } else if (entry !== null && typeof entry === 'object' && Array.isArray(entry.del) && entry.del.every((id) => typeof id === 'string')) {
    for (const id of entry.del) net.set(id, null);
  } else {
    throw new StoreCorruptError(`${key} is not a keyword journal entry: ${JSON.stringify(value)?.slice(0, 120)}`);
  }
}
