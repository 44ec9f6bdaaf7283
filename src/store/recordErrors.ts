/** Errors of the record codec. */

/** A record that cannot be stored as given (caught before anything is written). */
export class InvalidRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecordError';
  }
}

/** A stored batch that cannot be read back at all (corrupt or foreign data). */
export class RecordDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordDecodeError';
  }
}
