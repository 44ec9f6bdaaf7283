import { Buffer } from 'node:buffer';
import type { ImageRecord } from './imageRecord.js';
import { decodeV1, V1_MAGIC } from './recordCodecV1.js';
import { RecordBatch, RecordColumns, type ColumnData, type ColumnDictionaries } from './recordColumns.js';
import { RecordColumnsBuilder } from './recordColumnsBuilder.js';
import { InvalidRecordError, RecordDecodeError } from './recordErrors.js';
import { readLittleEndian, writeLittleEndian, type Column, type ColumnType } from './littleEndian.js';
import { HASH_BYTES, RecordFlag, type TextFields } from './recordShape.js';

export { InvalidRecordError, RecordDecodeError } from './recordErrors.js';

/**
 * A compact, text-safe encoding of a batch of image records, used for both the journal
 * (one record) and segments (tens of thousands). Every keyv backend stores text, so the
 * batch is one base64 string of a binary blob of columns (see recordColumns.ts):
 *
 *   0  "IRB2"  4 u32 count  8 u32 metaBytes  12 u32 namesBytes  16 u32 floatCount
 *  20  u32 dimensions (0: per record, see floatEnds)   24..31 zero
 *  then, each starting at a multiple of 8:
 *   meta JSON (ASCII): { dict: the shared strings, text: { [entry]: fields kept as text } }
 *   flags u8 · message, attachment, perceptual 2×u32 · createdAt f64
 *   collection, channel, author, model, template u32 (dictionary indexes)
 *   content hashes 32 bytes · name ends u32 · [float ends u32] · names (UTF-8) · float32 embeddings
 *
 * Little-endian fixed-width columns decode as zero-copy typed-array views: loading a
 * segment makes no object per record, and embeddings stay bit-exact. Start-up time is
 * dominated by moving these bytes out of the database, so the strings records share are
 * stored once per batch and a Discord record costs its ids and hash in binary plus its file name.
 */

const MAGIC = 'IRB2';
const HEADER_BYTES = 32;

/** What a stored batch holds, as far as it could be read. */
export interface DecodedRecords {
  columns: RecordColumns;
  /** Column indexes of the entries that decoded and passed validation, in stored order. */
  entries: Uint32Array;
  /** Each of those entries' position among the stored entries (what dead lists refer to). */
  positions: Uint32Array;
  /** How many stored entries were invalid and left out (each is described in `problems`). */
  failed: number;
  problems: string[];
}

const STRING_FIELDS = [
  'id',
  'collection',
  'channelId',
  'messageId',
  'attachmentId',
  'authorId',
  'source',
  'contentHash',
  'modelId',
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
  const phash = record.perceptualHash;
  if (phash !== undefined && (typeof phash !== 'bigint' || phash < 0n || phash >= 1n << 64n)) {
    throw new InvalidRecordError(`${label}: perceptualHash must be an unsigned 64-bit bigint or undefined`);
  }
  if (!(record.embedding instanceof Float32Array) || record.embedding.length === 0) {
    throw new InvalidRecordError(`${label}: embedding must be a non-empty Float32Array`);
  }
}

/** Encodes records (validated first) into one base64 string. */
export function encodeRecords(records: readonly ImageRecord[]): string {
  return encodeRecordsToBuffer(records).toString('base64');
}

export function encodeRecordsToBuffer(records: readonly ImageRecord[]): Buffer {
  const builder = new RecordColumnsBuilder();
  for (const record of records) {
    validateRecord(record);
    builder.append(record);
  }
  return encodeColumns(builder.finish());
}

/** Entries of other batches, copied column to column (compaction, migration). */
export function encodeBuilt(builder: RecordColumnsBuilder): string {
  return encodeColumns(builder.finish()).toString('base64');
}

export function encodeColumns(columns: RecordColumns): Buffer {
  const d = columns.data;
  const text: Record<string, TextFields> = {};
  for (const [i, fields] of d.text) text[i] = fields;
  const meta = asciiJson({ dict: d.dict, text });
  const sections = layout(d.count, meta.length, d.names.length, d.floats.length, d.floatEnds !== null);
  const blob = Buffer.alloc(sections.end);
  blob.write(MAGIC, 0, 'latin1');
  blob.writeUInt32LE(d.count, 4);
  blob.writeUInt32LE(meta.length, 8);
  blob.writeUInt32LE(d.names.length, 12);
  blob.writeUInt32LE(d.floats.length, 16);
  blob.writeUInt32LE(d.floatEnds === null ? d.dimensions : 0, 20);
  blob.write(meta, sections.meta, 'latin1');
  for (const [name] of FIXED_COLUMNS) writeLittleEndian(blob, sections.columns[name], d[name]);
  if (d.floatEnds !== null) writeLittleEndian(blob, sections.floatEnds, d.floatEnds);
  writeLittleEndian(blob, sections.names, d.names);
  writeLittleEndian(blob, sections.floats, d.floats);
  return blob;
}

