/**
 * Vector search benchmark: VectorIndex against a naive baseline (an array of Float32Array, dot
 * products in a JS loop, a full sort of all scores), for N = 10 k, 100 k and 1 M vectors of 256
 * dimensions, on one thread. Prints latency (p50, p99), speed-up, bytes per vector, int8 recall,
 * whether results are identical to exact float32 ranking, and the cold-load time from SQLite.
 * The last line is `RESULT search.speedup_1m <speed-up at 1 M>`.
 *
 * Data: unit vectors in 2000 clusters (image collections are clustered, which makes neighbours
 * closer together than uniform random data would); queries are noisy cluster centres.
 * Optional argument: the largest N (default 1000000), e.g. `npm run bench -- search 100000`.
 */
import os from 'node:os';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { TopK } from '../src/search/topK.js';
import { SCAN_ROWS, VectorCodes } from '../src/search/vectorCodes.js';
import { VectorIndex, type ScoredId, type SearchFilter, type SearchStats } from '../src/search/vectorIndex.js';
import { measureColdLoad } from './storeLoad.js';
import { mulberry32 as random } from '../test/fixtures/seededRandom.js';

const DIMENSIONS = 256;
const K = 10;
const CLUSTERS = 2000;
const CHANNELS = 50;
const MAX_N = Number(process.argv[2] ?? 1_000_000);
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= MAX_N);
const FILTER_QUERIES = 3;
const started = performance.now();
/** Queries per size: [timed on VectorIndex, timed on the baseline (also checked for identity), checked against exact]. */
const QUERIES: Record<number, [number, number, number]> = {
  10_000: [1000, 30, 100],
  100_000: [500, 10, 50],
  1_000_000: [200, 5, 10],
};

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const next = random(2024);
let spare = Number.NaN;
/** Box-Muller, using both values of each pair. */
function gaussian(): number {
  if (!Number.isNaN(spare)) {
    const value = spare;
    spare = Number.NaN;
    return value;
  }
  const radius = Math.sqrt(-2 * Math.log(next() || 1e-12));
  const angle = 2 * Math.PI * next();
  spare = radius * Math.sin(angle);
  return radius * Math.cos(angle);
}
/** normalize(center + spread * g / sqrt(D)) written into out. */
function around(center: Float32Array | null, spread: number, out: Float32Array): Float32Array {
  const scale = spread / Math.sqrt(DIMENSIONS);
  let norm = 0;
  for (let i = 0; i < DIMENSIONS; i++) {
    const x = (center === null ? 0 : (center[i] as number)) + gaussian() * scale;
    out[i] = x;
    norm += x * x;
  }
  const inverse = 1 / Math.sqrt(norm);
  for (let i = 0; i < DIMENSIONS; i++) out[i] = (out[i] as number) * inverse;
  return out;
}

const centers = Array.from({ length: CLUSTERS }, () => around(null, 1, new Float32Array(DIMENSIONS)));
const queryCount = Math.max(...SIZES.map((n) => (QUERIES[n] as [number, number, number])[0]));
const queries = Array.from({ length: queryCount }, () =>
  around(centers[Math.floor(next() * CLUSTERS)] as Float32Array, 1.5, new Float32Array(DIMENSIONS)),
);

const loadAverage = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
console.log(`search bench: node ${process.version}, ${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, load average ${loadAverage()}`);
console.log(`generating ${MAX_N} x ${DIMENSIONS} clustered unit vectors ...`);
const data = new Float32Array(MAX_N * DIMENSIONS);
const ids: string[] = [];
const metas: { channelId: string; authorId: string; createdAt: number }[] = [];
for (let i = 0; i < MAX_N; i++) {
  around(centers[Math.floor(next() * CLUSTERS)] as Float32Array, 1, data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS));
  ids.push(`img-${String(i).padStart(8, '0')}`); // zero-padded: id order is insertion order, as the baseline breaks ties
  metas.push({ channelId: `ch-${Math.floor(next() * CHANNELS)}`, authorId: `user-${Math.floor(next() * 1000)}`, createdAt: 1_600_000_000_000 + i * 1000 });
}
const rowOf = (i: number): Float32Array => data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS);

/** The baseline, as a first implementation would write it. */
function naiveSearch(vectors: Float32Array[], query: Float32Array, k: number): ScoredId[] {
  const scored: ScoredId[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i] as Float32Array;
    let score = 0;
    for (let d = 0; d < v.length; d++) score += (v[d] as number) * (query[d] as number);
    scored.push({ id: ids[i] as string, score });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, k);
}

