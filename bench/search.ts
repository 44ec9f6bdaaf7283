/**
 * Search at scale, in two parts, for N = 10 k, 100 k and 1 M images of 256 dimensions.
 *
 * 1. Speed and exactness, one thread: the index (through a collection's records, as the library
 *    searches) against a naive baseline (an array of Float32Array, JS dot products, a full sort):
 *    p50/p99 latency and CPU time, speed-up, int8 recall before re-scoring, identity of results.
 *    Vectors are clustered unit vectors (image collections are clustered); metadata is Discord's.
 * 2. Memory and cold start of a restarted bot (bench/indexStartup.ts): N records with Discord
 *    metadata in SQLite, loaded by a fresh process the way the bot loads them, with the model
 *    already loaded as the baseline: wall and CPU seconds, and bytes per image for the index
 *    (vectors), the metadata columns and the whole process (resident memory it added).
 *
 * The last lines are `RESULT search.speedup_1m <x>` and `RESULT search.process_bytes_ratio_1m
 * <process bytes per image ÷ 1,280>`, 1,280 being the raw vector bytes kept per image (float32
 * for re-scoring plus the int8 scan copy). Arguments: the largest N (default 1000000), and
 * `--model DIR` for the process part (default: the small fixture, quantized).
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseArgs } from 'node:util';
import { CollectionRecords } from '../src/library/collectionRecords.js';
import { TopK } from '../src/search/topK.js';
import { SCAN_ROWS, VectorCodes } from '../src/search/vectorCodes.js';
import type { SearchFilter, SearchStats } from '../src/search/vectorIndex.js';
import { fixtureModelDir } from '../test/fixtures/models/fixtureModels.js';
import { measureIndexStartup } from './indexStartup.js';
import { ClusteredVectors } from './lib/clusteredVectors.js';
import { BENCH_GUILD, discordLikeRecords } from './lib/discordLikeRecords.js';
import { fmt, loadAverage, machineLine, percentile, table } from './lib/report.js';

const DIMENSIONS = 256;
const RAW_BYTES = 5 * DIMENSIONS; // float32 + int8 per vector
const K = 10;
const { values: flags, positionals } = parseArgs({ allowPositionals: true, options: { model: { type: 'string' } } });
const MAX_N = Number(positionals[0] ?? 1_000_000);
const SIZES = [10_000, 100_000, 1_000_000].filter((n) => n <= MAX_N);
const FILTER_QUERIES = 3;
/** Queries per size: [timed on the index, timed on the baseline (also checked for identity), checked against exact]. */
const QUERIES: Record<number, [number, number, number]> = { 10_000: [1000, 30, 100], 100_000: [500, 10, 50], 1_000_000: [200, 5, 10] };

v8.setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const started = performance.now();
const modelDir = flags.model ?? (await fixtureModelDir('small', { quantized: true }));

interface ScoredId {
  id: string;
  score: number;
}

console.log(machineLine('search bench'));
console.log(`generating ${MAX_N} records: Discord metadata, ${DIMENSIONS}-d clustered unit vectors ...`);
const space = new ClusteredVectors(DIMENSIONS, 2000, 2024);
const queries = Array.from({ length: 1000 }, () => space.member(1.5));
const data = new Float32Array(MAX_N * DIMENSIONS);
const records = discordLikeRecords(0, MAX_N, 1, 'bench');
records.forEach((record, i) => (record.embedding = space.member(1, data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS))));
const rowOf = (i: number): Float32Array => data.subarray(i * DIMENSIONS, (i + 1) * DIMENSIONS);
const channels = [...new Set(records.slice(0, 5000).map((record) => record.channelId))].sort();

/** The baseline, as a first implementation would write it. */
function naiveSearch(vectors: Float32Array[], query: Float32Array, k: number): ScoredId[] {
  const scored: ScoredId[] = [];
  for (let i = 0; i < vectors.length; i++) {
    const v = vectors[i] as Float32Array;
    let score = 0;
    for (let d = 0; d < v.length; d++) score += (v[d] as number) * (query[d] as number);
    scored.push({ id: records[i]!.id, score });
  }
  scored.sort((a, b) => b.score - a.score);
  return scored.slice(0, k);
}

/** Exact float32 ranking (same arithmetic as the baseline), faster: no objects, no full sort. Ids grow with i. */
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
  return rows.map((row, j) => ({ id: records[row]!.id, score: scores[j] as number }));
}

