import { Buffer } from 'node:buffer';
import { endianness } from 'node:os';
import { discordRecordId, type ImageRecord } from './imageRecord.js';

/**
 * A compact, text-safe encoding of a batch of image records, used for both the
 * journal (one record) and segments (tens of thousands). Every keyv backend stores
 * text, so the batch is one base64 string of a binary blob:
 *
 *   0  "IRB1"            magic and codec version
 *   4  u32 count         records in the batch
 *   8  u32 metaBytes     length of the JSON below
 *  12  u32 floatCount    total float32 values
 *  16  u32 hashBytes     count × 32 when every contentHash is 64 lower-case hex digits, else 0
 *  20  meta JSON         columns of the other fields (repeated values dictionary-coded), pure ASCII
 *   …  content hashes as raw bytes (hashBytes of them)
 *   …  zero padding to a multiple of 4
 *   …  float32 little-endian embeddings, back to back
 *
 * Fixed-width float32 keeps embeddings bit-exact and lets decoding hand out
 * zero-copy Float32Array views; one JSON.parse per batch is far faster than one per
 * record, and ASCII-only JSON decodes as latin1 (a plain copy); base64 is the
 * cheapest binary-to-text step Node does natively. Start-up time is dominated by
 * moving these bytes out of the database, so every byte saved here counts.
 */

const MAGIC = 'IRB1';
const HEADER_BYTES = 20;
const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

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

export interface DecodedRecords {
  /** The records that decoded and passed validation, in stored order. */
  records: ImageRecord[];
  /** How many stored records were invalid and left out (each is described in `problems`). */
  failed: number;
  problems: string[];
  /** Each record's position among the stored entries when some were left out; null when none were. */
  indexes: number[] | null;
}

interface Dictionary {
  v: string[];
  i: number[];
}

interface Meta {
  /** One dimension for every record, or one per record. */
  dims: number | number[];
  /** null where the id is `${messageId}:${attachmentId}`. */
  id: (string | null)[];
  col: Dictionary;
  ch: Dictionary;
  msg: string[];
  att: string[];
  au: Dictionary;
  at: number[];
  src: string[];
  /** Empty when the hashes are stored as raw bytes. */
  hash: string[];
  model: Dictionary;
}

const STRING_FIELDS = [
  'id', 'collection', 'channelId', 'messageId', 'attachmentId', 'authorId', 'source', 'contentHash', 'modelId',
] as const;

/** Throws InvalidRecordError naming the first thing wrong with a record. */
export function validateRecord(record: ImageRecord): void {
  const label = typeof record?.id === 'string' ? `record "${record.id}"` : 'record';
  for (const field of STRING_FIELDS) {
    if (typeof record[field] !== 'string') throw new InvalidRecordError(`${label}: ${field} must be a string`);
  }
  if (record.id.length === 0) throw new InvalidRecordError('record: id must not be empty');
  if (record.collection.length === 0) throw new InvalidRecordError(`${label}: collection must not be empty`);
  if (typeof record.createdAt !== 'number' || !Number.isFinite(record.createdAt)) {
    throw new InvalidRecordError(`${label}: createdAt must be a finite number of milliseconds`);
  }
  if (!(record.embedding instanceof Float32Array) || record.embedding.length === 0) {
    throw new InvalidRecordError(`${label}: embedding must be a non-empty Float32Array`);
  }
}

function dictionary(values: Iterable<string>): Dictionary {
  const positions = new Map<string, number>();
  const v: string[] = [];
  const i: number[] = [];
  for (const value of values) {
    let position = positions.get(value);
    if (position === undefined) {
      position = v.length;
      positions.set(value, position);
      v.push(value);
    }
    i.push(position);
  }
  return { v, i };
}

/** Encodes records (validated first) into one base64 string. */
export function encodeRecords(records: readonly ImageRecord[]): string {
  return encodeRecordsToBuffer(records).toString('base64');
}