/** Exact float32 ranking (same arithmetic as the baseline), faster: no objects, no full sort. */
function exactSearch(n: number, query: Float32Array, k: number, filter?: (i: number) => boolean): ScoredId[] {
  const top = new TopK(k, (a, b) => a < b);
  for (let i = 0; i < n; i++) {
    if (filter && !filter(i)) continue;
    const offset = i * DIMENSIONS;
    let score = 0;
    for (let d = 0; d < DIMENSIONS; d++) score += (data[offset + d] as number) * (query[d] as number);
    if (score >= top.threshold) top.push(score, i);
  }
  const { rows, scores } = top.sorted();
  return rows.map((row, j) => ({ id: ids[row] as string, score: scores[j] as number }));
}

/** Top k by the int8 scores alone (no float32 re-scoring), to show what quantization alone gives. */
function int8Only(codes: VectorCodes, n: number, query: Float32Array, k: number): string[] {
  const q = codes.setQuery(query);
  const top = new TopK(k);
  for (let block = 0, start = 0; start < n; block++, start += SCAN_ROWS) {
    const count = codes.scanBlock(block, Math.min(SCAN_ROWS, n - start), q, 0, -Infinity); // queryNorm 0: plain approximate scores
    for (let i = 0; i < count; i++) top.push(codes.survivorUppers[i] as number, start + (codes.survivorRows[i] as number));
  }
  return top.sorted().rows.map((row) => ids[row] as string);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number;
}
function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}
function same(a: ScoredId[], b: ScoredId[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]?.id && x.score === b[i]?.score);
}
const fmt = (x: number, digits = 1): string => x.toFixed(digits);

