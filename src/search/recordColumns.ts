import type { ImageRecord } from './imageRecord.js';
import {
  attachmentIdText, HASH_BYTES, hashToHex, idShapeOf, keyHashOfId, keyHashOfParts, messageIdText, RecordFlag,
  recordIdText, sourceShapeOf, sourceText, type TextFields,
} from './recordShape.js';

/**
 * Many records as columns: typed arrays for numbers, ids and hashes, small dictionaries for
 * the strings records share (collection, channel, author, model, source template), one byte
 * buffer of file names, and text only where a field does not fit (see recordShape.ts). It is
 * what a stored batch decodes into without making an object per record; records are built
 * from it one at a time, on demand.
 */

export interface ColumnDictionaries {
  collections: string[];
  channels: string[];
  authors: string[];
  models: string[];
  templates: string[];
}

export interface ColumnData {
  count: number;
  flags: Uint8Array;
  /** Two 32-bit halves (low, high) per record. */
  message: Uint32Array;
  attachment: Uint32Array;
  perceptual: Uint32Array;
  createdAt: Float64Array;
  /** Indexes into the dictionaries. */
  collection: Uint32Array;
  channel: Uint32Array;
  author: Uint32Array;
  model: Uint32Array;
  template: Uint32Array;
  /** HASH_BYTES per record. */
  hashes: Uint8Array;
  /** UTF-8 file names back to back; record i's ends at nameEnds[i]. */
  nameEnds: Uint32Array;
  names: Uint8Array;
  floats: Float32Array;
  /** Per-record end offsets into floats, or null when every record has `dimensions` values. */
  floatEnds: Uint32Array | null;
  dimensions: number;
  dict: ColumnDictionaries;
  text: ReadonlyMap<number, TextFields>;
}

export class RecordColumns {
  constructor(readonly data: ColumnData) {}

  get count(): number {
    return this.data.count;
  }

  flagsAt(i: number): number {
    return this.data.flags[i] as number;
  }

  textAt(i: number): TextFields | undefined {
    return this.data.text.get(i);
  }

  messageIdAt(i: number): string {
    const { message } = this.data;
    return messageIdText(this.flagsAt(i), message[2 * i] as number, message[2 * i + 1] as number, this.textAt(i));
  }

  attachmentIdAt(i: number): string {
    const { attachment } = this.data;
    return attachmentIdText(this.flagsAt(i), attachment[2 * i] as number, attachment[2 * i + 1] as number, this.textAt(i));
  }

  idAt(i: number): string {
    const flags = this.flagsAt(i);
    if (flags & RecordFlag.textId) return this.textAt(i)?.id ?? '';
    return recordIdText(flags, this.messageIdAt(i), this.attachmentIdAt(i), undefined);
  }

  /** keyHashOfId(idAt(i)), without building the id's text for Discord-shaped ids. */
  keyHashAt(i: number): number {
    const flags = this.flagsAt(i);
    if (flags & RecordFlag.textId) return keyHashOfId(this.textAt(i)?.id ?? '');
    const { message, attachment } = this.data;
    return keyHashOfParts(flags, message[2 * i] as number, message[2 * i + 1] as number, attachment[2 * i] as number, attachment[2 * i + 1] as number);
  }

  collectionAt(i: number): string {
    return this.data.dict.collections[this.data.collection[i] as number] as string;
  }

  channelAt(i: number): string {
    return this.data.dict.channels[this.data.channel[i] as number] as string;
  }

  authorAt(i: number): string {
    return this.data.dict.authors[this.data.author[i] as number] as string;
  }

  modelAt(i: number): string {
    return this.data.dict.models[this.data.model[i] as number] as string;
  }

  templateAt(i: number): string {
    return this.data.dict.templates[this.data.template[i] as number] as string;
  }

  contentHashAt(i: number): string {
    if (this.flagsAt(i) & RecordFlag.textHash) return this.textAt(i)?.contentHash ?? '';
    return hashToHex(this.data.hashes, i * HASH_BYTES);
  }

  perceptualHashAt(i: number): bigint | undefined {
    if ((this.flagsAt(i) & RecordFlag.perceptualHash) === 0) return undefined;
    const { perceptual } = this.data;
    return (BigInt(perceptual[2 * i + 1] as number) << 32n) | BigInt(perceptual[2 * i] as number);
  }

  nameBytesAt(i: number): Uint8Array {
    const { nameEnds, names } = this.data;
    return names.subarray(i === 0 ? 0 : (nameEnds[i - 1] as number), nameEnds[i] as number);
  }

  sourceAt(i: number): string {
    const name = Buffer.from(this.nameBytesAt(i)).toString('utf8');
    const literal = (this.flagsAt(i) & RecordFlag.literalSource) !== 0;
    return sourceText(this.templateAt(i), name, literal, this.channelAt(i), this.attachmentIdAt(i));
  }

