import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { logger } from '../logger.js';
import { createDefaultProgressReporter, type DownloadProgressListener, type FileVerification } from './downloadProgress.js';
import { DEFAULT_HUB_URL, DEFAULT_MODEL_ID, isValidModelId, modelFilesFor, modelFileUrl, modelTreeUrl } from './modelManifest.js';

import {
  ModelDownloadError,
  ModelDownloadHttpError,
  ModelDownloadIncompleteError,
  ModelDownloadInterruptedError,
  ModelDownloadTimeoutError,
  ModelFileNotFoundError,
  ModelHashMismatchError,
  ModelHostUnreachableError,
  type MissingModelFile,
  type ModelDownloadErrorKind,
} from './modelDownloadErrors.js';

export * from './modelDownloadErrors.js';

// ---------------------------------------------------------------------------------------------
// Options and results.

export interface DownloadTimeouts {
  /** Establishing the TCP/TLS connection. */
  connectMs: number;
  /** Waiting for the response headers once the request is sent. */
  headersMs: number;
  /** Longest silence while the body streams: a stalled server fails after this. */
  stallMs: number;
}

export const DEFAULT_DOWNLOAD_TIMEOUTS: DownloadTimeouts = { connectMs: 15_000, headersMs: 30_000, stallMs: 30_000 };

export interface DownloadModelOptions {
  modelId: string;
  /** The folder holding one sub-folder per model id (`<modelsDir>/<owner>/<name>/`). */
  modelsDir: string;
  /** Hub base URL; defaults to the manifest's `DEFAULT_HUB_URL`. */
  hubUrl?: string;
  timeouts?: Partial<DownloadTimeouts>;
  /** Progress events; by default a bar on a terminal, one log line per file otherwise. */
  onProgress?: DownloadProgressListener;
  /** Attempts per file when the connection is cut, stalls or the hub answers 5xx (default 3). Each resumes. */
  maxAttempts?: number;
  /** Pause before a retry, multiplied by the attempt number (default 2000 ms). */
  retryDelayMs?: number;
}

export interface ModelFileOutcome {
  file: string;
  path: string;
  /** `present`: already on disk, not touched. */
  status: 'present' | 'downloaded';
  verification?: FileVerification;
}

export interface DownloadModelResult {
  dir: string;
  files: ModelFileOutcome[];
}

interface DownloadContext {
  dispatcher: Dispatcher;
  timeouts: DownloadTimeouts;
  onProgress: DownloadProgressListener;
  maxAttempts: number;
  retryDelayMs: number;
}

/** What the hub's listing says about one file. */
interface PublishedFile {
  size?: number;
  hash?: PublishedHash;
}

interface PublishedHash {
  algorithm: 'sha256' | 'git-sha1';
  hex: string;
}

