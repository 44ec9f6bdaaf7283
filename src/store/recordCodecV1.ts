import { endianness } from 'node:os';
import { discordRecordId, type ImageRecord } from './imageRecord.js';
import { RecordDecodeError } from './recordErrors.js';

/**
 * Reads batches written by the first codec version ("IRB1": one JSON object of columns, then
 * content hashes and float32 embeddings), so stores written before the columnar layout stay
 * readable. Nothing writes this format any more; compaction rewrites such segments in the new one.
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
 */

export const V1_MAGIC = 'IRB1';
const HEADER_BYTES = 20;
const HASH_BYTES = 32;
const LITTLE_ENDIAN_HOST = endianness() === 'LE';

export interface DecodedV1 {
  /** The records that decoded and passed validation, in stored order. */
  records: ImageRecord[];
  /** Each record's position among the stored entries. */
  positions: number[];
  /** Stored position → what is wrong with it, for the entries left out. */
  problems: Map<number, string>;
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

export function decodeV1(blob: Buffer): DecodedV1 {
  if (blob.length < HEADER_BYTES || blob.toString('latin1', 0, 4) !== V1_MAGIC) {
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
  const collections = meta.col.v,
    collectionOf = meta.col.i;
  const channels = meta.ch.v,
    channelOf = meta.ch.i;
  const authors = meta.au.v,
    authorOf = meta.au.i;
  const models = meta.model.v,
    modelOf = meta.model.i;
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
      perceptualHash: undefined,
      modelId: models[modelOf[i] as number] as string,
      embedding: floats.subarray(start, offset),
    });
    indexes.push(i);
  }
  return { records, positions: indexes, problems };
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
    ['id', meta?.id],
    ['msg', meta?.msg],
    ['att', meta?.att],
    ['at', meta?.at],
    ['src', meta?.src],
    ['hash', meta?.hash],
    ['col', meta?.col?.i],
    ['ch', meta?.ch?.i],
    ['au', meta?.au?.i],
    ['model', meta?.model?.i],
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

function align4(n: number): number {
  return (n + 3) & ~3;
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
