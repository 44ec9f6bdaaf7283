/**
 * The int8 dot-product kernel behind the quantized scan: a tiny WebAssembly SIMD module.
 *
 * Why WebAssembly: a JS loop over 1 M x 256 floats takes ~500 ms; this kernel reads 1 byte per
 * dimension with 128-bit SIMD (`v128.load8x8_s` + `i32x4.dot_i16x8_s`, i.e. pmovsxbw + pmaddwd)
 * and runs at memory bandwidth (~25-35 ms for 256 MB on this machine), synchronously, on one core,
 * with no native addon. The module is assembled here from its opcodes (about 150 bytes), so the
 * project ships no binary blob and needs no build step.
 *
 * Exported function, in WebAssembly text form:
 *   (func (export "dotRows") (param $codes i32) (param $rows i32) (param $rowBytes i32)
 *                            (param $query i32) (param $out i32)
 *     for each of $rows rows starting at $codes (each $rowBytes int8 values, $rowBytes % 16 == 0):
 *       out[r] = sum over d of int8 codes[r][d] * int16 query[d]          (exact, int32)
 * The query is stored as int16 (the int8 query sign-extended) so each 8-lane block is one pmaddwd.
 * |int8 x int8| <= 127 * 127 and rowBytes <= 65536 keep every sum far inside int32.
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
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
const i32Const = (value: number): number[] => [0x41, ...sleb(value)];
const I32_EQZ = [0x45];
const I32_LT_U = [0x49];
const I32_ADD = [0x6a];
const I32_MUL = [0x6c];
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = [0x0b];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const i32Store = (offset: number): number[] => [0x36, 2, ...uleb(offset)];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
const v128Load = (offset: number): number[] => simd(0x00, 4, ...uleb(offset));
const v128Load8x8S = (offset: number): number[] => simd(0x01, 3, ...uleb(offset));
const V128_ZERO = simd(0x0c, ...new Array<number>(16).fill(0));
const I32X4_EXTRACT = (lane: number): number[] => simd(0x1b, lane);
const I32X4_ADD = simd(0xae);
const I32X4_DOT_I16X8_S = simd(0xba);

/** The kernel body; locals 0-4 are the parameters. */
function dotRowsBody(): number[] {
  const [codes, rows, rowBytes, query, out] = [0, 1, 2, 3, 4];
  const [end, p, rowEnd, q, sum] = [5, 6, 7, 8, 9]; // i32 locals
  const [acc0, acc1] = [10, 11]; // v128 locals: two accumulators hide the add latency
  return [
    ...BLOCK,
    ...get(rows), ...I32_EQZ, ...brIf(0),
    ...get(codes), ...get(rows), ...get(rowBytes), ...I32_MUL, ...I32_ADD, ...set(end),
    ...LOOP, // one row per iteration
    ...V128_ZERO, ...set(acc0), ...V128_ZERO, ...set(acc1),
    ...get(codes), ...set(p),
    ...get(codes), ...get(rowBytes), ...I32_ADD, ...set(rowEnd),
    ...get(query), ...set(q),
    ...LOOP, // 16 dimensions per iteration
    ...get(acc0), ...get(p), ...v128Load8x8S(0), ...get(q), ...v128Load(0), ...I32X4_DOT_I16X8_S, ...I32X4_ADD, ...set(acc0),
    ...get(acc1), ...get(p), ...v128Load8x8S(8), ...get(q), ...v128Load(16), ...I32X4_DOT_I16X8_S, ...I32X4_ADD, ...set(acc1),
    ...get(q), ...i32Const(32), ...I32_ADD, ...set(q),
    ...get(p), ...i32Const(16), ...I32_ADD, ...tee(p), ...get(rowEnd), ...I32_LT_U, ...brIf(0),
    ...END,
    ...get(acc0), ...get(acc1), ...I32X4_ADD, ...tee(acc0), ...I32X4_EXTRACT(0),
    ...get(acc0), ...I32X4_EXTRACT(1), ...I32_ADD,
    ...get(acc0), ...I32X4_EXTRACT(2), ...I32_ADD,
    ...get(acc0), ...I32X4_EXTRACT(3), ...I32_ADD, ...set(sum),
    ...get(out), ...get(sum), ...i32Store(0),
    ...get(out), ...i32Const(4), ...I32_ADD, ...set(out),
    ...get(rowEnd), ...tee(codes), ...get(end), ...I32_LT_U, ...brIf(0),
    ...END,
    ...END,
  ];
}

/** The whole module: imports its memory as env.memory, exports dotRows. */
export function kernelModuleBytes(): Uint8Array {
  const funcType = [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])];
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)];
  const body = [...vec([[...uleb(5), I32], [...uleb(2), V128]]), ...dotRowsBody(), ...END];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
    ...section(1, vec([funcType])),
    ...section(2, vec([memoryImport])),
    ...section(3, vec([uleb(0)])),
    ...section(7, vec([[...name('dotRows'), 0x00, ...uleb(0)]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}

export type DotRows = (codes: number, rows: number, rowBytes: number, query: number, out: number) => void;

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
export function createDotRows(memory: WasmMemory): DotRows {
  compiled ??= new wasm.Module(kernelModuleBytes());
  const instance = new wasm.Instance(compiled, { env: { memory } });
  return instance.exports['dotRows'] as DotRows;
}

/** Rows are padded to a multiple of this many int8 values (one v128). */
export const ROW_ALIGN = 16;