/** A connection that could not be made; `downloadModel` turns it into the "place these files" error. */
class HostUnreachable extends Error {
  constructor(
    readonly url: string,
    readonly reason: string,
    readonly original: unknown,
  ) {
    super(reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Public entry points.

/** The directory a model's files live in. */
export function modelDirectoryFor(modelsDir: string, modelId: string): string {
  return path.resolve(modelsDir, ...modelId.split('/'));
}

/**
 * Makes sure the model's files are on disk and returns their directory. When all are present
 * this touches no network at all; otherwise it downloads the missing ones.
 */
export async function ensureModelFiles(options: DownloadModelOptions): Promise<string> {
  return (await downloadModel(options)).dir;
}

/**
 * Downloads the files missing from `<modelsDir>/<modelId>/`. Each file streams into `<file>.part`
 * and is renamed only once complete and verified, so a file with its final name is always whole.
 * An existing `.part` is resumed with a Range request.
 */
export async function downloadModel(options: DownloadModelOptions): Promise<DownloadModelResult> {
  const { modelId } = options;
  if (!isValidModelId(modelId)) {
    throw new RangeError(`Invalid model id "${modelId}": expected "owner/name", e.g. ${DEFAULT_MODEL_ID}.`);
  }
  const hubUrl = options.hubUrl ?? DEFAULT_HUB_URL;
  const dir = modelDirectoryFor(options.modelsDir, modelId);
  const outcomes: ModelFileOutcome[] = [];
  const missing: MissingModelFile[] = [];
  for (const file of modelFilesFor(modelId)) {
    const target = path.join(dir, file);
    if (await isFile(target)) outcomes.push({ file, path: target, status: 'present' });
    else missing.push({ file, path: target, url: modelFileUrl(hubUrl, modelId, file) });
  }
  if (missing.length === 0) return { dir, files: outcomes };

  await fs.mkdir(dir, { recursive: true });
  const timeouts = { ...DEFAULT_DOWNLOAD_TIMEOUTS, ...options.timeouts };
  const dispatcher = new Agent({
    connect: { timeout: timeouts.connectMs },
    headersTimeout: timeouts.headersMs,
    bodyTimeout: timeouts.stallMs,
  });
  const context: DownloadContext = {
    dispatcher,
    timeouts,
    onProgress: options.onProgress ?? createDefaultProgressReporter(process.stderr.isTTY === true),
    maxAttempts: Math.max(1, options.maxAttempts ?? 3),
    retryDelayMs: options.retryDelayMs ?? 2000,
  };
  let index = 0;
  try {
    logger.info({ modelId, dir, files: missing.map((m) => m.file) }, `downloading ${missing.length} model file(s) of ${modelId}`);
    const published = await fetchPublishedFiles(context, hubUrl, modelId);
    for (; index < missing.length; index += 1) {
      const item = missing[index]!;
      const verification = await downloadFileWithRetries(context, item, published?.get(item.file));
      outcomes.push({ file: item.file, path: item.path, status: 'downloaded', verification });
    }
  } catch (error) {
    if (error instanceof HostUnreachable) {
      const host = new URL(error.url).host;
      throw new ModelHostUnreachableError(host, error.reason, missing.slice(index), error.url, error.original);
    }
    if (error instanceof ModelDownloadError && MAY_PASS.has(error.kind))
      throw new ModelDownloadIncompleteError(error, missing.slice(index));
    throw error;
  } finally {
    await dispatcher.destroy();
  }
  return { dir, files: outcomes };
}

/** Failures that may not happen on the next try; the person may also fetch the files elsewhere. */
const MAY_PASS = new Set<ModelDownloadErrorKind>(['timeout', 'interrupted', 'http']);

// ---------------------------------------------------------------------------------------------
// The hub's file listing.

/**
 * Sizes and hashes by file name, or undefined when the listing cannot be had: then files are
 * downloaded anyway and only checked where the download response itself carries a sha256.
 */
async function fetchPublishedFiles(
  context: DownloadContext,
  hubUrl: string,
  modelId: string,
): Promise<Map<string, PublishedFile> | undefined> {
  const url = modelTreeUrl(hubUrl, modelId);
  let reason: string;
  try {
    const { response } = await get(context, url, {});
    if (response.statusCode === 200) {
      const entries = parseListing(await response.body.json());
      if (entries) return entries;
      reason = 'unexpected JSON';
    } else {
      await response.body.dump();
      reason = `HTTP ${response.statusCode}`;
    }
  } catch (error) {
    if (error instanceof HostUnreachable) throw error;
    reason = error instanceof Error ? error.message : String(error);
  }
  logger.warn(
    { url, reason },
    `hub file listing unavailable (${reason}); downloading without hash verification ` +
      'except where the download response names a sha256',
  );
  return undefined;
}

function parseListing(json: unknown): Map<string, PublishedFile> | undefined {
  if (!Array.isArray(json)) return undefined;
  const files = new Map<string, PublishedFile>();
  for (const entry of json as Array<Record<string, unknown>>) {
    if (entry?.type !== 'file' || typeof entry.path !== 'string') continue;
    const lfs = entry.lfs as Record<string, unknown> | undefined;
    if (lfs && typeof lfs.oid === 'string') {
      const hash: PublishedHash = { algorithm: 'sha256', hex: lfs.oid.toLowerCase() };
      files.set(entry.path, { size: numberOr(lfs.size), hash });
    } else if (typeof entry.oid === 'string') {
      const hash: PublishedHash = { algorithm: 'git-sha1', hex: entry.oid.toLowerCase() };
      files.set(entry.path, { size: numberOr(entry.size), hash });
    }
  }
  return files;
}

function numberOr(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

// ---------------------------------------------------------------------------------------------
// One file.

async function downloadFileWithRetries(
  context: DownloadContext,
  item: MissingModelFile,
  published: PublishedFile | undefined,
): Promise<FileVerification> {
  const startedAt = Date.now();
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await downloadFile(context, item, published, startedAt);
    } catch (error) {
      const part = `${item.path}.part`;
      context.onProgress({ phase: 'fail', file: item.file, bytesDone: await sizeOf(part), error: error as Error });
      if (attempt >= context.maxAttempts || !isRetryable(error)) throw error;
      const reason = (error as Error).message;
      logger.warn({ file: item.file, attempt, reason }, `retrying ${item.file} from byte ${await sizeOf(part)}`);
      await sleep(context.retryDelayMs * attempt);
    }
  }
}

function isRetryable(error: unknown): boolean {
  return (
    error instanceof ModelDownloadTimeoutError ||
    error instanceof ModelDownloadInterruptedError ||
    (error instanceof ModelDownloadHttpError && (error.status >= 500 || error.status === 429))
  );
}

async function downloadFile(
  context: DownloadContext,
  item: MissingModelFile,
  published: PublishedFile | undefined,
  startedAt: number,
): Promise<FileVerification> {
  const part = `${item.path}.part`;
  const expectedSize = published?.size;
  // At most one fresh start after the server disagrees with what is on disk.
  for (let restarted = false; ; restarted = true) {
    let offset = await sizeOf(part);
    if (expectedSize !== undefined && offset > expectedSize) {
      await fs.rm(part, { force: true });
      offset = 0;
    }
    const range: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    const { response, finalUrl, hubHash } = await get(context, item.url, range);
    const status = response.statusCode;
    const contentRange = parseContentRange(header(response.headers, 'content-range'));
    let total: number | undefined;
    if (status === 416) {
      await response.body.dump();
      total = contentRange?.total ?? expectedSize;
      const complete = offset > 0 && total === offset;
      if (!complete && !restarted) {
        await fs.rm(part, { force: true });
        continue;
      }
      if (!complete) throw new ModelDownloadHttpError(item.url, status);
      // The part was already complete: an earlier run stopped between the last byte and the rename.
      context.onProgress({ phase: 'start', file: item.file, url: item.url, bytesDone: offset, bytesTotal: offset });
    } else if (status === 200 || status === 206) {
      if (status === 206 && contentRange?.start !== offset) {
        await response.body.dump();
        if (restarted) throw new ModelDownloadHttpError(item.url, status);
        await fs.rm(part, { force: true });
        continue;
      }
      if (status === 200 && offset > 0) {
        logger.debug({ url: finalUrl, offset }, 'server ignored the Range request; starting the file over');
        offset = 0;
      }
      const length = Number(header(response.headers, 'content-length') ?? Number.NaN);
      total = expectedSize ?? contentRange?.total ?? (Number.isFinite(length) ? offset + length : undefined);
      context.onProgress({ phase: 'start', file: item.file, url: item.url, bytesDone: offset, bytesTotal: total });
      await streamToPart(context, response, item.file, part, offset, total, item.url);
    } else {
      await response.body.dump();
      if (status === 404 || status === 401) throw new ModelFileNotFoundError(item.file, item.url, status);
      throw new ModelDownloadHttpError(item.url, status);
    }
    const bytes = await sizeOf(part);
    const verification = await verifyPart(part, bytes, published?.hash ?? hubHash, item.file, item.url);
    await fs.rename(part, item.path);
    const seconds = (Date.now() - startedAt) / 1000;
    context.onProgress({ phase: 'finish', file: item.file, bytesDone: bytes, bytesTotal: bytes, seconds, verification });
    return verification;
  }
}

async function streamToPart(
  context: DownloadContext,
  response: Dispatcher.ResponseData,
  file: string,
  part: string,
  offset: number,
  total: number | undefined,
  url: string,
): Promise<void> {
  let bytesDone = offset;
  // Each chunk is on disk before the next is read, so a cut connection keeps every byte received.
  const handle = await fs.open(part, offset > 0 ? 'a' : 'w');
  try {
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      await handle.write(chunk);
      bytesDone += chunk.length;
      context.onProgress({ phase: 'advance', file, bytesDone, bytesTotal: total });
    }
    // On disk before the rename makes it look complete, even across a power cut.
    await handle.sync();
  } catch (error) {
    throw classifyTransportError(error, url, url, context.timeouts, part);
  } finally {
    await handle.close();
  }
}

/** Checks the finished `.part` against the published hash; on mismatch deletes it and throws. */
async function verifyPart(
  part: string,
  size: number,
  hash: PublishedHash | undefined,
  file: string,
  url: string,
): Promise<FileVerification> {
  if (!hash) return 'none';
  const digest = createHash(hash.algorithm === 'sha256' ? 'sha256' : 'sha1');
  // A git blob id is the sha1 of a "blob <size>\0" header followed by the content.
  if (hash.algorithm === 'git-sha1') digest.update(`blob ${size}\0`);
  await pipeline(createReadStream(part), digest);
  const actual = digest.digest('hex');
  if (actual !== hash.hex) {
    await fs.rm(part, { force: true });
    throw new ModelHashMismatchError(file, url, hash.algorithm, hash.hex, actual);
  }
  return hash.algorithm;
}

// ---------------------------------------------------------------------------------------------
// HTTP.

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const INTERRUPTED_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE', 'UND_ERR_CLOSED']);

/**
 * GET following redirects by hand (the hub answers 302 to its CDN) so the hub's own headers stay
 * visible: for LFS files it names the content's sha256 in `X-Linked-Etag`.
 */
async function get(
  context: DownloadContext,
  url: string,
  headers: Record<string, string>,
): Promise<{ response: Dispatcher.ResponseData; finalUrl: string; hubHash: PublishedHash | undefined }> {
  let current = url;
  let hubHash: PublishedHash | undefined;
  for (let hop = 0; hop <= 5; hop += 1) {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(current, {
        method: 'GET',
        headers: { 'user-agent': 'image-search-bot model downloader', ...headers },
        dispatcher: context.dispatcher,
      });
    } catch (error) {
      throw classifyTransportError(error, url, current, context.timeouts, undefined);
    }
    hubHash ??= sha256FromEtag(header(response.headers, 'x-linked-etag'));
    const location = header(response.headers, 'location');
    if (!REDIRECTS.has(response.statusCode) || location === undefined) return { response, finalUrl: current, hubHash };
    hubHash ??= sha256FromEtag(header(response.headers, 'etag'));
    await response.body.dump();
    current = new URL(location, current).toString();
  }
  throw new ModelDownloadError('http', `Too many redirects from ${url} (last: ${current}); try again later.`, url);
}

