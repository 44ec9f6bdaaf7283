/**
 * Search filters, resolved once per search against a table's interned ids so the scan checks
 * integers, not strings.
 */
import type { Interner } from './interner.js';

/** The per-row columns a filter reads (the collection's RecordTable, row for row with its vectors). */
export interface FilterColumns {
  readonly channels: Interner;
  readonly authors: Interner;
  readonly channel: Uint32Array;
  readonly author: Uint32Array;
  /** ms since epoch */
  readonly createdAt: Float64Array;
}

export interface SearchFilter {
  /** Only rows posted in one of these channels (an empty set allows nothing). */
  channelIds?: ReadonlySet<string>;
  /** Only rows by this author. */
  authorId?: string;
  /** Only rows with createdAt > after (ms since epoch, exclusive). */
  after?: number;
  /** Only rows with createdAt < before (ms since epoch, exclusive). */
  before?: number;
}

/** A filter in row terms. `channels[c] === 1` allows interned channel c; `author < 0` allows any. */
export interface RowFilter {
  channels: Uint8Array | null;
  author: number;
  after: number;
  before: number;
}

function bound(value: number | undefined, name: string, open: number): number {
  if (value === undefined) return open;
  if (Number.isNaN(value)) throw new RangeError(`filter.${name} must be a time in ms, got NaN`);
  return value;
}

/** The filter in row terms, or null when no row of `table` can match it. */
export function resolveFilter(table: FilterColumns, filter: SearchFilter | undefined): RowFilter | null {
  const after = bound(filter?.after, 'after', -Infinity);
  const before = bound(filter?.before, 'before', Infinity);
  if (!(after < before)) return null;
  let author = -1;
  if (filter?.authorId !== undefined) {
    author = table.authors.find(filter.authorId);
    if (author < 0) return null;
  }
  let channels: Uint8Array | null = null;
  if (filter?.channelIds !== undefined) {
    channels = new Uint8Array(table.channels.names.length);
    let any = false;
    for (const name of filter.channelIds) {
      const id = table.channels.find(name);
      if (id >= 0) {
        channels[id] = 1;
        any = true;
      }
    }
    if (!any) return null;
  }
  return { channels, author, after, before };
}

export function rowAllowed(filter: RowFilter, table: FilterColumns, row: number): boolean {
  if (filter.channels !== null && filter.channels[table.channel[row] as number] !== 1) return false;
  if (filter.author >= 0 && table.author[row] !== filter.author) return false;
  const t = table.createdAt[row] as number;
  return t > filter.after && t < filter.before;
}

/** True when the filter lets every row through (the scan can skip the checks). */
export function allowsAll(filter: RowFilter): boolean {
  return filter.channels === null && filter.author < 0 && filter.after === -Infinity && filter.before === Infinity;
}
