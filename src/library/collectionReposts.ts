/**
 * Near-copies among one collection's images, answered from the columns the library already holds:
 * the perceptual hashes by row (RecordTable.perceptual, scanned by reposts/hashScan.ts) and the
 * vectors by the same row, and the words read in each image (OCR), looked up by id in the keyword
 * library (`ImageTextLookup`). The decision itself is reposts/repostMatcher.ts; what this file adds
 * is which rows are compared. Only searchable rows (embedded by the loaded model) take part.
 */
import { isInformative } from '../reposts/dctHash.js';
import { starGroups } from '../reposts/duplicateGroups.js';
import { readHash, slotsWithin } from '../reposts/hashScan.js';
import {
  confirmedNearCopies,
  nearCopyMatch,
  type ImageTextLookup,
  type RepostSignals,
  type RepostThresholds,
} from '../reposts/repostMatcher.js';
import { resolveFilter, rowAllowed, type SearchFilter } from '../search/vectorFilter.js';
import type { ImageInfo } from '../store/imageRecord.js';
import type { CollectionRecords } from './collectionRecords.js';
import type { RecordTable } from './recordTable.js';

export interface RepostQuery extends RepostThresholds {
  /** Only copies this filter allows (e.g. the channels a notice may link to). */
  filter?: SearchFilter;
}

export interface RepostHit {
  image: ImageInfo;
  /** Bits the perceptual hashes differ in (in the nearer orientation). */
  distance: number;
  /** Cosine similarity of the embeddings. */
  similarity: number;
  /** One is the other flipped left to right (their hashes are nearer as mirror images). */
  mirrored: boolean;
}

type Match = Omit<RepostHit, 'image'>;

export interface HitWithCopies<H> {
  hit: H;
  /** Lower-ranked hits that are near-copies of `hit`, in their rank order. */
  nearCopies: H[];
}

/**
 * The images an indexed image is a repost of, posted before it (earlier `createdAt`; the same
 * time, a lower id), outside its own message, earliest first: the same bytes (whatever the
 * picture: a flat meme re-uploaded is a repost too), and near-copies by the repost decision
 * (which needs an informative perceptual hash, and words that agree where both are known). None
 * when the image is not searchable.
 */
export function earlierCopies(records: CollectionRecords, id: string, query: RepostQuery, imageTextOf: ImageTextLookup): RepostHit[] {
  const table = records.searchable;
  const row = table.find(id);
  const filter = row < 0 ? null : resolveFilter(table, query.filter);
  if (filter === null) return [];
  const messageId = table.infoAt(row).messageId;
  const earlier = (slot: number) => slot !== row && postedBefore(table, slot, row) && rowAllowed(filter, table, slot);
  const copies = new Map<number, Match>();
  for (const slot of table.rowsWithSameContent(row).filter(earlier)) copies.set(slot, { distance: 0, similarity: 1, mirrored: false });
  const pairs = table.perceptual;
  if (pairs !== null && table.hasPerceptualHash(row)) {
    const near = slotsWithin(pairs, table.size, readHash(pairs, row), query.maxDistance)
      .filter(({ slot }) => earlier(slot) && !copies.has(slot))
      .map(({ slot, ...match }) => ({ key: slot, ...match }));
    const image = { embedding: records.embeddingAt(row), imageText: imageTextOf(id) };
    for (const { key, ...match } of confirmedNearCopies(image, near, embeddingAtRow(records), query, textAtRow(table, imageTextOf))) {
      copies.set(key, match);
    }
  }
  return [...copies]
    .sort(([a], [b]) => (postedBefore(table, a, b) ? -1 : 1))
    .map(([slot, match]) => ({ image: table.infoAt(slot), ...match }))
    .filter(({ image }) => messageId === '' || image.messageId !== messageId);
}

/**
 * Ranked hits with each near-copy folded into the best-ranked hit it is a near-copy of (pairwise,
 * k² for a page of k): what lets a results page say "and 2 near-copies". Each hit is compared with
 * the hits kept so far, not with what was folded into them, so chains of copies do not merge.
 */