/** Top k by the int8 scores alone (no float32 re-scoring), to show what quantization alone gives. */
function int8Only(codes: VectorCodes, n: number, query: Float32Array, k: number): string[] {
  const q = codes.setQuery(query);
  const top = new TopK(k);
  for (let block = 0, start = 0; start < n; block++, start += SCAN_ROWS) {
    const count = codes.scanBlock(block, Math.min(SCAN_ROWS, n - start), q, 0, -Infinity); // queryNorm 0: plain approximate scores
    for (let i = 0; i < count; i++) top.push(codes.survivorUppers[i] as number, start + (codes.survivorRows[i] as number));
  }
  return top.sorted().rows.map((row) => records[row]!.id);
}

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}
const same = (a: ScoredId[], b: ScoredId[]): boolean =>
  a.length === b.length && a.every((x, i) => x.id === b[i]?.id && x.score === b[i]?.score);

const speedRows: string[][] = [];
const memoryRows: string[][] = [];
let speedup1m = Number.NaN;
let processRatio1m = Number.NaN;
for (const n of SIZES) {
  const [timedQueries, baselineQueries, checkedQueries] = QUERIES[n] as [number, number, number];
  console.log(`\nN = ${n}`);
  gc();
  const index = new CollectionRecords(BENCH_GUILD, 'bench', DIMENSIONS);
  const [, buildMs] = timed(() => {
    index.reserve(n);
    for (let i = 0; i < n; i++) index.put(records[i]!);
  });
  const search = (query: Float32Array, k: number, filter?: SearchFilter, stats?: SearchStats): ScoredId[] => {
    const { rows, scores } = index.search(query, k, filter, stats);
    return rows.map((row, i) => ({ id: index.searchable.idAt(row), score: scores[i] as number }));
  };
  console.log(`  built in ${fmt(buildMs / 1000, 2)} s`);

  // Warm up (the WebAssembly kernel tiers up to optimized code after its first calls).
  for (let i = 0; i < 20; i++) search(queries[i]!, K);
  const latencies: number[] = [];
  const cpuTimes: number[] = []; // CPU time per query: what a search costs when it has the core to itself
  let certified = 0;
  const stats = {} as SearchStats;
  for (let i = 0; i < timedQueries; i++) {
    const cpuBefore = process.cpuUsage();
    latencies.push(timed(() => search(queries[i]!, K, undefined, stats))[1]);
    const cpu = process.cpuUsage(cpuBefore);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
    if (stats.certified) certified++;
  }
  latencies.sort((a, b) => a - b);
  cpuTimes.sort((a, b) => a - b);
  const [p50, p99, cpuP99] = [percentile(latencies, 0.5), percentile(latencies, 0.99), percentile(cpuTimes, 0.99)];
  console.log(
    `  index: p50 ${fmt(p50, 2)} ms, p99 ${fmt(p99, 2)} ms (CPU p99 ${fmt(cpuP99, 2)} ms); one pass (bound held) in ${certified}/${timedQueries}`,
  );

  // Filters are applied inside the scan: one channel of 40 (~2.5% of rows), and ten channels + a time window.
  const after = records[Math.floor(n / 4)]!.createdAt;
  const ten = new Set(channels.slice(0, 10));
  const filters: [string, SearchFilter, (i: number) => boolean][] = [
    ['1 channel', { channelIds: new Set([channels[7]!]) }, (i) => records[i]!.channelId === channels[7]],
    ['10 channels + time', { channelIds: ten, after }, (i) => ten.has(records[i]!.channelId) && records[i]!.createdAt > after],
  ];
  for (const [name, filter, predicate] of filters) {
    const times: number[] = [];
    let identical = 0;
    for (let i = 0; i < FILTER_QUERIES; i++) {
      const [result, ms] = timed(() => search(queries[i]!, K, filter));
      times.push(ms);
      if (same(result, exactSearch(n, queries[i]!, K, predicate))) identical++;
    }
    console.log(
      `  filter ${name}: p50 ${fmt(
        percentile(
          times.sort((a, b) => a - b),
          0.5,
        ),
        2,
      )} ms, identical to exact ${identical}/${FILTER_QUERIES}`,
    );
  }

  // Baseline: same queries, and the results must be identical.
  const vectors = Array.from({ length: n }, (_, i) => rowOf(i).slice());
  const baselineTimes: number[] = [];
  let identicalToBaseline = 0;
  for (let i = 0; i < baselineQueries; i++) {
    const [expected, ms] = timed(() => naiveSearch(vectors, queries[i]!, K));
    baselineTimes.push(ms);
    if (same(search(queries[i]!, K), expected)) identicalToBaseline++;
  }
  vectors.length = 0;
  const baselineP50 = percentile(
    baselineTimes.sort((a, b) => a - b),
    0.5,
  );
  const speedup = baselineP50 / p50;
  console.log(`  baseline: p50 ${fmt(baselineP50, 1)} ms; speed-up ${fmt(speedup)}x; identical ${identicalToBaseline}/${baselineQueries}`);

  // Exactness on more queries, and what int8 alone would give (recall@10 before float32 re-scoring).
  const codes = new VectorCodes(DIMENSIONS);
  codes.reserve(n);
  for (let i = 0; i < n; i++) codes.set(i, rowOf(i));
  let identical = 0;
  let int8Hits = 0;
  for (let i = 0; i < checkedQueries; i++) {
    const query = queries[queries.length - 1 - i]!;
    const expected = exactSearch(n, query, K);
    if (same(search(query, K), expected)) identical++;
    const approx = new Set(int8Only(codes, n, query, K));
    int8Hits += expected.filter((r) => approx.has(r.id)).length;
  }
  const int8Recall = int8Hits / (checkedQueries * K);
  console.log(`  exact check: identical ${identical}/${checkedQueries}; int8-only recall@10 ${fmt(int8Recall, 3)}`);
  const allIdentical = identical === checkedQueries && identicalToBaseline === baselineQueries;
  speedRows.push([
    String(n),
    fmt(p50, 2),
    fmt(p99, 2),
    fmt(cpuP99, 2),
    fmt(baselineP50, 1),
    `${fmt(speedup)}x`,
    fmt(int8Recall, 3),
    allIdentical ? '1.000 (identical)' : 'NOT identical',
    fmt(buildMs / 1000, 2),
  ]);
  if (n === 1_000_000) speedup1m = speedup;

  const startup = await measureIndexStartup(n, modelDir, DIMENSIONS);
  const perImage = (bytes: number): number => bytes / n;
  const processBytes = perImage(startup.addedRssAfterGc);
  console.log(
    `  restarted process: loaded in ${fmt(startup.seconds, 2)} s (${fmt(startup.cpuSeconds, 2)} CPU s); ` +
      `+${fmt(startup.addedRss / 2 ** 20, 0)} MiB resident (+${fmt(startup.addedRssAfterGc / 2 ** 20, 0)} MiB after a full GC) ` +
      `over a ${fmt(startup.baselineRss / 2 ** 20, 0)} MiB baseline with the model loaded; JS heap +${fmt(startup.addedHeap / 2 ** 20, 1)} MiB`,
  );
  memoryRows.push([
    String(n),
    fmt(perImage(startup.vectorBytes), 0),
    fmt(perImage(startup.metadataBytes), 0),
    fmt(perImage(startup.addedRss), 0),
    fmt(processBytes, 0),
    `${fmt(processBytes / RAW_BYTES, 3)}x`,
    fmt(startup.seconds, 2),
    fmt(startup.cpuSeconds, 2),
    fmt(startup.baselineRss / 2 ** 20, 0),
    fmt((startup.baselineRss + startup.addedRssAfterGc) / 2 ** 20, 0),
  ]);
  if (n === 1_000_000) processRatio1m = processBytes / RAW_BYTES;
}

