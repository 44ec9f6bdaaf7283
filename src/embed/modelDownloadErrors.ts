/** One error class per thing an operator can act on when a model download fails, all sharing a `kind`. */

export type ModelDownloadErrorKind = 'unreachable' | 'not-found' | 'hash-mismatch' | 'timeout' | 'interrupted' | 'http';

export class ModelDownloadError extends Error {
  constructor(
    readonly kind: ModelDownloadErrorKind,
    message: string,
    /** The file's URL on the hub (before any CDN redirect), or the hub listing's URL. */
    readonly url?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ModelDownloadError';
  }
}

/** A file still to be fetched: where it goes and where it comes from. */
export interface MissingModelFile {
  file: string;
  path: string;
  url: string;
}

/** No connection to the hub (offline, DNS, firewall): the message says what to copy where by hand. */
export class ModelHostUnreachableError extends ModelDownloadError {
  constructor(
    readonly host: string,
    readonly reason: string,
    readonly missing: readonly MissingModelFile[],
    url: string,
    cause?: unknown,
  ) {
    super('unreachable', `Cannot reach ${host} (${reason}), so the model files cannot be downloaded. ${placeByHand(missing)}`, url, {
      cause,
    });
  }
}

/** Instructions for fetching the missing files elsewhere: which URL goes to which exact path. */
function placeByHand(missing: readonly MissingModelFile[]): string {
  return (
    'Download them on a machine that can, and place them at exactly these paths:\n' +
    missing.map((m) => `  ${m.path}  <-  ${m.url}`).join('\n')
  );
}

/**
 * A download that gave up part-way for a reason that may pass (a stalled or cut connection, a
 * server error): the failure's own words, then the files still missing, to place by hand.
 */
export class ModelDownloadIncompleteError extends ModelDownloadError {
  constructor(
    readonly failure: ModelDownloadError,
    readonly missing: readonly MissingModelFile[],
  ) {
    super(failure.kind, `${failure.message} Or, instead of running again: ${placeByHand(missing)}`, failure.url, { cause: failure });
  }
}

export class ModelFileNotFoundError extends ModelDownloadError {
  constructor(
    readonly file: string,
    url: string,
    readonly status: number,
  ) {
    const why = status === 401 ? ' (the hub answers 401 for repositories that do not exist or are private)' : '';
    const message = `Not found: ${url} answered HTTP ${status}${why}; the model id or the file name "${file}" may be wrong.`;
    super('not-found', message, url);
  }
}

export class ModelHashMismatchError extends ModelDownloadError {
  constructor(
    readonly file: string,
    url: string,
    readonly algorithm: 'sha256' | 'git-sha1',
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'hash-mismatch',
      `Hash mismatch for ${file} from ${url}: expected ${algorithm} ${expected}, got ${actual}; ` +
        'the download was deleted, run again to fetch it afresh.',
      url,
    );
  }
}

export class ModelDownloadTimeoutError extends ModelDownloadError {
  constructor(
    url: string,
    readonly phase: 'headers' | 'body',
    readonly timeoutMs: number,
    cause?: unknown,
  ) {
    const what = phase === 'headers' ? 'no response headers' : 'the download stalled, no data';
    super('timeout', `Timed out: ${what} from ${url} for ${timeoutMs / 1000} s; run again to resume.`, url, { cause });
  }
}

export class ModelDownloadInterruptedError extends ModelDownloadError {
  constructor(
    url: string,
    readonly reason: string,
    readonly partPath: string | undefined,
    cause?: unknown,
  ) {
    const kept = partPath === undefined ? 'run again' : `the partial file ${partPath} is kept and the next run resumes it`;
    super('interrupted', `Download of ${url} was cut off (${reason}); ${kept}.`, url, { cause });
  }
}

export class ModelDownloadHttpError extends ModelDownloadError {
  constructor(
    url: string,
    readonly status: number,
  ) {
    super('http', `Unexpected HTTP ${status} from ${url}; try again later.`, url);
  }
}
