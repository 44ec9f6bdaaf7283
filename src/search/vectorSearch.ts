/**
 * Exact top-k by dot product over one table, two ways:
 * - exactTopK: float32 dot product of every allowed row (small collections, and the reference);
 * - int8TopK: an int8 pre-scan picks candidates, float32 re-scores them, and an error bound proves
 *   that no row left out could have made the top k; when the proof fails, every row whose bound
 *   reaches the k-th score is re-scored too. Either way the result equals exactTopK.
 * Filters are checked inside the scan, so the k results are the best allowed rows.
 * Ties in score rank by the caller's order (the library's: by record id).
 */
import { TopK } from './topK.js';
import { SCAN_ROWS, type QueryCodes, type VectorCodes } from './vectorCodes.js';
import { allowsAll, rowAllowed, type FilterColumns, type RowFilter } from './vectorFilter.js';
import type { VectorTable } from './vectorTable.js';

/** What a scan reads besides vectors: the filter's columns, and how rows tie. */
export interface RowContext {
  columns: FilterColumns;
  /** True when row `a` ranks before row `b` at equal scores. */
  ranksFirst: (a: number, b: number) => boolean;
}

/** Fewest candidates the int8 pass keeps; re-scoring 256 rows costs well under a millisecond. */
export const MIN_CANDIDATES = 256;
/** Absolute slack for float64 rounding in the bound (scores are about 1 in size). */
const ROUNDING_SLACK = 1e-9;

export interface Ranked {
  rows: number[];
  scores: number[];
}

/** What one search did, for benchmarks and diagnostics. */
export interface SearchStats {
  path: 'exact' | 'int8';
  /** Rows whose float32 score was computed. */
  rescored: number;
  /** int8 path: true when the error bound proved the candidates enough (no second pass). */
  certified: boolean;
}

export function exactTopK(
  table: VectorTable,
  rows: RowContext,
  query: Float32Array,
  k: number,
  filter: RowFilter,
  stats?: SearchStats,
): Ranked {
  const top = new TopK(k, rows.ranksFirst);
  const columns = rows.columns;
  const n = table.size;
  const all = allowsAll(filter);
  let rescored = 0;
  for (let row = 0; row < n; row++) {
    if (!all && !rowAllowed(filter, columns, row)) continue;
    const score = table.dot(row, query);
    rescored++;
    if (score >= top.threshold) top.push(score, row);
  }
  if (stats) Object.assign(stats, { path: 'exact', rescored, certified: true } satisfies SearchStats);
  return top.sorted();
}

/**
 * Runs the int8 scan and hands each allowed row whose upper_r (see vectorCodes.ts) is above
 * `floor()` to `visit`. `floor` is re-read as rows are visited, so a heap can raise it as it fills;
 * the kernel already drops rows below the floor as it stood at the start of their block.
 */
function scanUpperBounds(
  table: VectorTable,
  columns: FilterColumns,
  codes: VectorCodes,
  query: QueryCodes,
  filter: RowFilter,
  floor: () => number,
  visit: (upper: number, row: number) => void,
): void {
  const n = table.size;
  const all = allowsAll(filter);
  for (let block = 0, start = 0; start < n; block++, start += SCAN_ROWS) {
    let limit = floor();
    const count = codes.scanBlock(block, Math.min(SCAN_ROWS, n - start), query, query.norm, limit);
    const rows = codes.survivorRows;
    const uppers = codes.survivorUppers;
    for (let i = 0; i < count; i++) {
      const upper = uppers[i] as number;
      if (upper < limit) continue;
      const row = start + (rows[i] as number);
      if (!all && !rowAllowed(filter, columns, row)) continue;
      visit(upper, row);
      limit = floor();
    }
  }
}

export function int8TopK(
  table: VectorTable,
  rows: RowContext,
  codes: VectorCodes,
  query: Float32Array,
  k: number,
  filter: RowFilter,
  stats?: SearchStats,
): Ranked {
  const q = codes.setQuery(query);
  // Part of every row's bound that does not depend on the row: |q - q'| * max |x'_r|, plus rounding.
  const constant = q.residual * codes.maxCodeNorm + codes.arithmeticSlack(q) + ROUNDING_SLACK;
  const capacity = Math.min(table.size, Math.max(MIN_CANDIDATES, 4 * k));
  const candidates = new TopK(capacity);
  scanUpperBounds(
    table,
    rows.columns,
    codes,
    q,
    filter,
    () => candidates.threshold,
    (upper, row) => candidates.push(upper, row),
  );

  const exact = new TopK(k, rows.ranksFirst);
  const picked = candidates.keptRows();
  for (const row of picked) exact.push(table.dot(row, query), row);
  let rescored = picked.length;
  // Every row left out has upper bound <= candidates.threshold + constant. If that is below the
  // k-th exact score, none of them can enter the top k. If the candidates never filled up (or could
  // hold every row), every allowed row was a candidate.
  const certified = !candidates.full || capacity >= table.size || (exact.full && candidates.threshold + constant < exact.threshold);
  if (!certified) {
    // Second pass: re-score every allowed row whose bound reaches the k-th score found so far.
    const kth = exact.threshold - constant - ROUNDING_SLACK; // a bound equal to the k-th score may tie it
    const fallback = new TopK(k, rows.ranksFirst);
    rescored = 0;
    scanUpperBounds(
      table,
      rows.columns,
      codes,
      q,
      filter,
      () => kth,
      (_upper, row) => {
        fallback.push(table.dot(row, query), row);
        rescored++;
      },
    );
    if (stats) Object.assign(stats, { path: 'int8', rescored, certified } satisfies SearchStats);
    return fallback.sorted();
  }
  if (stats) Object.assign(stats, { path: 'int8', rescored, certified } satisfies SearchStats);
  return exact.sorted();
}
