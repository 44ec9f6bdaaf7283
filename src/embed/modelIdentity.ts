import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { MODEL_FILES } from './modelManifest.js';

/**
 * Which model a directory holds, from its files rather than its name: a hash of config.json,
 * tokenizer.json and both ONNX encoders. Records are stamped with it, so vectors of two models
 * are never compared, whatever their folders are called, and a model placed in a new folder is
 * still the same model.
 *
 * Hashing ~300 MB takes seconds, so the answer is cached beside the model in IDENTITY_FILE,
 * keyed by each file's size and change times; any change to a file means hashing again.
 * A read-only model folder just means hashing at every start.
 */

export const IDENTITY_FILE = '.model-identity.json';
const PREFIX = 'sha256-';
const ID_HEX_DIGITS = 32;

interface FileStamp {
  size: number;
  mtimeMs: number;
  /** Set by the system on any change, and kept by no copy tool (unlike mtime, which `cp -p`, rsync and tar restore). */
  ctimeMs: number;
}

interface CachedIdentity {
  version: 1;
  files: Record<string, FileStamp>;
  id: string;
}

/** True for ids made by modelIdentity (stores written before it used directory names). */
export function isContentModelId(id: string): boolean {
  return id.startsWith(PREFIX);
}

/** `sha256-` and 32 hex digits of the hash of the model's files. */
export async function modelIdentity(dir: string): Promise<string> {
  const stamps: Record<string, FileStamp> = {};
  for (const file of MODEL_FILES) {
    const info = await stat(path.join(dir, file));
    stamps[file] = { size: info.size, mtimeMs: info.mtimeMs, ctimeMs: info.ctimeMs };
  }
  const cached = await readCache(dir);
  if (cached !== undefined && sameStamps(cached.files, stamps)) return cached.id;
  const hash = createHash('sha256');
  for (const file of MODEL_FILES) {
    // Name and length first, so that bytes moving between files change the hash.
    hash.update(`${file}\0${stamps[file]!.size}\0`);
    for await (const chunk of createReadStream(path.join(dir, file), { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  }
  const id = PREFIX + hash.digest('hex').slice(0, ID_HEX_DIGITS);
  await writeCache(dir, { version: 1, files: stamps, id });
  return id;
}

async function readCache(dir: string): Promise<CachedIdentity | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path.join(dir, IDENTITY_FILE), 'utf8')) as CachedIdentity;
    return parsed?.version === 1 && typeof parsed.id === 'string' && isContentModelId(parsed.id) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: written whole (temporary file, then rename), or not at all. */
async function writeCache(dir: string, identity: CachedIdentity): Promise<void> {
  const target = path.join(dir, IDENTITY_FILE);
  const temporary = `${target}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(identity, null, 2)}\n`);
    await rename(temporary, target);
  } catch {
    // A read-only model folder (a mounted volume, a package): the hash is simply computed again next time.
    await rm(temporary, { force: true }).catch(() => undefined);
  }
}

function sameStamps(cached: Record<string, FileStamp> | undefined, current: Record<string, FileStamp>): boolean {
  if (typeof cached !== 'object' || cached === null) return false;
  return MODEL_FILES.every((file) => {
    const [was, now] = [cached[file], current[file]];
    return was?.size === now?.size && was?.mtimeMs === now?.mtimeMs && was?.ctimeMs === now?.ctimeMs;
  });
}
