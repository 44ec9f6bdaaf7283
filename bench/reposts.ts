import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EmbeddingModel } from '../src/embed/embeddingModel.js';
import { isInformative } from '../src/reposts/dctHash.js';
import { duplicateGroups } from '../src/reposts/duplicateGroups.js';
import { hammingDistance } from '../src/reposts/hammingDistance.js';
import { nearerOrientation } from '../src/reposts/mirroredHash.js';
import { perceptualHash } from '../src/reposts/perceptualHash.js';
import { cosine, DEFAULT_REPOST_THRESHOLDS, isNearCopy, type RepostThresholds } from '../src/reposts/repostMatcher.js';
import { WEATHER_DIR } from '../test/fixtures/datasets.js';
import { BENCH_IMAGE_LIMITS, repostBenchModel } from './lib/repostBenchModel.js';
import { memeSet } from '../test/fixtures/memes/memeSet.js';
import { labelledRepostSet } from '../test/fixtures/repostCopies.js';
import { lookupCostAtScale, type LookupCost } from './lib/hashLookupCost.js';
import { score, scoreCells, type Score } from './lib/pairScore.js';

/**
 * `npm run bench -- reposts`: how well the perceptual hash, the embedding and both together tell
 * copies from different pictures, and what the hash costs beside the embedding.
 *
 * The labelled set: the 53 weather photos, the first 36 with three copies each (re-saved at JPEG
 * quality 20, halved, cropped 3 % a side, framed 5 %, brightened 25 %, converted to PNG) and a
 * fourth flipped left to right, and 30 pictures of text (captions on plain grounds, chat
 * screenshots: different pictures that share a layout), written to a temporary folder and read
 * back. Two images form a positive pair when they show the same photo. Hash distances are taken
 * both ways round (as they are and as mirror images, the nearer: what the bot does); the tables
 * also give them as they are, as the bot compared them before mirrors were tolerated. Embeddings come from the `small` fixture: uform3-small's shapes with RANDOM weights, so
 * the embedding columns show the mechanics only; its cost is the real model's.
 *
 * `npm run bench -- reposts <model dir>` runs it with another uform3 directory (a downloaded
 * model), whose embedding columns then mean something.
 *
 * Costs are CPU time (all threads of this process) and wall time of hashing and of embedding the
 * same images, in alternating rounds of one run, best round of each: the result is their ratio.
 */

const LIMITS = BENCH_IMAGE_LIMITS;
const PHOTOS_WITH_COPIES = 36;
/** Captions on plain grounds and chat screenshots: different pictures whose hashes are their layout. */
const TEXT_PICTURES = 30;
/** In the sweeps of both signals: no distance within which the hash decides alone. */
const NO_HASH_ALONE = -1;
const ROUNDS = 2;
const INDEX_SIZE = 1_000_000;
const LOOKUPS = 20;
const HASH_SWEEP = [0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20];
const COSINE_SWEEP = [0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.98, 0.99, 0.995, 0.999];
const GRID_HASH = [6, 8, 10, 12, 14, 16, 18, 20];
const GRID_COSINE = [0.7, 0.8, 0.85, 0.9, 0.95];

interface Image {
  name: string;
  group: number;
  kind: string;
  hash: bigint;
  embedding: Float32Array;
}

interface Pair {
  positive: boolean;
  /** In the nearer orientation; undefined when either hash is low-information (such a pair never matches by hash). */
  distance: number | undefined;
  /** As they are, not mirrored. */
  plainDistance: number | undefined;
  cosine: number;
  kinds: string;
  names: string;
}

interface Cost {
  cpuSeconds: number;
  wallSeconds: number;
}

async function measured<T>(work: () => Promise<T>): Promise<{ result: T; cost: Cost }> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const result = await work();
  const used = process.cpuUsage(cpu);
  return { result, cost: { cpuSeconds: (used.user + used.system) / 1e6, wallSeconds: Number(process.hrtime.bigint() - start) / 1e9 } };
}

function best(a: Cost | undefined, b: Cost): Cost {
  return a === undefined ? b : { cpuSeconds: Math.min(a.cpuSeconds, b.cpuSeconds), wallSeconds: Math.min(a.wallSeconds, b.wallSeconds) };
}