  dimensionsAt(i: number): number {
    const { floatEnds, dimensions } = this.data;
    if (floatEnds === null) return dimensions;
    return (floatEnds[i] as number) - (i === 0 ? 0 : (floatEnds[i - 1] as number));
  }

  /** A view into the batch's floats (valid as long as the batch is referenced). */
  embeddingAt(i: number): Float32Array {
    const { floatEnds, dimensions, floats } = this.data;
    const end = floatEnds === null ? (i + 1) * dimensions : (floatEnds[i] as number);
    return floats.subarray(end - this.dimensionsAt(i), end);
  }

  /** Every entry, as a batch. */
  all(): RecordBatch {
    return new RecordBatch(this, Uint32Array.from({ length: this.count }, (_, i) => i));
  }

  recordAt(i: number): ImageRecord {
    return {
      id: this.idAt(i),
      collection: this.collectionAt(i),
      channelId: this.channelAt(i),
      messageId: this.messageIdAt(i),
      attachmentId: this.attachmentIdAt(i),
      authorId: this.authorAt(i),
      createdAt: this.data.createdAt[i] as number,
      source: this.sourceAt(i),
      contentHash: this.contentHashAt(i),
      perceptualHash: this.perceptualHashAt(i),
      modelId: this.modelAt(i),
      embedding: this.embeddingAt(i),
    };
  }
}

/** Some entries of a RecordColumns (for example a segment without its replaced entries). */
export class RecordBatch implements Iterable<ImageRecord> {
  constructor(
    readonly columns: RecordColumns,
    /** Indexes into columns of the entries this batch holds, in order. */
    readonly entries: Uint32Array,
  ) {}

  static of(records: readonly ImageRecord[]): RecordBatch {
    const builder = new RecordColumnsBuilder();
    for (const record of records) builder.append(record);
    return builder.finish().all();
  }

  get length(): number {
    return this.entries.length;
  }

  recordAt(k: number): ImageRecord {
    return this.columns.recordAt(this.entries[k] as number);
  }

  *[Symbol.iterator](): Iterator<ImageRecord> {
    for (let k = 0; k < this.entries.length; k++) yield this.recordAt(k);
  }
}

/** Appends records (or entries of other columns) and makes exact-size columns of them. */
export class RecordColumnsBuilder {
  private count = 0;
  private flags = new Uint8Array(16);
  private message = new Uint32Array(32);
  private attachment = new Uint32Array(32);
  private perceptual = new Uint32Array(32);
  private createdAt = new Float64Array(16);
  private readonly indexes = { collection: new Uint32Array(16), channel: new Uint32Array(16), author: new Uint32Array(16), model: new Uint32Array(16), template: new Uint32Array(16) };
  private hashes = new Uint8Array(16 * HASH_BYTES);
  private nameEnds = new Uint32Array(16);
  private names = new Uint8Array(256);
  private namesLength = 0;
  private floats = new Float32Array(256);
  private floatsLength = 0;
  private readonly floatEnds: number[] = [];
  private readonly text = new Map<number, TextFields>();
  private readonly dictionaries = { collection: new Dictionary(), channel: new Dictionary(), author: new Dictionary(), model: new Dictionary(), template: new Dictionary() };

  get length(): number {
    return this.count;
  }

  append(record: ImageRecord): void {
    const i = this.startEntry(record.embedding.length);
    const shape = idShapeOf(record.id, record.messageId, record.attachmentId, record.contentHash);
    const source = sourceShapeOf(record.source, record.channelId, record.attachmentId);
    let flags = shape.flags | (source.literal ? RecordFlag.literalSource : 0);
    this.message[2 * i] = shape.messageLow;
    this.message[2 * i + 1] = shape.messageHigh;
    this.attachment[2 * i] = shape.attachmentLow;
    this.attachment[2 * i + 1] = shape.attachmentHigh;
    if (record.perceptualHash !== undefined) {
      flags |= RecordFlag.perceptualHash;
      this.perceptual[2 * i] = Number(record.perceptualHash & 0xffff_ffffn);
      this.perceptual[2 * i + 1] = Number((record.perceptualHash >> 32n) & 0xffff_ffffn);
    }
    this.flags[i] = flags;
    if (shape.text !== null) this.text.set(i, shape.text);
    if ((flags & RecordFlag.textHash) === 0) this.hashes.set(Buffer.from(record.contentHash, 'hex'), i * HASH_BYTES);
    this.createdAt[i] = record.createdAt;
    this.setStrings(i, record.collection, record.channelId, record.authorId, record.modelId, source.template);
    this.appendName(Buffer.from(source.name, 'utf8'));
    this.appendFloats(record.embedding);
  }