/** Decodes what encodeRecords made; throws RecordDecodeError if the batch as a whole is unreadable. */
export function decodeRecords(text: string): DecodedRecords {
  if (typeof text !== 'string') throw new RecordDecodeError(`expected base64 text, got ${typeof text}`);
  return decodeRecordsFromBuffer(Buffer.from(text, 'base64'));
}

export function decodeRecordsFromBuffer(blob: Buffer): DecodedRecords {
  const magic = blob.length >= 4 ? blob.toString('latin1', 0, 4) : '';
  if (magic === V1_MAGIC) return fromV1(blob);
  if (blob.length < HEADER_BYTES || magic !== MAGIC) {
    throw new RecordDecodeError('not an image record batch (bad magic; corrupt or written by an unknown codec)');
  }
  const count = blob.readUInt32LE(4);
  const metaBytes = blob.readUInt32LE(8);
  const namesBytes = blob.readUInt32LE(12);
  const floatCount = blob.readUInt32LE(16);
  const dimensions = blob.readUInt32LE(20);
  const sections = layout(count, metaBytes, namesBytes, floatCount, dimensions === 0 && count > 0);
  if (sections.end !== blob.length) {
    throw new RecordDecodeError(`batch is truncated or padded: ${blob.length} bytes, header says ${sections.end}`);
  }
  if (dimensions > 0 && dimensions * count !== floatCount) {
    throw new RecordDecodeError(`dimension ${dimensions} × ${count} records does not match the ${floatCount} stored floats`);
  }
  const aligned = blob.byteOffset % 8 === 0 ? blob : Buffer.from(blob); // a fresh copy starts aligned
  const meta = parseMeta(aligned.toString('latin1', sections.meta, sections.meta + metaBytes));
  const fixed = Object.fromEntries(
    FIXED_COLUMNS.map(([name, type, perRecord]) => [name, readLittleEndian(type, aligned, sections.columns[name], perRecord * count)]),
  ) as Pick<ColumnData, FixedColumn>;
  const data: ColumnData = {
    count,
    ...fixed,
    names: readLittleEndian(Uint8Array, aligned, sections.names, namesBytes),
    floats: readLittleEndian(Float32Array, aligned, sections.floats, floatCount),
    floatEnds: dimensions === 0 && count > 0 ? readLittleEndian(Uint32Array, aligned, sections.floatEnds, count) : null,
    dimensions,
    dict: meta.dict,
    text: meta.text,
  };
  checkOffsets(data);
  const problems = invalidEntries(data);
  const entries = new Uint32Array(count - problems.size);
  for (let i = 0, k = 0; i < count; i++) if (!problems.has(i)) entries[k++] = i;
  return { columns: new RecordColumns(data), entries, positions: entries, failed: problems.size, problems: describe(problems) };
}

/** The valid entries of a decoded batch, as records (for small batches: journal entries, tests). */
export function decodedRecords(decoded: DecodedRecords): ImageRecord[] {
  return [...new RecordBatch(decoded.columns, decoded.entries)];
}

function fromV1(blob: Buffer): DecodedRecords {
  const { records, positions, problems } = decodeV1(blob);
  const builder = new RecordColumnsBuilder();
  for (const record of records) builder.append(record);
  return {
    columns: builder.finish(),
    entries: Uint32Array.from(records, (_, i) => i),
    positions: Uint32Array.from(positions),
    failed: problems.size,
    problems: describe(problems),
  };
}

type FixedColumn =
  | 'flags'
  | 'message'
  | 'attachment'
  | 'perceptual'
  | 'createdAt'
  | 'collection'
  | 'channel'
  | 'author'
  | 'model'
  | 'template'
  | 'hashes'
  | 'nameEnds';

/** The fixed-width columns, in stored order: name, element type, values per record. */
const FIXED_COLUMNS: ReadonlyArray<readonly [FixedColumn, ColumnType<Column>, number]> = [
  ['flags', Uint8Array, 1],
  ['message', Uint32Array, 2],
  ['attachment', Uint32Array, 2],
  ['perceptual', Uint32Array, 2],
  ['createdAt', Float64Array, 1],
  ['collection', Uint32Array, 1],
  ['channel', Uint32Array, 1],
  ['author', Uint32Array, 1],
  ['model', Uint32Array, 1],
  ['template', Uint32Array, 1],
  ['hashes', Uint8Array, HASH_BYTES],
  ['nameEnds', Uint32Array, 1],
];

/** Byte offsets of every section of a batch, each starting at a multiple of 8. */
interface Sections {
  meta: number;
  columns: Record<FixedColumn, number>;
  floatEnds: number;
  names: number;
  floats: number;
  end: number;
}

