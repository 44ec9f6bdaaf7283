/** Errors the image store raises that a person can act on. */

/** The store was written by a newer version of this program; reading it could lose data. */
export class SchemaTooNewError extends Error {
  constructor(
    readonly storedVersion: number,
    readonly supportedVersion: number,
    writtenBy: string | undefined,
  ) {
    super(
      `this store was written by schema v${storedVersion}${writtenBy ? ` (${writtenBy})` : ''}; ` +
        `this version of the bot understands up to v${supportedVersion}; upgrade the bot`,
    );
    this.name = 'SchemaTooNewError';
  }
}

/** Something in the store is not what this program wrote (and cannot be read safely). */
export class StoreCorruptError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreCorruptError';
  }
}

/**
 * Another process (or another ImageStore in this one) wrote the same collection.
 * Two writers would overwrite each other's journal entries, so writing stops here.
 */
export class ConcurrentWriterError extends Error {
  constructor(collection: string, detail: string) {
    super(
      `another process is writing collection "${collection}" of this store (${detail}); ` +
        'two writers on one collection lose data: stop the other one (for example the CLI while the bot runs), ' +
        'then restart this one',
    );
    this.name = 'ConcurrentWriterError';
  }
}

/** Used after close(). */
export class StoreClosedError extends Error {
  constructor() {
    super('the image store is closed');
    this.name = 'StoreClosedError';
  }
}

/** A store that was to be read does not exist (a mistyped path or URL, an empty server). */
export class StoreMissingError extends Error {
  constructor(url: string, detail: string) {
    super(`no image store at ${url}: ${detail}; check the store URL`);
    this.name = 'StoreMissingError';
  }
}

/** A write through a store opened read-only (a bug in the caller, never a user's mistake). */
export class StoreReadOnlyError extends Error {
  constructor(url: string) {
    super(`the image store ${url} was opened read-only`);
    this.name = 'StoreReadOnlyError';
  }
}