function pairsOf(images: readonly Image[]): Pair[] {
  const pairs: Pair[] = [];
  for (let a = 0; a < images.length; a++) {
    for (let b = a + 1; b < images.length; b++) {
      const x = images[a]!;
      const y = images[b]!;
      const informative = isInformative(x.hash) && isInformative(y.hash);
      pairs.push({
        positive: x.group === y.group,
        distance: informative ? nearerOrientation(x.hash, y.hash).distance : undefined,
        plainDistance: informative ? hammingDistance(x.hash, y.hash) : undefined,
        cosine: cosine(x.embedding, y.embedding),
        kinds: [x.kind, y.kind].sort().join(' + '),
        names: `${x.name} + ${y.name}`,
      });
    }
  }
  return pairs;
}

function hashMatches(pair: Pair, maxDistance: number): boolean {
  return pair.distance !== undefined && pair.distance <= maxDistance;
}

function bothMatch(pair: Pair, thresholds: RepostThresholds): boolean {
  return pair.distance !== undefined && isNearCopy(pair.distance, pair.cosine, thresholds);
}

/** The pair as the bot saw it before mirrors were tolerated. */
const asTheyAre = (pair: Pair): Pair => ({ ...pair, distance: pair.plainDistance });

const line = (cells: ReadonlyArray<string | number>) => console.log(`| ${cells.join(' | ')} |`);
const ruled = (header: readonly string[]) => {
  line(header);
  line(header.map(() => '---'));
};

async function labelledImagesOnDisk(folder: string): Promise<Array<{ name: string; group: number; kind: string; file: string }>> {
  const names = (await readdir(WEATHER_DIR)).filter((file) => /\.jpe?g$/i.test(file)).sort();
  const photos = await Promise.all(names.map(async (name) => ({ name, bytes: await readFile(path.join(WEATHER_DIR, name)) })));
  const set = await labelledRepostSet(photos, PHOTOS_WITH_COPIES, { mirrored: true });
  const texts = (await memeSet({ count: TEXT_PICTURES, kinds: ['flat', 'flat', 'chat'] })).map((meme, i) => ({
    name: `text-${meme.name}`,
    bytes: meme.bytes,
    group: photos.length + i,
    kind: meme.kind === 'chat' ? 'chat screenshot' : 'caption on a plain ground',
  }));
  const all = [...set, ...texts];
  for (const image of all) await writeFile(path.join(folder, image.name), image.bytes);
  return all.map(({ name, group, kind }) => ({ name, group, kind, file: path.join(folder, name) }));
}

interface Costs {
  hash: Cost;
  embedding: Cost;
}

/** Hashes and embeds every file, alternating, ROUNDS times; the best round of each. */
async function signalsAndCosts(
  model: EmbeddingModel,
  files: readonly Buffer[],
): Promise<{ hashes: bigint[]; embeddings: Float32Array[]; costs: Costs }> {
  await Promise.all(files.slice(0, 8).map((bytes) => Promise.all([model.embedImage(bytes), perceptualHash(bytes, LIMITS)]))); // warm-up
  let hash: Cost | undefined;
  let embedding: Cost | undefined;
  let hashes: bigint[] = [];
  let embeddings: Float32Array[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const hashed = await measured(() => Promise.all(files.map((bytes) => perceptualHash(bytes, LIMITS))));
    const embedded = await measured(() => Promise.all(files.map((bytes) => model.embedImage(bytes))));
    [hashes, embeddings] = [hashed.result, embedded.result];
    hash = best(hash, hashed.cost);
    embedding = best(embedding, embedded.cost);
  }
  return { hashes, embeddings, costs: { hash: hash!, embedding: embedding! } };
}