console.log(
  `\nbench took ${fmt((performance.now() - started) / 1000, 0)} s; load average now ${loadAverage()} (other processes inflate wall-clock times)`,
);
console.log(
  `\nSpeed: ${DIMENSIONS}-d, k ${K}, one thread. int8-alone recall@10: the int8 scan ranking by itself; final results are re-scored in float32 and proven exact.\n`,
);
console.log(
  table(
    ['N', 'p50 ms', 'p99 ms', 'p99 CPU ms', 'baseline ms', 'speed-up', 'int8-alone recall@10', 'final recall@10', 'build s'],
    speedRows,
  ),
);
console.log(
  `\nMemory and cold start (a fresh process, model loaded first; bytes per image). index: vectors (float32 + int8 copy); ` +
    `metadata: the record columns; process: resident memory added, right after loading and after a full GC; vs raw: ÷ ${RAW_BYTES}.\n`,
);
console.log(
  table(
    [
      'N',
      'index B',
      'metadata B',
      'process B (at load)',
      'process B (after GC)',
      'vs raw',
      'load s',
      'load CPU s',
      'baseline MiB',
      'process MiB',
    ],
    memoryRows,
  ),
);
console.log(`RESULT search.speedup_1m ${Number.isNaN(speedup1m) ? 'n/a' : fmt(speedup1m)}`);
console.log(`RESULT search.process_bytes_ratio_1m ${Number.isNaN(processRatio1m) ? 'n/a' : fmt(processRatio1m, 3)}`);