export function encodeRecordsToBuffer(records: readonly ImageRecord[]): Buffer {
  for (const record of records) validateRecord(record);
  const firstDims = records[0]?.embedding.length ?? 0;
  const uniform = records.every((record) => record.embedding.length === firstDims);
  const meta: Meta = {
    dims: uniform ? firstDims : records.map((record) => record.embedding.length),
    id: records.map((r) => (r.id === discordRecordId(r.messageId, r.attachmentId) ? null : r.id)),
    col: dictionary(records.map((r) => r.collection)),
    ch: dictionary(records.map((r) => r.channelId)),
    msg: records.map((r) => r.messageId),
    att: records.map((r) => r.attachmentId),
    au: dictionary(records.map((r) => r.authorId)),
    at: records.map((r) => r.createdAt),
    src: records.map((r) => r.source),
    hash: [],
    model: dictionary(records.map((r) => r.modelId)),
  };
  const binaryHashes = records.length > 0 && records.every((r) => HEX_HASH.test(r.contentHash));
  if (!binaryHashes) meta.hash = records.map((r) => r.contentHash);
  const metaText = asciiJson(meta);
  const metaBytes = metaText.length;
  const hashBytes = binaryHashes ? records.length * HASH_BYTES : 0;
  const floatStart = align4(HEADER_BYTES + metaBytes + hashBytes);
  let floatCount = 0;
  for (const record of records) floatCount += record.embedding.length;
  const blob = Buffer.alloc(floatStart + floatCount * 4);
  blob.write(MAGIC, 0, 'latin1');
  blob.writeUInt32LE(records.length, 4);
  blob.writeUInt32LE(metaBytes, 8);
  blob.writeUInt32LE(floatCount, 12);
  blob.writeUInt32LE(hashBytes, 16);
  blob.write(metaText, HEADER_BYTES, 'latin1');
  if (binaryHashes) {
    records.forEach((r, i) => blob.write(r.contentHash, HEADER_BYTES + metaBytes + i * HASH_BYTES, 'hex'));
  }
  let offset = floatStart;
  for (const record of records) {
    writeFloats(blob, offset, record.embedding);
    offset += record.embedding.length * 4;
  }
  return blob;
}

/** Decodes what encodeRecords made; throws RecordDecodeError if the batch as a whole is unreadable. */
export function decodeRecords(text: string): DecodedRecords {
  if (typeof text !== 'string') throw new RecordDecodeError(`expected base64 text, got ${typeof text}`);
  return decodeRecordsFromBuffer(Buffer.from(text, 'base64'));
}

export function decodeRecordsFromBuffer(blob: Buffer): DecodedRecords {
  if (blob.length < HEADER_BYTES || blob.toString('latin1', 0, 4) !== MAGIC) {
    throw new RecordDecodeError('not an image record batch (bad magic; corrupt or written by an unknown codec)');
  }
  const count = blob.readUInt32LE(4);
  const metaBytes = blob.readUInt32LE(8);
  const floatCount = blob.readUInt32LE(12);
  const hashBytes = blob.readUInt32LE(16);
  const hashStart = HEADER_BYTES + metaBytes;
  const floatStart = align4(hashStart + hashBytes);
  if (floatStart + floatCount * 4 !== blob.length || (hashBytes !== 0 && hashBytes !== count * HASH_BYTES)) {
    throw new RecordDecodeError(`batch is truncated or padded: ${blob.length} bytes, header says ${floatStart + floatCount * 4}`);
  }
  let meta: Meta;
  try {
    meta = JSON.parse(blob.toString('latin1', HEADER_BYTES, hashStart)) as Meta;
  } catch (error) {
    throw new RecordDecodeError(`batch metadata is not valid JSON: ${(error as Error).message}`);
  }
  if (hashBytes > 0 && Array.isArray(meta?.hash)) {
    const hashes = new Array<string>(count);
    for (let i = 0; i < count; i++) hashes[i] = blob.toString('hex', hashStart + i * HASH_BYTES, hashStart + (i + 1) * HASH_BYTES);
    meta.hash = hashes;
  }
  checkMetaShape(meta, count);
  const floats = readFloats(blob, floatStart, floatCount);
  const dims = typeof meta.dims === 'number' ? null : meta.dims;
  const uniformDims = typeof meta.dims === 'number' ? meta.dims : 0;
  const problems = invalidEntries(meta, count, floatCount);
  const records: ImageRecord[] = [];
  const indexes: number[] = [];
  const { id, msg, att, at, src, hash } = meta;
  const collections = meta.col.v, collectionOf = meta.col.i;
  const channels = meta.ch.v, channelOf = meta.ch.i;
  const authors = meta.au.v, authorOf = meta.au.i;
  const models = meta.model.v, modelOf = meta.model.i;
  let offset = 0;
  for (let i = 0; i < count; i++) {
    const length = dims === null ? uniformDims : (dims[i] as number);
    const start = offset;
    offset += length;
    if (problems.size > 0 && problems.has(i)) continue;
    const messageId = msg[i] as string;
    const attachmentId = att[i] as string;
    records.push({
      id: id[i] ?? discordRecordId(messageId, attachmentId),
      collection: collections[collectionOf[i] as number] as string,
      channelId: channels[channelOf[i] as number] as string,
      messageId,
      attachmentId,
      authorId: authors[authorOf[i] as number] as string,
      createdAt: at[i] as number,
      source: src[i] as string,
      contentHash: hash[i] as string,
      modelId: models[modelOf[i] as number] as string,
      embedding: floats.subarray(start, offset),
    });
    indexes.push(i);
  }
  const described = [...problems].slice(0, 10).map(([i, reason]) => `record #${i}: ${reason}`);
  if (problems.size > 10) described.push(`and ${problems.size - 10} more`);
  return { records, failed: problems.size, problems: described, indexes: problems.size > 0 ? indexes : null };
}

