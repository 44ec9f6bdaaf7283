/**
 * An int8 copy of a collection's vectors, scanned by the WebAssembly kernel for a fast first pass,
 * with the error bounds that let the caller prove its final float32 ranking exact.
 *
 * Row r is stored as codes c_r (int8, |c| <= 127) and a scale s_r = max|x_r| / 127, so that
 * x_r ~ x'_r = s_r c_r. The query is quantized the same way: q ~ q' = s_q c_q. Then
 *   q.x_r - q'.x'_r = q.(x_r - x'_r) + (q - q').x'_r
 *   |q.x_r - q'.x'_r| <= |q| |x_r - x'_r| + |q - q'| |x'_r|          (Cauchy-Schwarz)
 * so with residual[r] = |x_r - x'_r| and maxCodeNorm = max |x'_r|, every true score is at most
 *   approx_r + |q| residual[r] + |q - q'| maxCodeNorm.
 *
 * Memory: one WebAssembly.Memory per collection, laid out as
 *   [codes: capacity x rowBytes][query: rowBytes int16][scores: SCAN_ROWS int32].
 * Growing it is in place (no copy of the codes); the scratch area after the codes moves with it.
 */
import { createDotRows, createWasmMemory, ROW_ALIGN, type DotRows, type WasmMemory } from './vectorKernel.js';

/** Rows per kernel call: 8 KB of scores, which stay in L1 for the caller's selection loop. */
export const SCAN_ROWS = 2048;
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the limit of a 32-bit WebAssembly memory
/** Rounds a bound stored as float32 up, never down. */
const ROUND_UP = 1 + 1e-6;
/**
 * (x + 1.5 * 2^52) - 1.5 * 2^52 rounds x to the nearest integer (ties to even) without branches;
 * Math.round was 4x slower here on random data. |x| <= 127 * (1 + 2^-23) after scaling, so no clamp
 * is needed: the scale is max|x| / 127 rounded to float32, at most one float32 ulp below it.
 */
const ROUNDER = 6755399441055744;

export interface QueryCodes {
  /** s_q: the query's int8 scale. */
  scale: number;
  /** |q| */
  norm: number;
  /** |q - q'| */
  residual: number;
}

export class VectorCodesFullError extends Error {
  constructor(rows: number, rowBytes: number) {
    super(
      `cannot hold ${rows} vectors of ${rowBytes} int8 values in one collection's scan memory (4 GiB); ` +
        'split the collection or lower the model dimension',
    );
    this.name = 'VectorCodesFullError';
  }
}

export class VectorCodes {
  readonly rowBytes: number;
  /** s_r of each row. */
  scales = new Float32Array(0);
  /** |x_r - x'_r| of each row, rounded up. */
  residuals = new Float32Array(0);
  /** max |x'_r| over every row ever stored (never lowered: a bound only needs to be safe). */
  maxCodeNorm = 0;
  private readonly memory: WasmMemory;
  private readonly dotRows: DotRows;
  private capacity = 0;
  private codes = new Int8Array(0);
  private queryView = new Int16Array(0);
  private scoresView = new Int32Array(0);

  constructor(readonly dimensions: number) {
    this.rowBytes = Math.ceil(dimensions / ROW_ALIGN) * ROW_ALIGN;
    this.memory = createWasmMemory(1);
    this.dotRows = createDotRows(this.memory);
    this.refreshViews();
  }

  /** Makes room for `rows` rows (grows by at least an eighth, to keep the number of grows small). */
  reserve(rows: number): void {
    if (rows <= this.capacity) return;
    const target = Math.max(rows, Math.ceil(this.capacity * 1.125));
    const bytesNeeded = target * this.rowBytes + this.scratchBytes();
    const pages = Math.ceil(bytesNeeded / PAGE);
    const current = this.memory.buffer.byteLength / PAGE;
    if (pages > MAX_PAGES) throw new VectorCodesFullError(rows, this.rowBytes);
    if (pages > current) this.memory.grow(pages - current);
    this.refreshViews();
  }