export function foldNearCopies<H extends { image: ImageInfo }>(
  records: CollectionRecords,
  hits: readonly H[],
  thresholds: RepostThresholds,
  imageTextOf: ImageTextLookup,
): Array<HitWithCopies<H>> {
  const kept: Array<HitWithCopies<H> & { signals: RepostSignals | null }> = [];
  for (const hit of hits) {
    const signals = signalsOf(records, hit.image, imageTextOf);
    const leader =
      signals === null
        ? undefined
        : kept.find((other) => other.signals !== null && nearCopyMatch(signals, other.signals, thresholds) !== null);
    if (leader !== undefined) leader.nearCopies.push(hit);
    else kept.push({ hit, nearCopies: [], signals });
  }
  return kept.map(({ hit, nearCopies }) => ({ hit, nearCopies }));
}

/**
 * Every group of near-duplicates among the images a filter allows (stars, see duplicateGroups.ts),
 * largest first; members in id order (Discord ids: oldest first; paths: alphabetical). The same
 * bytes always count as duplicates; other pairs need the repost decision (an informative hash, and
 * words that agree where both are known).
 */
export function duplicateGroupsIn(
  records: CollectionRecords,
  thresholds: RepostThresholds,
  imageTextOf: ImageTextLookup,
  filter?: SearchFilter,
): ImageInfo[][] {
  const table = records.searchable;
  const pairs = table.perceptual;
  const rowFilter = resolveFilter(table, filter);
  if (rowFilter === null) return [];
  const rows: number[] = [];
  const itemOfRow = new Map<number, number>();
  const rowsByContent = new Map<string, number[]>();
  for (let row = 0; row < table.size; row++) {
    if (!rowAllowed(rowFilter, table, row)) continue;
    itemOfRow.set(row, rows.length);
    rows.push(row);
    const content = table.contentHashAt(row);
    if (content === '') continue;
    let same = rowsByContent.get(content);
    if (same === undefined) rowsByContent.set(content, (same = []));
    same.push(row);
  }
  const neighbours = rows.map((row) => {
    const identical = (rowsByContent.get(table.contentHashAt(row)) ?? []).filter((slot) => slot !== row);
    const hashed = pairs !== null && table.hasPerceptualHash(row);
    const near = hashed
      ? slotsWithin(pairs, table.size, readHash(pairs, row), thresholds.maxDistance)
          .filter(({ slot }) => slot !== row && itemOfRow.has(slot) && !identical.includes(slot))
          .map(({ slot, ...match }) => ({ key: slot, ...match }))
      : [];
    const textAt = textAtRow(table, imageTextOf);
    const image = { embedding: records.embeddingAt(row), imageText: near.length === 0 ? undefined : textAt(row) };
    const confirmed = confirmedNearCopies(image, near, embeddingAtRow(records), thresholds, textAt).map(({ key }) => key);
    return [...identical, ...confirmed].map((slot) => itemOfRow.get(slot)!);
  });
  const order = (a: number, b: number) => (table.ranksFirst(rows[a]!, rows[b]!) ? -1 : table.ranksFirst(rows[b]!, rows[a]!) ? 1 : 0);
  return starGroups(neighbours, order).map((group) => group.map((item) => table.infoAt(rows[item]!)));
}

/** Searchable images without a perceptual hash (indexed before hashes were computed, or whose hash failed). */
export function imagesWithoutHash(records: CollectionRecords): number {
  const table = records.searchable;
  let missing = 0;
  for (let row = 0; row < table.size; row++) if (!table.hasPerceptualHash(row)) missing++;
  return missing;
}

/** A hit's hash, embedding and words, or null when it has no usable hash or is no longer searchable. */
function signalsOf(records: CollectionRecords, image: ImageInfo, imageTextOf: ImageTextLookup): RepostSignals | null {
  if (image.perceptualHash === undefined || !isInformative(image.perceptualHash)) return null;
  const row = records.searchable.find(image.id);
  if (row < 0) return null;
  return { perceptualHash: image.perceptualHash, embedding: records.embeddingAt(row), imageText: imageTextOf(image.id) };
}

function embeddingAtRow(records: CollectionRecords): (row: number) => Float32Array {
  return (row) => records.embeddingAt(row);
}

/** The words of a row's image, looked up by its id. */
function textAtRow(table: RecordTable, imageTextOf: ImageTextLookup): ImageTextLookup<number> {
  return (row) => imageTextOf(table.idAt(row));
}

/** Whether row `a` was posted before row `b`: earlier time, or the same time and the lower id. */
function postedBefore(table: RecordTable, a: number, b: number): boolean {
  const at = table.createdAt[a] as number;
  const bt = table.createdAt[b] as number;
  return at !== bt ? at < bt : table.ranksFirst(a, b);
}
