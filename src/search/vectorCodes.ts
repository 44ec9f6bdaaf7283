/**
 * An int8 copy of a collection's vectors, scanned by the WebAssembly kernel for a fast first pass,
 * with the error bounds that let the caller prove its final float32 ranking exact.
 *
 * Row r is stored as codes c_r (int8, |c| <= 127) and a scale s_r = max|x_r| / 127, so that
 * x_r ~ x'_r = s_r c_r. The query is quantized the same way: q ~ q' = s_q c_q. Then
 *   q.x_r - q'.x'_r = q.(x_r - x'_r) + (q - q').x'_r
 *   |q.x_r - q'.x'_r| <= |q| |x_r - x'_r| + |q - q'| |x'_r|          (Cauchy-Schwarz)
 * so with residual_r = |x_r - x'_r| (stored per row) and maxCodeNorm = max |x'_r|, every true score
 * is at most  upper_r + |q - q'| maxCodeNorm,  where  upper_r = q'.x'_r + |q| residual_r
 * is what the kernel computes (in f32; `arithmeticSlack` covers that rounding).
 *
 * Memory: one WebAssembly.Memory per collection, laid out as
 *   [scratch: query (int16) | surviving rows (int32) | their uppers (f32)] [block 0] [block 1] ...
 *   block = [SCAN_ROWS rows of codes][SCAN_ROWS scales (f32)][SCAN_ROWS residuals (f32)]
 * so nothing ever moves when the collection grows, and one kernel call scans one block.
 */
import { createScanBlock, createWasmMemory, ROW_ALIGN, type ScanBlock, type WasmMemory } from './vectorKernel.js';