function printSweeps(pairs: readonly Pair[]): void {
  console.log('hash alone (Hamming distance ≤ h, both ways round; last two columns: as they are)');
  ruled(['h', 'TP', 'FP', 'FN', 'precision', 'recall', 'precision as they are', 'recall as they are']);
  for (const h of HASH_SWEEP) {
    const plain = score(pairs, (pair) => hashMatches(asTheyAre(pair), h));
    line([h, ...scoreCells(score(pairs, (pair) => hashMatches(pair, h))), plain.precision.toFixed(3), plain.recall.toFixed(3)]);
  }

  console.log('\nembedding alone (cosine ≥ c)');
  ruled(['c', 'TP', 'FP', 'FN', 'precision', 'recall']);
  for (const c of COSINE_SWEEP) line([c, ...scoreCells(score(pairs, (pair) => pair.cosine >= c))]);

  console.log('\nboth (distance ≤ h and cosine ≥ c): precision / recall');
  ruled(['h \\ c', ...GRID_COSINE.map(String)]);
  for (const h of GRID_HASH) {
    const cells = GRID_COSINE.map((c) =>
      score(pairs, (pair) => bothMatch(pair, { maxDistance: h, minSimilarity: c, hashAloneDistance: NO_HASH_ALONE })),
    );
    line([h, ...cells.map((cell) => `${cell.precision.toFixed(3)} / ${cell.recall.toFixed(3)}`)]);
  }
}

function printCopyKinds(pairs: readonly Pair[], thresholds: RepostThresholds): void {
  console.log(
    `\npositive pairs by the copies involved, at the defaults (h = ${thresholds.maxDistance}, c = ${thresholds.minSimilarity}, hash alone within ${thresholds.hashAloneDistance})`,
  );
  ruled(['pair', 'count', 'max distance', 'min cosine', 'found by both', 'found as they are']);
  const kinds = [...new Set(pairs.filter((pair) => pair.positive).map((pair) => pair.kinds))].sort();
  for (const kind of kinds) {
    const ofKind = pairs.filter((pair) => pair.positive && pair.kinds === kind);
    const farthest = Math.max(...ofKind.map((pair) => pair.distance ?? 64));
    const leastSimilar = Math.min(...ofKind.map((pair) => pair.cosine));
    const found = ofKind.filter((pair) => bothMatch(pair, thresholds)).length;
    line([
      kind,
      ofKind.length,
      farthest,
      leastSimilar.toFixed(4),
      found,
      ofKind.filter((pair) => bothMatch(asTheyAre(pair), thresholds)).length,
    ]);
  }
  const negatives = pairs.filter((pair) => !pair.positive);
  const closest = Math.min(...negatives.map((pair) => pair.distance ?? 64));
  const closestAsTheyAre = Math.min(...negatives.map((pair) => pair.plainDistance ?? 64));
  console.log(
    `closest unrelated pair: ${closest} bits (as they are: ${closestAsTheyAre}); unrelated pairs with cosine ≥ ${thresholds.minSimilarity}: ${negatives.filter((pair) => pair.cosine >= thresholds.minSimilarity).length}`,
  );
  for (const pair of negatives.filter((negative) => bothMatch(negative, thresholds))) {
    console.log(
      `unrelated pair taken for near-copies: ${pair.names} (${pair.distance} bits, ${pair.plainDistance} as they are; cosine ${pair.cosine.toFixed(4)})`,
    );
  }
}

/** duplicateGroups over the set: true groups found exactly, and pairs put in one group scored like the decision. */
function groupingReport(images: readonly Image[], thresholds: RepostThresholds): { exact: number; truth: number; pairs: Score } {
  const groups = duplicateGroups(
    images.map((image) => ({ ...image, id: image.name, perceptualHash: image.hash })),
    thresholds,
  );
  const sizeOf = (group: number) => images.filter((image) => image.group === group).length;
  const truth = new Set(images.map((image) => image.group).filter((group) => sizeOf(group) > 1)).size;
  const exact = groups.filter(
    (members) => members.every((image) => image.group === members[0]!.group) && members.length === sizeOf(members[0]!.group),
  ).length;
  const groupOf = new Map(groups.flatMap((members, index) => members.map((image) => [image.name, index] as const)));
  const pairs: Array<{ positive: boolean; together: boolean }> = [];
  for (let a = 0; a < images.length; a++) {
    for (let b = a + 1; b < images.length; b++) {
      const group = groupOf.get(images[a]!.name);
      pairs.push({
        positive: images[a]!.group === images[b]!.group,
        together: group !== undefined && group === groupOf.get(images[b]!.name),
      });
    }
  }
  return { exact, truth, pairs: score(pairs, (pair) => pair.together) };
}

