import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ImageRejectedError } from '../embed/imageErrors.js';
import { indexImage, readImageText } from '../ingest/imageIndexing.js';
import { logger } from '../logger.js';
import type { ImageLibrary } from './imageLibrary.js';

/** The collection the CLI indexes local folders into. */
export const LOCAL_COLLECTION = 'local';

/** File endings worth reading as images; anything else is skipped unread. */
const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.avif', '.heic', '.heif', '.tif', '.tiff', '.bmp']);

export interface FolderIndexReport {
  found: number;
  indexed: number;
  updated: number;
  unchanged: number;
  /** Files that are not images (by name, or refused by the decoder as not an image). */
  skipped: number;
  /** Images that could not be used (corrupt, too large, ...), with the reason for each. */
  failed: Array<{ file: string; reason: string }>;
  /** Records of files that no longer exist under the folder. */
  removed: number;
  /** Images whose text OCR read in this run (OCR on), and those it could not read. */
  textRead: number;
  textFailed: number;
}

export interface FolderIndexOptions {
  /** Files processed at once; enough to keep the encoder's batches full. */
  concurrency: number;
  onStart?: (candidates: number) => void;
  onFile?: (report: FolderIndexReport) => void;
}

/**
 * Indexes every image under a folder into the local collection. Each file's record is
 * written as soon as it is embedded and keyed by its absolute path, so a run that is
 * interrupted and started again re-encodes nothing it already stored, and never
 * duplicates a file. Records of files deleted since the last run are removed. A file's
 * name is indexed as its words; with OCR on, so is the text in it, read once per file
 * (a later run reads only files it has not read). Each worker waits for its file's text
 * before taking the next, which bounds the images waiting for OCR by the concurrency.
 */
export async function indexFolder(library: ImageLibrary, folder: string, options: FolderIndexOptions): Promise<FolderIndexReport> {
  const root = path.resolve(folder);
  const files = await listFiles(root);
  const candidates = files.filter((file) => IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase()));
  const report: FolderIndexReport = {
    found: files.length,
    indexed: 0,
    updated: 0,
    unchanged: 0,
    skipped: files.length - candidates.length,
    failed: [],
    removed: 0,
    textRead: 0,
    textFailed: 0,
  };
  options.onStart?.(candidates.length);

  const existing = new Set(files);
  const under = root + path.sep;
  report.removed = await library.removeWhere(LOCAL_COLLECTION, (image) => image.source.startsWith(under) && !existing.has(image.source));

  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < candidates.length) {
      const file = candidates[next++]!;
      await indexFile(library, file, report);
      options.onFile?.(report);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return report;
}

async function indexFile(library: ImageLibrary, file: string, report: FolderIndexReport): Promise<void> {
  let bytes: Buffer;
  let modifiedAt: number;
  try {
    [bytes, modifiedAt] = await Promise.all([readFile(file), stat(file).then((info) => info.mtimeMs)]);
  } catch (error) {
    report.failed.push({ file, reason: `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return;
  }
  const origin = {
    id: file,
    collection: LOCAL_COLLECTION,
    channelId: path.dirname(file),
    messageId: '',
    attachmentId: '',
    authorId: '',
    createdAt: modifiedAt,
    source: file,
  };
  try {
    const outcome = await indexImage(library, origin, bytes, { fileName: path.basename(file) });
    report[outcome]++;
    logger.debug({ file, outcome }, 'image handled');
  } catch (error) {
    // A bad file is reported and the run goes on; a failing model or store stops it.
    if (!(error instanceof ImageRejectedError)) throw error;
    if (error.reason === 'not-an-image') report.skipped++;
    else report.failed.push({ file, reason: error.message });
    return;
  }
  const text = await readImageText(library, LOCAL_COLLECTION, file, bytes);
  if (text === 'read') report.textRead++;
  else if (text !== 'not-needed') report.textFailed++;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name))
    .sort();
}