/**
 * Entries that cannot become valid records, found column by column (a tight loop per
 * column is far cheaper than validating record objects one by one).
 */
function invalidEntries(meta: Meta, count: number, floatCount: number): Map<number, string> {
  const problems = new Map<number, string>();
  const flag = (i: number, reason: string) => problems.has(i) || problems.set(i, reason);
  const strings = (column: unknown[], name: string, nonEmpty = false) => {
    for (let i = 0; i < count; i++) {
      const value = column[i];
      if (typeof value !== 'string' || (nonEmpty && value.length === 0)) flag(i, `${name} is not a ${nonEmpty ? 'non-empty ' : ''}string`);
    }
  };
  const lookups = (dict: Dictionary, name: string, nonEmpty = false) => {
    for (let i = 0; i < count; i++) {
      const value = dict.v[dict.i[i] as number];
      if (typeof value !== 'string' || (nonEmpty && value.length === 0)) flag(i, `${name} is not a ${nonEmpty ? 'non-empty ' : ''}string`);
    }
  };
  strings(meta.msg, 'messageId');
  strings(meta.att, 'attachmentId');
  strings(meta.src, 'source');
  strings(meta.hash, 'contentHash');
  for (let i = 0; i < count; i++) {
    const id = meta.id[i];
    if (id !== null && (typeof id !== 'string' || id.length === 0)) flag(i, 'id is not a non-empty string');
    if (!Number.isFinite(meta.at[i])) flag(i, 'createdAt is not a finite number');
  }
  lookups(meta.col, 'collection', true);
  lookups(meta.ch, 'channelId');
  lookups(meta.au, 'authorId');
  lookups(meta.model, 'modelId');
  if (typeof meta.dims === 'number') {
    const empty = count === 0 && floatCount === 0;
    if (!empty && !(Number.isSafeInteger(meta.dims) && meta.dims > 0 && meta.dims * count === floatCount)) {
      throw new RecordDecodeError(`dimension ${meta.dims} × ${count} records does not match the ${floatCount} stored floats`);
    }
  } else {
    let total = 0;
    for (let i = 0; i < count; i++) {
      const length = meta.dims[i];
      if (!(Number.isSafeInteger(length) && (length as number) > 0)) {
        throw new RecordDecodeError(`record #${i} has dimension ${JSON.stringify(length)}`);
      }
      total += length as number;
    }
    if (total !== floatCount) throw new RecordDecodeError(`dimensions add up to ${total} floats but the batch holds ${floatCount}`);
  }
  return problems;
}

function checkMetaShape(meta: Meta, count: number): void {
  const columns: [string, unknown][] = [
    ['id', meta?.id], ['msg', meta?.msg], ['att', meta?.att], ['at', meta?.at], ['src', meta?.src], ['hash', meta?.hash],
    ['col', meta?.col?.i], ['ch', meta?.ch?.i], ['au', meta?.au?.i], ['model', meta?.model?.i],
  ];
  if (Array.isArray(meta?.dims)) columns.push(['dims', meta.dims]);
  else if (typeof meta?.dims !== 'number') throw new RecordDecodeError('batch metadata has no dimensions');
  for (const [name, column] of columns) {
    if (!Array.isArray(column) || column.length !== count) {
      throw new RecordDecodeError(`batch metadata column "${name}" does not hold ${count} entries`);
    }
  }
  for (const name of ['col', 'ch', 'au', 'model'] as const) {
    if (!Array.isArray(meta[name].v)) throw new RecordDecodeError(`batch metadata column "${name}" has no values`);
  }
}

/** JSON with every non-ASCII character escaped, so that it decodes as latin1. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function writeFloats(blob: Buffer, offset: number, values: Float32Array): void {
  if (LITTLE_ENDIAN_HOST) {
    blob.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), offset);
    return;
  }
  for (let i = 0; i < values.length; i++) blob.writeFloatLE(values[i] as number, offset + i * 4);
}

/** A zero-copy view where the host and alignment allow; a copy otherwise. */
function readFloats(blob: Buffer, start: number, count: number): Float32Array {
  const byteOffset = blob.byteOffset + start;
  if (LITTLE_ENDIAN_HOST) {
    if (byteOffset % 4 === 0) return new Float32Array(blob.buffer, byteOffset, count);
    return new Float32Array(blob.buffer.slice(byteOffset, byteOffset + count * 4));
  }
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = blob.readFloatLE(start + i * 4);
  return out;
}
