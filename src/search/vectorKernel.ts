/**
 * The int8 scan kernel behind VectorIndex: a tiny WebAssembly SIMD module.
 *
 * Why WebAssembly: a JS loop over 1 M x 256 floats takes ~500 ms; this kernel reads 1 byte per
 * dimension with 128-bit SIMD (`v128.load8x8_s` + `i32x4.dot_i16x8_s`, i.e. pmovsxbw + pmaddwd)
 * and runs at memory bandwidth (~25-30 ms for 256 MB on this machine), synchronously, on one core,
 * with no native addon. The module is assembled here from its opcodes (about 250 bytes), so the
 * project ships no binary blob and needs no build step.
 *
 * Exported function, in WebAssembly text terms:
 *   (func (export "scanBlock")
 *     (param $codes i32) (param $rows i32) (param $rowBytes i32) (param $query i32)
 *     (param $scales i32) (param $residuals i32) (param $queryScale f32) (param $queryNorm f32)
 *     (param $threshold f32) (param $outRows i32) (param $outUppers i32) (result i32)
 *   For each row r < $rows (each $rowBytes int8 codes from $codes, $rowBytes % 16 == 0):
 *     dot   = sum over d of codes[r][d] * query[d]          exact int32; the query is int16
 *     upper = f32(dot) * scales[r] * $queryScale + residuals[r] * $queryNorm      (f32 math)
 *     if upper >= $threshold: append r to $outRows and upper to $outUppers
 *   Returns how many rows were appended. The JS caller then only looks at those rows.
 * |int8 x int8| <= 127 * 127 and rowBytes <= 65536 keep every dot product inside int32, and below
 * 2^24 for 256 dimensions, so its conversion to f32 is exact there.
 */

const I32 = 0x7f;
const V128 = 0x7b;

