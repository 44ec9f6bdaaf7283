import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ImageRecord } from '../src/search/imageRecord.js';
import { ImageStore } from '../src/search/imageStore.js';

/**
 * Cold start of the image store: n records of the given dimensions in a fresh
 * SQLite file, written straight into segments (setup, not timed); then a fresh
 * process — as a restarted bot would be — opens the store and loads every record
 * (timed inside that process, so the setup's heap and the runtime's start-up are
 * not counted).
 *
 *   npx tsx bench/storeLoad.ts [n=1000000] [dimensions=256]
 */

const COLLECTION = '123456789012345678';
const SETUP_BATCH = 16_384;
const LOAD_FLAG = '--timed-load';

export interface ColdLoad {
  /** Wall-clock seconds to open the store and load every record. */
  seconds: number;
  /** CPU seconds of the loading process over the same span (all threads): work, as opposed to waiting for a busy machine. */
  cpuSeconds?: number;
  bytesOnDisk?: number;
}

export async function measureColdLoad(n: number, dimensions: number): Promise<ColdLoad> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'store-load-'));
  const url = `sqlite://${path.join(dir, 'images.sqlite')}`;
  try {
    await writeStore(url, n, dimensions);
    const bytesOnDisk = await folderBytes(dir);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [...loaderFlags(process.execArgv), fileURLToPath(import.meta.url), LOAD_FLAG, url],
      { maxBuffer: 1 << 20 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as { seconds: number; cpuSeconds: number; loaded: number };
    if (result.loaded !== n) throw new Error(`loaded ${result.loaded} records, wrote ${n}`);
    return { seconds: result.seconds, cpuSeconds: result.cpuSeconds, bytesOnDisk };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Only the flags that let the child load TypeScript (never -e/-p, which would run this caller again). */
function loaderFlags(execArgv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const flag = execArgv[i] as string;
    if (/^--(import|require|loader|experimental-loader)=/.test(flag)) kept.push(flag);
    else if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(flag) && i + 1 < execArgv.length) {
      kept.push(flag, execArgv[++i] as string);
    }
  }
  return kept;
}

/** The timed part, run in its own process. */
async function timedLoad(url: string): Promise<{ seconds: number; cpuSeconds: number; loaded: number }> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const reader = await ImageStore.open(url);
  let loaded = 0;
  try {
    for await (const batch of reader.loadCollection(COLLECTION)) loaded += batch.length;
  } finally {
    await reader.close();
  }
  const cpu = process.cpuUsage(cpuStarted);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, loaded };
}

async function writeStore(url: string, n: number, dimensions: number): Promise<void> {
  const writer = await ImageStore.open(url, { maxSegmentRecords: SETUP_BATCH, compactAfter: 0 });
  try {
    for (let from = 0; from < n; from += SETUP_BATCH) {
      await writer.putBulk(syntheticRecords(from, Math.min(SETUP_BATCH, n - from), dimensions));
    }
  } finally {
    await writer.close();
  }
}

/** Records shaped like Discord attachments: snowflake ids, a CDN URL, a random unit-scale embedding. */
export function syntheticRecords(first: number, count: number, dimensions: number): ImageRecord[] {
  const embeddings = new Float32Array(count * dimensions);
  for (let i = 0; i < embeddings.length; i++) embeddings[i] = Math.random() * 2 - 1;
  const records: ImageRecord[] = [];
  for (let i = 0; i < count; i++) {
    const k = first + i;
    const messageId = snowflake(1, k);
    const attachmentId = snowflake(2, k);
    const channelId = snowflake(3, k % 40);
    records.push({
      id: `${messageId}:${attachmentId}`,
      collection: COLLECTION,
      channelId,
      messageId,
      attachmentId,
      authorId: snowflake(4, k % 500),
      createdAt: 1_700_000_000_000 + k * 1000,
      source: `https://cdn.discordapp.com/attachments/${channelId}/${attachmentId}/IMG_${k}.jpg` +
        `?ex=${(0x67a00000 + k).toString(16)}&is=${(0x67900000 + k).toString(16)}&hm=${hex64(k)}&`,
      contentHash: hex64(k * 7 + 1),
      modelId: 'unum-cloud/uform3-image-text-english-small',
      embedding: embeddings.subarray(i * dimensions, (i + 1) * dimensions),
    });
  }
  return records;
}

function snowflake(kind: number, k: number): string {
  return `1${kind}${String(k).padStart(17, '0')}`;
}

function hex64(k: number): string {
  return (k >>> 0).toString(16).padStart(8, '0').repeat(8);
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  if (process.argv[2] === LOAD_FLAG) {
    console.log(JSON.stringify(await timedLoad(process.argv[3] as string)));
  } else {
    const n = Number(process.argv[2] ?? 1_000_000);
    const dimensions = Number(process.argv[3] ?? 256);
    const { seconds, cpuSeconds, bytesOnDisk } = await measureColdLoad(n, dimensions);
    const mb = bytesOnDisk === undefined ? '?' : (bytesOnDisk / 1e6).toFixed(0);
    console.log(
      `store cold load: ${n} records × ${dimensions}-d from SQLite in ${seconds.toFixed(2)} s ` +
        `(${cpuSeconds?.toFixed(2)} CPU s; ${mb} MB on disk; load average ${os.loadavg()[0]?.toFixed(1)})`,
    );
  }
}
