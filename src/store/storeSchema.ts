import type { Keyv } from 'keyv';
import { SchemaTooNewError, StoreCorruptError } from './storeErrors.js';
import { storeKeys } from './storeKeys.js';

/**
 * The store's layout version. A store written by a newer version is refused rather
 * than read (or worse, written) by code that does not understand it. Bump this and add
 * a migration step here when the layout changes.
 */
export const STORE_SCHEMA_VERSION = 1;

interface SchemaValue {
  version: number;
  writtenBy?: string;
}

/** Records the schema in a new store; refuses a store written by a newer schema. */
export async function checkSchema(keyv: Keyv, writtenBy: string): Promise<void> {
  if ((await readSchema(keyv)) === undefined) {
    await keyv.set(storeKeys.schema, { version: STORE_SCHEMA_VERSION, writtenBy } satisfies SchemaValue);
  }
}

/** The stored schema (undefined in a store nothing was written to); refuses one newer than this code. */
export async function readSchema(keyv: Keyv): Promise<SchemaValue | undefined> {
  const stored = (await keyv.get(storeKeys.schema)) as SchemaValue | undefined;
  if (stored === undefined) return undefined;
  if (typeof stored !== 'object' || stored === null || !Number.isSafeInteger(stored.version)) {
    throw new StoreCorruptError(`the store's ${storeKeys.schema} key holds ${JSON.stringify(stored)}, not a schema version`);
  }
  if (stored.version > STORE_SCHEMA_VERSION) throw new SchemaTooNewError(stored.version, STORE_SCHEMA_VERSION, stored.writtenBy);
  return stored;
}