function uleb(value: number): number[] {
  const out: number[] = [];
  let rest = value >>> 0;
  do {
    let byte = rest & 0x7f;
    rest >>>= 7;
    if (rest !== 0) byte |= 0x80;
    out.push(byte);
  } while (rest !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let rest = value | 0;
  for (;;) {
    const byte = rest & 0x7f;
    rest >>= 7;
    const done = (rest === 0 && (byte & 0x40) === 0) || (rest === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A length-prefixed vector of already-encoded items. */
function vec(items: number[][]): number[] {
  return [...uleb(items.length), ...items.flat()];
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...Buffer.from(text, 'utf8')];
  return [...uleb(bytes.length), ...bytes];
}

// Instructions used by the kernel (core and SIMD opcodes from the WebAssembly 2.0 binary format).
const F32 = 0x7d;
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
const i32Const = (value: number): number[] => [0x41, ...sleb(value)];
const I32_EQZ = [0x45];
const I32_LT_U = [0x49];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const I32_SHL = [0x74];
const F32_GE = [0x60];
const F32_ADD = [0x92];
const F32_MUL = [0x94];
const F32_CONVERT_I32_S = [0xb2];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const IF = [0x04, 0x40];
const END = [0x0b];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const i32Store = (offset: number): number[] => [0x36, 2, ...uleb(offset)];
const f32Load = (offset: number): number[] => [0x2a, 2, ...uleb(offset)];
const f32Store = (offset: number): number[] => [0x38, 2, ...uleb(offset)];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
const v128Load = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
const v128Load8x8S = (offset: number): number[] => simd(0x01, 3, ...uleb(offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const I32X4_EXTRACT = (lane: number): number[] => simd(0x1b, lane);
const I32X4_ADD = simd(0xae);
const I32X4_DOT_I16X8_S = simd(0xba);

const PARAMS = [I32, I32, I32, I32, I32, I32, F32, F32, F32, I32, I32];

/** The kernel body; locals 0-10 are the parameters. */
function scanBlockBody(): number[] {
  const [codes, rows, rowBytes, query, scales, residuals, queryScale, queryNorm, threshold, outRows, outUppers] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
  ];
  const [end, p, rowEnd, q, sum, count, row] = [11, 12, 13, 14, 15, 16, 17]; // i32 locals
  const [acc0, acc1] = [18, 19]; // v128 locals: two accumulators hide the add latency
  const upper = 20; // f32 local
  return [
    ...BLOCK,
    ...get(rows),
    ...I32_EQZ,
    ...brIf(0),
    ...get(codes),
    ...get(rows),
    ...get(rowBytes),
    ...I32_MUL,
    ...I32_ADD,
    ...set(end),
    ...LOOP, // one row per iteration
    ...V128_ZERO,
    ...set(acc0),
    ...V128_ZERO,
    ...set(acc1),
    ...get(codes),
    ...set(p),
    ...get(codes),
    ...get(rowBytes),
    ...I32_ADD,
    ...set(rowEnd),
    ...get(query),
    ...set(q),
    ...LOOP, // 16 dimensions per iteration
    ...get(acc0),
    ...get(p),
    ...v128Load8x8S(0),
    ...get(q),
    ...v128Load(0),
    ...I32X4_DOT_I16X8_S,
    ...I32X4_ADD,
    ...set(acc0),
    ...get(acc1),
    ...get(p),
    ...v128Load8x8S(8),
    ...get(q),
    ...v128Load(16),
    ...I32X4_DOT_I16X8_S,
    ...I32X4_ADD,
    ...set(acc1),
    ...get(q),
    ...i32Const(32),
    ...I32_ADD,
    ...set(q),
    ...get(p),
    ...i32Const(16),
    ...I32_ADD,
    ...tee(p),
    ...get(rowEnd),
    ...I32_LT_U,
    ...brIf(0),
    ...END,
    ...get(acc0),
    ...get(acc1),
    ...I32X4_ADD,
    ...tee(acc0),
    ...I32X4_EXTRACT(0),
    ...get(acc0),
    ...I32X4_EXTRACT(1),
    ...I32_ADD,
    ...get(acc0),
    ...I32X4_EXTRACT(2),
    ...I32_ADD,
    ...get(acc0),
    ...I32X4_EXTRACT(3),
    ...I32_ADD,
    ...set(sum),
    // upper = f32(sum) * scales[row] * queryScale + residuals[row] * queryNorm
    ...get(sum),
    ...F32_CONVERT_I32_S,
    ...get(scales),
    ...f32Load(0),
    ...F32_MUL,
    ...get(queryScale),
    ...F32_MUL,
    ...get(residuals),
    ...f32Load(0),
    ...get(queryNorm),
    ...F32_MUL,
    ...F32_ADD,
    ...tee(upper),
    ...get(threshold),
    ...F32_GE,
    ...IF,
    ...get(outRows),
    ...get(count),
    ...i32Const(2),
    ...I32_SHL,
    ...I32_ADD,
    ...get(row),
    ...i32Store(0),
    ...get(outUppers),
    ...get(count),
    ...i32Const(2),
    ...I32_SHL,
    ...I32_ADD,
    ...get(upper),
    ...f32Store(0),
    ...get(count),
    ...i32Const(1),
    ...I32_ADD,
    ...set(count),
    ...END,
    ...get(scales),
    ...i32Const(4),
    ...I32_ADD,
    ...set(scales),
    ...get(residuals),
    ...i32Const(4),
    ...I32_ADD,
    ...set(residuals),
    ...get(row),
    ...i32Const(1),
    ...I32_ADD,
    ...set(row),
    ...get(rowEnd),
    ...tee(codes),
    ...get(end),
    ...I32_LT_U,
    ...brIf(0),
    ...END,
    ...END,
    ...get(count),
  ];
}

/** The whole module: imports its memory as env.memory, exports scanBlock. */
export function kernelModuleBytes(): Uint8Array {
  const funcType = [0x60, ...vec(PARAMS.map((t) => [t])), ...vec([[I32]])];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  const locals = vec([
    [...uleb(7), I32],
    [...uleb(2), V128],
    [...uleb(1), F32],
  ]);
  const body = [...locals, ...scanBlockBody(), ...END];
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00, // "\0asm", version 1
    ...section(1, vec([funcType])),
    ...section(2, vec([memoryImport])),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...name('scanBlock'), 0x00, ...uleb(0)]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

export type ScanBlock = (
  codes: number,
  rows: number,
  rowBytes: number,
  query: number,
  scales: number,
  residuals: number,
  queryScale: number,
  queryNorm: number,
  threshold: number,
  outRows: number,
  outUppers: number,
) => number;

/** The part of the WebAssembly API used here (@types/node 20 does not declare the global). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export function createWasmMemory(pages: number): WasmMemory {
  return new wasm.Memory({ initial: pages });
}

let compiled: object | undefined;

/** Instantiates the kernel over `memory` (the module is compiled once per process). */
export function createScanBlock(memory: WasmMemory): ScanBlock {
  compiled ??= new wasm.Module(kernelModuleBytes());
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return instance.exports['scanBlock'] as ScanBlock;
}

/** Rows are padded to a multiple of this many int8 values (one v128). */
export const ROW_ALIGN = 16;