async function main(): Promise<void> {
  const folder = await mkdtemp(path.join(os.tmpdir(), 'reposts-bench-'));
  const modelDir = process.argv[2];
  const model = await repostBenchModel(modelDir);
  try {
    const labelled = await labelledImagesOnDisk(folder);
    const files = await Promise.all(labelled.map((image) => readFile(image.file)));
    const { hashes, embeddings, costs } = await signalsAndCosts(model, files);
    const images: Image[] = labelled.map((image, i) => ({ ...image, hash: hashes[i]!, embedding: embeddings[i]! }));
    const pairs = pairsOf(images);
    const positives = pairs.filter((pair) => pair.positive).length;
    const lowInformation = [...new Set(images.map((image) => image.kind))]
      .map(
        (kind) =>
          `${kind} ${images.filter((image) => image.kind === kind && !isInformative(image.hash)).length}/${images.filter((image) => image.kind === kind).length}`,
      )
      .join(', ');
    const defaults = DEFAULT_REPOST_THRESHOLDS;

    const perImage = (cost: Cost) =>
      `${((cost.cpuSeconds / images.length) * 1000).toFixed(1)} ms CPU, ${((cost.wallSeconds / images.length) * 1000).toFixed(1)} ms wall`;
    console.log(
      `machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}; embeddings: ${modelDir ?? 'small fixture (random weights: mechanics only)'}`,
    );
    console.log(
      `set: ${images.length} images (53 photos, ${PHOTOS_WITH_COPIES} with 3 copies and a mirrored one; ${TEXT_PICTURES} pictures of text), ${pairs.length} pairs of which ${positives} positive`,
    );
    console.log(`low-information hashes by kind: ${lowInformation}\n`);
    console.log(`per image, best of ${ROUNDS} alternating rounds: hash ${perImage(costs.hash)}; embedding ${perImage(costs.embedding)}\n`);
    printSweeps(pairs);
    printCopyKinds(pairs, defaults);
    const grouping = groupingReport(images, defaults);
    console.log(
      `duplicates groups at the defaults: ${grouping.exact} of ${grouping.truth} true groups found exactly; pairs in one group: precision ${grouping.pairs.precision.toFixed(3)}, recall ${grouping.pairs.recall.toFixed(3)}\n`,
    );

    const lookups = lookupCostAtScale({ size: INDEX_SIZE, lookups: LOOKUPS, rounds: ROUNDS, maxDistance: defaults.maxDistance });
    const lookup = lookups.bothWays;
    const perQuery = (cost: LookupCost) =>
      `${(cost.cpuSecondsPerLookup * 1000).toFixed(2)} ms CPU, ${(cost.wallSecondsPerLookup * 1000).toFixed(2)} ms wall a query`;
    console.log(
      `lookup in ${INDEX_SIZE.toLocaleString('en')} random hashes (h = ${defaults.maxDistance}): both ways round ${perQuery(lookup)}; as they are only ${perQuery(lookups.asTheyAre)}`,
    );

    const result = (name: string, value: number, digits = 3) => console.log(`RESULT reposts.${name} ${value.toFixed(digits)}`);
    result('hash_cpu_vs_embedding', costs.hash.cpuSeconds / costs.embedding.cpuSeconds, 4);
    result('hash_wall_vs_embedding', costs.hash.wallSeconds / costs.embedding.wallSeconds, 4);
    result('lookup_1m_cpu_vs_embedding', lookup.cpuSecondsPerLookup / (costs.embedding.cpuSeconds / images.length), 4);
    const decisions: Array<[string, (pair: Pair) => boolean]> = [
      ['hash_only', (pair) => hashMatches(pair, defaults.maxDistance)],
      ['embedding_only', (pair) => pair.cosine >= defaults.minSimilarity],
      ['combined', (pair) => bothMatch(pair, defaults)],
      ['combined_as_they_are', (pair) => bothMatch(asTheyAre(pair), defaults)],
    ];
    for (const [name, decide] of decisions) {
      const { precision, recall } = score(pairs, decide);
      result(`${name}_precision`, precision);
      result(`${name}_recall`, recall);
    }
    result('groups_exact_share', grouping.exact / grouping.truth);
  } finally {
    await model.dispose();
    await rm(folder, { recursive: true, force: true });
  }
}

await main();