  /** Copies entry `i` of `columns` without building a record. */
  appendFrom(columns: RecordColumns, i: number): void {
    const from = columns.data;
    const k = this.startEntry(columns.dimensionsAt(i));
    this.flags[k] = from.flags[i] as number;
    for (const [to, source] of [[this.message, from.message], [this.attachment, from.attachment], [this.perceptual, from.perceptual]] as const) {
      to[2 * k] = source[2 * i] as number;
      to[2 * k + 1] = source[2 * i + 1] as number;
    }
    const text = columns.textAt(i);
    if (text !== undefined) this.text.set(k, text);
    this.hashes.set(from.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES), k * HASH_BYTES);
    this.createdAt[k] = from.createdAt[i] as number;
    this.setStrings(k, columns.collectionAt(i), columns.channelAt(i), columns.authorAt(i), columns.modelAt(i), columns.templateAt(i));
    this.appendName(columns.nameBytesAt(i));
    this.appendFloats(columns.embeddingAt(i));
  }

  finish(): RecordColumns {
    const n = this.count;
    const uniform = this.floatEnds.every((end, i) => end === (i + 1) * (this.floatEnds[0] ?? 0));
    const { collection, channel, author, model, template } = this.indexes;
    return new RecordColumns({
      count: n,
      flags: this.flags.slice(0, n),
      message: this.message.slice(0, 2 * n),
      attachment: this.attachment.slice(0, 2 * n),
      perceptual: this.perceptual.slice(0, 2 * n),
      createdAt: this.createdAt.slice(0, n),
      collection: collection.slice(0, n),
      channel: channel.slice(0, n),
      author: author.slice(0, n),
      model: model.slice(0, n),
      template: template.slice(0, n),
      hashes: this.hashes.slice(0, n * HASH_BYTES),
      nameEnds: this.nameEnds.slice(0, n),
      names: this.names.slice(0, this.namesLength),
      floats: this.floats.slice(0, this.floatsLength),
      floatEnds: uniform ? null : Uint32Array.from(this.floatEnds),
      dimensions: uniform ? (this.floatEnds[0] ?? 0) : 0,
      dict: {
        collections: this.dictionaries.collection.values,
        channels: this.dictionaries.channel.values,
        authors: this.dictionaries.author.values,
        models: this.dictionaries.model.values,
        templates: this.dictionaries.template.values,
      },
      text: new Map(this.text),
    });
  }

  private startEntry(dimensions: number): number {
    const i = this.count++;
    if (i >= this.flags.length) {
      const size = this.flags.length * 2;
      this.flags = resized(this.flags, size);
      this.message = resized(this.message, 2 * size);
      this.attachment = resized(this.attachment, 2 * size);
      this.perceptual = resized(this.perceptual, 2 * size);
      this.createdAt = resized(this.createdAt, size);
      for (const key of Object.keys(this.indexes) as (keyof typeof this.indexes)[]) this.indexes[key] = resized(this.indexes[key], size);
      this.hashes = resized(this.hashes, size * HASH_BYTES);
      this.nameEnds = resized(this.nameEnds, size);
    }
    this.floatEnds.push(this.floatsLength + dimensions);
    return i;
  }

  private setStrings(i: number, collection: string, channel: string, author: string, model: string, template: string): void {
    const d = this.dictionaries;
    this.indexes.collection[i] = d.collection.index(collection);
    this.indexes.channel[i] = d.channel.index(channel);
    this.indexes.author[i] = d.author.index(author);
    this.indexes.model[i] = d.model.index(model);
    this.indexes.template[i] = d.template.index(template);
  }

  private appendName(bytes: Uint8Array): void {
    if (this.namesLength + bytes.length > this.names.length) this.names = resized(this.names, Math.max(this.names.length * 2, this.namesLength + bytes.length));
    this.names.set(bytes, this.namesLength);
    this.namesLength += bytes.length;
    this.nameEnds[this.count - 1] = this.namesLength;
  }

  private appendFloats(values: Float32Array): void {
    if (this.floatsLength + values.length > this.floats.length) this.floats = resized(this.floats, Math.max(this.floats.length * 2, this.floatsLength + values.length));
    this.floats.set(values, this.floatsLength);
    this.floatsLength += values.length;
  }
}

/** Strings to dense indexes, in order of first use. */
class Dictionary {
  readonly values: string[] = [];
  private readonly positions = new Map<string, number>();

  index(value: string): number {
    let position = this.positions.get(value);
    if (position === undefined) {
      position = this.values.length;
      this.values.push(value);
      this.positions.set(value, position);
    }
    return position;
  }
}

type Resizable = Uint8Array | Uint32Array | Float32Array | Float64Array;

function resized<T extends Resizable>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array.subarray(0, Math.min(array.length, length)) as never);
  return next;
}