function layout(count: number, metaBytes: number, namesBytes: number, floatCount: number, perRecordDims: boolean): Sections {
  let at = HEADER_BYTES;
  const next = (bytes: number): number => {
    const start = at;
    at = align8(at + bytes);
    return start;
  };
  const meta = next(metaBytes);
  const columns = Object.fromEntries(
    FIXED_COLUMNS.map(([name, type, perRecord]) => [name, next(type.BYTES_PER_ELEMENT * perRecord * count)]),
  ) as Record<FixedColumn, number>;
  const floatEnds = next(perRecordDims ? 4 * count : 0);
  const names = next(namesBytes);
  return { meta, columns, floatEnds, names, floats: at, end: at + 4 * floatCount };
}

function parseMeta(json: string): { dict: ColumnDictionaries; text: Map<number, TextFields> } {
  let parsed: { dict?: Partial<ColumnDictionaries>; text?: Record<string, TextFields> };
  try {
    parsed = JSON.parse(json) as typeof parsed;
  } catch (error) {
    throw new RecordDecodeError(`batch metadata is not valid JSON: ${(error as Error).message}`);
  }
  const dict = parsed?.dict;
  const names = ['collections', 'channels', 'authors', 'models', 'templates'] as const;
  if (typeof dict !== 'object' || dict === null || !names.every((name) => Array.isArray(dict[name]))) {
    throw new RecordDecodeError('batch metadata has no dictionaries');
  }
  if (typeof parsed.text !== 'object' || parsed.text === null) throw new RecordDecodeError('batch metadata has no text fields');
  const text = new Map<number, TextFields>();
  for (const [key, fields] of Object.entries(parsed.text)) text.set(Number(key), fields);
  return { dict: dict as ColumnDictionaries, text };
}

/** Name and float offsets must grow and stay inside their sections, or no entry can be located. */
function checkOffsets(d: ColumnData): void {
  const ends = (values: Uint32Array, limit: number, what: string) => {
    let previous = 0;
    for (let i = 0; i < values.length; i++) {
      const end = values[i] as number;
      if (end < previous || end > limit) throw new RecordDecodeError(`${what} offsets are out of order at record #${i}`);
      previous = end;
    }
    if (values.length > 0 && previous !== limit) throw new RecordDecodeError(`${what} offsets do not cover the stored ${what}`);
  };
  ends(d.nameEnds, d.names.length, 'name');
  if (d.floatEnds !== null) ends(d.floatEnds, d.floats.length, 'embedding');
  if (d.floatEnds !== null) {
    for (let i = 0; i < d.count; i++) {
      if (d.floatEnds[i] === (i === 0 ? 0 : d.floatEnds[i - 1])) throw new RecordDecodeError(`record #${i} has dimension 0`);
    }
  }
}

/** Entries that cannot become valid records: a dictionary index out of range, a text field of the wrong type. */
function invalidEntries(d: ColumnData): Map<number, string> {
  const problems = new Map<number, string>();
  const flag = (i: number, reason: string) => problems.has(i) || problems.set(i, reason);
  const lookups = (indexes: Uint32Array, values: unknown[], name: string, nonEmpty = false) => {
    for (let i = 0; i < d.count; i++) {
      const value = values[indexes[i] as number];
      if (typeof value !== 'string' || (nonEmpty && value.length === 0)) flag(i, `${name} is not a ${nonEmpty ? 'non-empty ' : ''}string`);
    }
  };
  lookups(d.collection, d.dict.collections, 'collection', true);
  lookups(d.channel, d.dict.channels, 'channelId');
  lookups(d.author, d.dict.authors, 'authorId');
  lookups(d.model, d.dict.models, 'modelId');
  lookups(d.template, d.dict.templates, 'source');
  const textFields: [number, keyof TextFields, boolean][] = [
    [RecordFlag.textId, 'id', true],
    [RecordFlag.textMessage, 'messageId', false],
    [RecordFlag.textAttachment, 'attachmentId', false],
    [RecordFlag.textHash, 'contentHash', false],
  ];
  for (let i = 0; i < d.count; i++) {
    if (!Number.isFinite(d.createdAt[i])) flag(i, 'createdAt is not a finite number');
    const flags = d.flags[i] as number;
    const text = d.text.get(i);
    for (const [bit, field, nonEmpty] of textFields) {
      if ((flags & bit) === 0) continue;
      const value = text?.[field];
      if (typeof value !== 'string' || (nonEmpty && value.length === 0)) flag(i, `${field} is not a ${nonEmpty ? 'non-empty ' : ''}string`);
    }
  }
  return problems;
}

function describe(problems: Map<number, string>): string[] {
  const described = [...problems].slice(0, 10).map(([i, reason]) => `record #${i}: ${reason}`);
  if (problems.size > 10) described.push(`and ${problems.size - 10} more`);
  return described;
}

/** JSON with every non-ASCII character escaped, so that it decodes as latin1. */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
