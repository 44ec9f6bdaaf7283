import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EmbeddingModel } from '../src/embed/embeddingModel.js';
import { modelIdentity } from '../src/embed/modelIdentity.js';
import { openIndex } from '../src/engine.js';
import { setLogLevel } from '../src/logger.js';
import { DEFAULT_SEGMENT_RECORDS, ImageStore } from '../src/store/imageStore.js';
import { startedDirectly } from '../src/cli/startedDirectly.js';
import { discordLikeRecords } from './lib/discordLikeRecords.js';
import { nodeLoaderFlags } from './lib/childProcess.js';

/**
 * A restarted bot, measured: n records with Discord-shaped metadata are written to a fresh
 * SQLite store (setup, not timed); then a fresh process loads the model, takes its resident
 * memory as the baseline, and loads the index exactly as the bot does at start (engine.openIndex).
 * It reports wall and CPU seconds of the load and the resident memory it added, per image.
 *
 *   npx tsx bench/indexStartup.ts [n=1000000] [model preset dir]
 */

const CHILD_FLAG = '--measure-startup';

export interface IndexStartup {
  records: number;
  /** Wall-clock seconds to open the store and load every record. */
  seconds: number;
  /** CPU seconds of the loading process over the same span (all threads). */
  cpuSeconds: number;
  bytesOnDisk: number;
  /** Resident memory of the process with the model loaded, before the index (the baseline). */
  baselineRss: number;
  /** Resident memory the index added, right after loading and after a full garbage collection. */
  addedRss: number;
  addedRssAfterGc: number;
  /** Bytes the library counts in its typed arrays: vectors (float32 + int8 scan copy) and metadata columns. */
  vectorBytes: number;
  metadataBytes: number;
  /** JS heap in use after the load and a full collection, minus the baseline's. */
  addedHeap: number;
}

export async function measureIndexStartup(n: number, modelDir: string, dimensions: number): Promise<IndexStartup> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'index-startup-'));
  const url = `sqlite://${path.join(dir, 'images.sqlite')}`;
  try {
    await writeStore(url, n, dimensions, await modelIdentity(modelDir));
    const bytesOnDisk = await folderBytes(dir);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', ...nodeLoaderFlags(process.execArgv), fileURLToPath(import.meta.url), CHILD_FLAG, url, modelDir],
      { maxBuffer: 1 << 20 },
    );
    const measured = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Omit<IndexStartup, 'bytesOnDisk'>;
    if (measured.records !== n) throw new Error(`loaded ${measured.records} records, wrote ${n}`);
    return { ...measured, bytesOnDisk };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The measured part, in a process of its own (so the setup's memory is not counted). */
async function measureInThisProcess(url: string, modelDir: string): Promise<Omit<IndexStartup, 'bytesOnDisk'>> {
  setLogLevel('warn');
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const limits = { maxBytes: 50 * 1024 * 1024, maxPixels: 100_000_000 };
  const model = await EmbeddingModel.create({ dir: modelDir, label: 'bench', threads: 1, maxBatch: 8, maxWaitMs: 5, imageLimits: limits });
  gc();
  const baselineRss = process.memoryUsage().rss;
  const baselineHeap = process.memoryUsage().heapUsed;
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const { store, library } = await openIndex(model, url, { readOnly: true });
  const cpu = process.cpuUsage(cpuStarted);
  const seconds = (performance.now() - started) / 1000;
  const loadedRss = process.memoryUsage().rss;
  gc();
  const memory = process.memoryUsage();
  const { metadata, vectors } = library.memoryBytes();
  const records = library.stats().reduce((sum, collection) => sum + collection.images + collection.otherModel, 0);
  await store.close();
  await model.dispose();
  return {
    records,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    baselineRss,
    addedRss: loadedRss - baselineRss,
    addedRssAfterGc: memory.rss - baselineRss,
    vectorBytes: vectors,
    metadataBytes: metadata,
    addedHeap: memory.heapUsed - baselineHeap,
  };
}

async function writeStore(url: string, n: number, dimensions: number, modelId: string): Promise<void> {
  const writer = await ImageStore.open(url, { compactAfter: 0 });
  try {
    // One full segment a write, as the store lays them out.
    for (let from = 0; from < n; from += DEFAULT_SEGMENT_RECORDS) {
      await writer.putBulk(discordLikeRecords(from, Math.min(DEFAULT_SEGMENT_RECORDS, n - from), dimensions, modelId));
    }
  } finally {
    await writer.close();
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

if (startedDirectly(import.meta.url)) {
  if (process.argv[2] === CHILD_FLAG) {
    console.log(JSON.stringify(await measureInThisProcess(process.argv[3] as string, process.argv[4] as string)));
  } else {
    const { fixtureModelDir } = await import('../test/fixtures/models/fixtureModels.js');
    const n = Number(process.argv[2] ?? 1_000_000);
    const modelDir = process.argv[3] ?? (await fixtureModelDir('small', { quantized: true }));
    const result = await measureIndexStartup(n, modelDir, 256);
    console.log(JSON.stringify(result, null, 2));
  }
}