const rows: string[][] = [];
let speedup1m = Number.NaN;
for (const n of SIZES) {
  const [timedQueries, baselineQueries, checkedQueries] = QUERIES[n] as [number, number, number];
  console.log(`\nN = ${n}`);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const index = new VectorIndex(DIMENSIONS);
  const [, buildMs] = timed(() => {
    for (let i = 0; i < n; i++) index.upsert(ids[i] as string, rowOf(i), metas[i] as (typeof metas)[number]);
  });
  gc();
  // Typed arrays and the WebAssembly memory are counted exactly (capacity, not size); the JS heap growth
  // adds the id map and id array. The id strings themselves belong to the caller.
  const heapPerVector = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / n;
  const typedPerVector = index.memoryBytes / n;
  const bytesPerVector = typedPerVector + heapPerVector;
  console.log(
    `  built in ${fmt(buildMs / 1000, 2)} s; ${fmt(bytesPerVector, 0)} B/vector = ` +
      `${fmt(typedPerVector, 0)} typed arrays + ${fmt(heapPerVector, 0)} JS heap`,
  );

  // Warm up (the WebAssembly kernel tiers up to optimized code after its first calls).
  for (let i = 0; i < 20; i++) index.search(queries[i] as Float32Array, K);
  const latencies: number[] = [];
  const cpuTimes: number[] = []; // CPU time per query: what a search costs when it has the core to itself
  let certified = 0;
  const stats = {} as SearchStats;
  for (let i = 0; i < timedQueries; i++) {
    const cpuBefore = process.cpuUsage();
    latencies.push(timed(() => index.search(queries[i] as Float32Array, K, undefined, stats))[1]);
    const cpu = process.cpuUsage(cpuBefore);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (stats.certified) certified++;
  }
  latencies.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  const cpuP99 = percentile(cpuTimes, 0.99);
  console.log(
    `  VectorIndex: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms (CPU time p50 ${fmt(percentile(cpuTimes, 0.5), 2)}, ` +
      `p99 ${fmt(cpuP99, 2)} ms) over ${timedQueries} queries; one pass (bound held) in ${certified}/${timedQueries}`,
  );

  // Filters are applied inside the scan: one channel of 50 (~2% of rows), and a channel set + time window.
  const filters: [string, SearchFilter, (i: number) => boolean][] = [
    ['1 channel', { channelIds: new Set(['ch-7']) }, (i) => metas[i]?.channelId === 'ch-7'],
    ['10 channels + time', { channelIds: new Set(Array.from({ length: 10 }, (_, c) => `ch-${c}`)), after: 1_600_000_000_000 + n * 250 }, (i) => Number(metas[i]?.channelId.slice(3)) < 10 && (metas[i]?.createdAt ?? 0) > 1_600_000_000_000 + n * 250],
  ];
  for (const [name, filter, predicate] of filters) {
    const times: number[] = [];
    let identical = 0;
    for (let i = 0; i < FILTER_QUERIES; i++) {
      const query = queries[i] as Float32Array;
      const [result, ms] = timed(() => index.search(query, K, filter));
      times.push(ms);
      if (same(result, exactSearch(n, query, K, predicate))) identical++;
    }
    times.sort((a, b) => a - b);
    console.log(`  filter ${name}: p50 ${fmt(percentile(times, 0.5), 2)} ms, identical to exact ${identical}/${FILTER_QUERIES}`);
  }

  // Baseline: same queries, and the results must be identical.
  const vectors = Array.from({ length: n }, (_, i) => rowOf(i).slice());
  const baselineTimes: number[] = [];
  let identicalToBaseline = 0;
  for (let i = 0; i < baselineQueries; i++) {
    const query = queries[i] as Float32Array;
    const [expected, ms] = timed(() => naiveSearch(vectors, query, K));
    baselineTimes.push(ms);
    if (same(index.search(query, K), expected)) identicalToBaseline++;
  }
  vectors.length = 0;
  baselineTimes.sort((a, b) => a - b);
  const baselineP50 = percentile(baselineTimes, 0.5);
  const speedup = baselineP50 / p50;
  console.log(`  baseline: p50 ${fmt(baselineP50, 1)} ms over ${baselineQueries} queries; speed-up ${fmt(speedup)}x; identical ${identicalToBaseline}/${baselineQueries}`);

  // Exactness on more queries, and what int8 alone would give (recall@10 before float32 re-scoring).
  const codes = new VectorCodes(DIMENSIONS);
  codes.reserve(n);
  for (let i = 0; i < n; i++) codes.set(i, rowOf(i));
  let identical = 0;
  let int8Hits = 0;
  for (let i = 0; i < checkedQueries; i++) {
    const query = queries[queries.length - 1 - i] as Float32Array;
    const expected = exactSearch(n, query, K);
    if (same(index.search(query, K), expected)) identical++;
    const approx = new Set(int8Only(codes, n, query, K));
    int8Hits += expected.filter((r) => approx.has(r.id)).length;
  }
  const int8Recall = int8Hits / (checkedQueries * K);
  console.log(`  exact check: identical ${identical}/${checkedQueries}; int8-only recall@10 ${fmt(int8Recall, 3)} (final results re-scored in float32)`);

  const cold = await measureColdLoad(n, DIMENSIONS);
  console.log(`  cold load from SQLite: ${fmt(cold.seconds, 2)} s`);
  const allIdentical = identical === checkedQueries && identicalToBaseline === baselineQueries;
  rows.push([
    String(n),
    fmt(p50, 2),
    fmt(p99, 2),
    fmt(cpuP99, 2),
    fmt(baselineP50, 1),
    `${fmt(speedup)}x`,
    fmt(bytesPerVector, 0),
    `${fmt(bytesPerVector / (5 * DIMENSIONS), 3)}x`,
    fmt(int8Recall, 3),
    allIdentical ? '1.000 (identical)' : `NOT identical`,
    fmt(buildMs / 1000, 2),
    fmt(cold.seconds, 2),
  ]);
  if (n === 1_000_000) speedup1m = speedup;
}

console.log(`\nbench took ${fmt((performance.now() - started) / 1000, 0)} s; load average now ${loadAverage()} (other processes inflate wall-clock p99)`);
const header = ['N', 'p50 ms', 'p99 ms', 'p99 cpu ms', 'baseline ms', 'speed-up', 'B/vector', 'vs raw', 'int8-alone recall@10', 'final recall@10', 'build s', 'load s'];
const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] as string).length)));
const line = (cells: string[]): string => cells.map((cell, c) => cell.padStart(widths[c] as number)).join('  ');
console.log(
  `\nDIM ${DIMENSIONS}, k ${K}, one thread. B/vector: typed arrays + WebAssembly memory + JS heap growth; ` +
    `raw = the vectors kept, float32 + int8 = ${5 * DIMENSIONS} B/vector.\n` +
    'int8-alone recall@10: the int8 scan ranking by itself; the index re-scores its candidates in float32 and proves ' +
    'the rest cannot rank, so final results equal the exact float32 ranking.',
);
console.log(line(header));
for (const r of rows) console.log(line(r));
console.log(`RESULT search.speedup_1m ${Number.isNaN(speedup1m) ? 'n/a' : fmt(speedup1m)}`);