/** Rows per block and per kernel call; the survivors of one call fit the scratch area. */
export const SCAN_ROWS = 2048;
const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB, the limit of a 32-bit WebAssembly memory
/** Rounds a bound stored as float32 up, never down. */
const ROUND_UP = 1 + 1e-6;
/** Relative error allowed for the kernel's f32 arithmetic (a few f32 roundings of 6e-8 each). */
const F32_RELATIVE_ERROR = 1e-6;
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
  /** max |x'_r| and max residual_r over every row ever stored (never lowered: bounds only need to be safe). */
  maxCodeNorm = 0;
  maxResidual = 0;
  private readonly blockBytes: number;
  private readonly scratchBytes: number;
  private readonly memory: WasmMemory;
  private readonly scan: ScanBlock;
  private blocksWritten = 0;
  private bytes8 = new Int8Array(0);
  private floats = new Float32Array(0);
  private queryView = new Int16Array(0);
  /** Rows (block-local) and uppers that passed the last scanBlock, in the first `count` entries. */
  survivorRows = new Int32Array(0);
  survivorUppers = new Float32Array(0);

  constructor(readonly dimensions: number) {
    this.rowBytes = Math.ceil(dimensions / ROW_ALIGN) * ROW_ALIGN;
    this.blockBytes = SCAN_ROWS * (this.rowBytes + 8);
    this.scratchBytes = this.rowBytes * 2 + SCAN_ROWS * 8;
    this.memory = createWasmMemory(Math.ceil(this.scratchBytes / PAGE));
    this.scan = createScanBlock(this.memory);
    this.refreshViews();
  }

  /**
   * Makes room for `rows` rows. Grows by half at least: each grow of a WebAssembly memory costs V8
   * about a garbage collection, and pages never written are never committed by the OS (they cost
   * address space, not memory), so a large step is cheap.
   */
  reserve(rows: number): void {
    const needed = this.scratchBytes + Math.ceil(rows / SCAN_ROWS) * this.blockBytes;
    const current = this.memory.buffer.byteLength;
    if (needed <= current) return;
    const pages = Math.ceil(Math.max(needed, current * 1.5) / PAGE);
    const minimum = Math.ceil(needed / PAGE);
    if (minimum > MAX_PAGES) throw new VectorCodesFullError(rows, this.rowBytes);
    this.memory.grow(Math.min(pages, MAX_PAGES) - current / PAGE);
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
    const codes = this.bytes8;
    const base = this.codeOffset(row);
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
    const scaleIndex = this.scaleIndex(row);
    const residual = Math.fround(Math.sqrt(residual2) * ROUND_UP);
    this.floats[scaleIndex] = scale;
    this.floats[scaleIndex + SCAN_ROWS] = residual;
    if (residual > this.maxResidual) this.maxResidual = residual;
    const norm = Math.sqrt(norm2) * ROUND_UP;
    if (norm > this.maxCodeNorm) this.maxCodeNorm = norm;
    const block = Math.floor(row / SCAN_ROWS);
    if (block >= this.blocksWritten) this.blocksWritten = block + 1;
  }

  /** Copies row `from` over row `to` (for removal by swap-with-last). */
  move(from: number, to: number): void {
    const source = this.codeOffset(from);
    this.bytes8.copyWithin(this.codeOffset(to), source, source + this.rowBytes);
    const fromIndex = this.scaleIndex(from);
    const toIndex = this.scaleIndex(to);
    this.floats[toIndex] = this.floats[fromIndex] as number;
    this.floats[toIndex + SCAN_ROWS] = this.floats[fromIndex + SCAN_ROWS] as number;
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
   * Bound on the error of the kernel's f32 arithmetic for this query: the uppers it returns are
   * within this of the exact upper_r.
   */
  arithmeticSlack(query: QueryCodes): number {
    const magnitude = (query.norm + query.residual) * this.maxCodeNorm + query.norm * this.maxResidual;
    return F32_RELATIVE_ERROR * magnitude + 1e-12;
  }

  /**
   * Scans rows block*SCAN_ROWS .. +rows-1 (rows <= SCAN_ROWS) against the last setQuery and returns
   * how many have upper_r >= threshold; their block-local indexes and uppers are the first entries of
   * survivorRows and survivorUppers. queryNorm 0 makes the uppers plain approximate scores.
   */
  scanBlock(block: number, rows: number, query: QueryCodes, queryNorm: number, threshold: number): number {
    const start = this.scratchBytes + block * this.blockBytes;
    const scales = start + SCAN_ROWS * this.rowBytes;
    const outRows = this.rowBytes * 2;
    // threshold is rounded to f32 by the call; the kernel keeps uppers >= it, so no upper above the
    // f64 threshold is lost (no f32 lies strictly between a value and its nearest f32).
    return this.scan(
      start,
      rows,
      this.rowBytes,
      0,
      scales,
      scales + SCAN_ROWS * 4,
      query.scale,
      queryNorm,
      threshold,
      outRows,
      outRows + SCAN_ROWS * 4,
    );
  }

  /** Resident bytes: scratch and the blocks ever written (pages never touched are not committed). */
  get bytes(): number {
    return this.scratchBytes + this.blocksWritten * this.blockBytes;
  }

  private codeOffset(row: number): number {
    return this.scratchBytes + Math.floor(row / SCAN_ROWS) * this.blockBytes + (row % SCAN_ROWS) * this.rowBytes;
  }

  /** Index in `floats` of a row's scale; its residual is SCAN_ROWS further. */
  private scaleIndex(row: number): number {
    const blockStart = this.scratchBytes + Math.floor(row / SCAN_ROWS) * this.blockBytes;
    return (blockStart + SCAN_ROWS * this.rowBytes) / 4 + (row % SCAN_ROWS);
  }

  private refreshViews(): void {
    const buffer = this.memory.buffer;
    this.bytes8 = new Int8Array(buffer);
    this.floats = new Float32Array(buffer);
    this.queryView = new Int16Array(buffer, 0, this.rowBytes);
    this.survivorRows = new Int32Array(buffer, this.rowBytes * 2, SCAN_ROWS);
    this.survivorUppers = new Float32Array(buffer, this.rowBytes * 2 + SCAN_ROWS * 4, SCAN_ROWS);
  }
}