  /** Quantizes `vector` into row `row`. */
  set(row: number, vector: Float32Array): void {
    this.reserve(row + 1);
    const d = this.dimensions;
    let maxAbs = 0;
    for (let i = 0; i < d; i++) {
      const a = Math.abs(vector[i] as number);
      if (a > maxAbs) maxAbs = a;
    }
    // Below 1e-30 a float32 scale would be subnormal and imprecise: store zeros, the residual covers it.
    const scale = maxAbs > 1e-30 ? Math.fround(maxAbs / 127) : 0;
    const inverse = scale > 0 ? 1 / scale : 0;
    const codes = this.codes;
    const base = row * this.rowBytes;
    let residual2 = 0;
    let norm2 = 0;
    for (let i = 0; i < d; i++) {
      const x = vector[i] as number;
      const c = x * inverse + ROUNDER - ROUNDER;
      codes[base + i] = c;
      const approx = scale * c; // exact in float64: a float32 times a small integer
      residual2 += (x - approx) * (x - approx);
      norm2 += approx * approx;
    }
    codes.fill(0, base + d, base + this.rowBytes);
    this.scales[row] = scale;
    this.residuals[row] = Math.fround(Math.sqrt(residual2) * ROUND_UP);
    const norm = Math.sqrt(norm2) * ROUND_UP;
    if (norm > this.maxCodeNorm) this.maxCodeNorm = norm;
  }

  /** Copies row `from` over row `to` (for removal by swap-with-last). */
  move(from: number, to: number): void {
    const rb = this.rowBytes;
    this.codes.copyWithin(to * rb, from * rb, from * rb + rb);
    this.scales[to] = this.scales[from] as number;
    this.residuals[to] = this.residuals[from] as number;
  }

  /** Quantizes the query into the scratch area; later scanBlock calls score against it. */
  setQuery(query: Float32Array): QueryCodes {
    const d = this.dimensions;
    let maxAbs = 0;
    let norm2 = 0;
    for (let i = 0; i < d; i++) {
      const x = query[i] as number;
      norm2 += x * x;
      const a = Math.abs(x);
      if (a > maxAbs) maxAbs = a;
    }
    const scale = maxAbs / 127;
    const inverse = scale > 0 ? 1 / scale : 0;
    const q16 = this.queryView;
    q16.fill(0);
    let residual2 = 0;
    for (let i = 0; i < d; i++) {
      const x = query[i] as number;
      const c = x * inverse + ROUNDER - ROUNDER;
      q16[i] = c;
      const r = x - scale * c;
      residual2 += r * r;
    }
    return { scale, norm: Math.sqrt(norm2) * ROUND_UP, residual: Math.sqrt(residual2) * ROUND_UP };
  }

  /**
   * Integer scores c_q.c_r of rows start .. start+rows-1 (rows <= SCAN_ROWS) against the last
   * setQuery, in the first `rows` entries of the returned array (overwritten by the next call).
   */
  scanBlock(start: number, rows: number): Int32Array {
    const query = this.capacity * this.rowBytes;
    this.dotRows(start * this.rowBytes, rows, this.rowBytes, query, query + this.rowBytes * 2);
    return this.scoresView;
  }

  /** Bytes held: the WebAssembly memory plus the per-row bounds. */
  get bytes(): number {
    return this.memory.buffer.byteLength + this.scales.byteLength + this.residuals.byteLength;
  }

  private scratchBytes(): number {
    return this.rowBytes * 2 + SCAN_ROWS * 4;
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.capacity = Math.max(0, Math.floor((buffer.byteLength - this.scratchBytes()) / this.rowBytes));
    const scratch = this.capacity * this.rowBytes;
    this.codes = new Int8Array(buffer, 0, scratch);
    this.queryView = new Int16Array(buffer, scratch, this.rowBytes);
    this.scoresView = new Int32Array(buffer, scratch + this.rowBytes * 2, SCAN_ROWS);
    if (this.scales.length !== this.capacity) {
      const scales = new Float32Array(this.capacity);
      scales.set(this.scales.subarray(0, this.capacity));
      this.scales = scales;
      const residuals = new Float32Array(this.capacity);
      residuals.set(this.residuals.subarray(0, this.capacity));
      this.residuals = residuals;
    }
  }
}