/**
 * Maps a transport failure to the error an operator acts on. `url` is the file's hub URL, named in
 * messages; `failingUrl` is the hop that failed (maybe the CDN), whose host an unreachable error names.
 */
function classifyTransportError(
  error: unknown,
  url: string,
  failingUrl: string,
  timeouts: DownloadTimeouts,
  part: string | undefined,
): Error {
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (code !== undefined && UNREACHABLE_CODES.has(code)) {
    const reason = code === 'UND_ERR_CONNECT_TIMEOUT' ? `no connection within ${timeouts.connectMs / 1000} s` : message;
    return new HostUnreachable(failingUrl, reason, error);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT') return new ModelDownloadTimeoutError(url, 'headers', timeouts.headersMs, error);
  if (code === 'UND_ERR_BODY_TIMEOUT') return new ModelDownloadTimeoutError(url, 'body', timeouts.stallMs, error);
  if ((code !== undefined && INTERRUPTED_CODES.has(code)) || message === 'terminated') {
    return new ModelDownloadInterruptedError(url, message, part, error);
  }
  return error instanceof Error ? error : new Error(message);
}

/** Node reports some connection failures as an AggregateError (one per address tried). */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const record = error as { code?: unknown; cause?: unknown; errors?: unknown[] };
  if (typeof record.code === 'string') return record.code;
  if (Array.isArray(record.errors) && record.errors.length > 0) return errorCode(record.errors[0]);
  return record.cause === undefined ? undefined : errorCode(record.cause);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sha256FromEtag(value: string | undefined): PublishedHash | undefined {
  const hex = value?.replace(/^W\//, '').replace(/"/g, '').trim().toLowerCase();
  return hex !== undefined && /^[0-9a-f]{64}$/.test(hex) ? { algorithm: 'sha256', hex } : undefined;
}

/** Parses `bytes 100-199/200`, or the star form a 416 answer carries, into start and total. */
function parseContentRange(value: string | undefined): { start?: number; total?: number } | undefined {
  const match = value === undefined ? null : /^bytes\s+(?:(\d+)-\d+|\*)\/(\d+|\*)$/i.exec(value.trim());
  if (!match) return undefined;
  return {
    start: match[1] === undefined ? undefined : Number(match[1]),
    total: match[2] === '*' || match[2] === undefined ? undefined : Number(match[2]),
  };
}

// ---------------------------------------------------------------------------------------------
// Files.

async function isFile(file: string): Promise<boolean> {
  return fs.stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}

async function sizeOf(file: string): Promise<number> {
  return fs.stat(file).then(
    (info) => info.size,
    () => 0,
  );
}
