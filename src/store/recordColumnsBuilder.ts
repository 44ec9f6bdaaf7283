import type { ImageRecord } from './imageRecord.js';
import { RecordColumns, type RecordBatch } from './recordColumns.js';
import { HASH_BYTES, idShapeOf, RecordFlag, sourceShapeOf, type TextFields } from './recordShape.js';

/** Records made into columns, as one batch (the journal's few records, for instance). */
export function batchOf(records: readonly ImageRecord[]): RecordBatch {
  const builder = new RecordColumnsBuilder();
  for (const record of records) builder.append(record);
  return builder.finish().all();
}

/** Appends records (or entries of other columns) and makes exact-size columns of them. */
export class RecordColumnsBuilder {
  private count = 0;
  private flags = new Uint8Array(16);
  private message = new Uint32Array(32);
  private attachment = new Uint32Array(32);
  private perceptual = new Uint32Array(32);
  private createdAt = new Float64Array(16);
  private readonly indexes = {
    collection: new Uint32Array(16),
    channel: new Uint32Array(16),
    author: new Uint32Array(16),
    model: new Uint32Array(16),
    template: new Uint32Array(16),
  };
  private hashes = new Uint8Array(16 * HASH_BYTES);
  private nameEnds = new Uint32Array(16);
  private names = new Uint8Array(256);
  private namesLength = 0;
  private floats = new Float32Array(256);
  private floatsLength = 0;
  private readonly floatEnds: number[] = [];
  private readonly text = new Map<number, TextFields>();
  private readonly dictionaries = {
    collection: new Dictionary(),
    channel: new Dictionary(),
    author: new Dictionary(),
    model: new Dictionary(),
    template: new Dictionary(),
  };

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
    for (const [to, source] of [
      [this.message, from.message],
      [this.attachment, from.attachment],
      [this.perceptual, from.perceptual],
    ] as const) {
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
    if (this.namesLength + bytes.length > this.names.length)
      this.names = resized(this.names, Math.max(this.names.length * 2, this.namesLength + bytes.length));
    this.names.set(bytes, this.namesLength);
    this.namesLength += bytes.length;
    this.nameEnds[this.count - 1] = this.namesLength;
  }

  private appendFloats(values: Float32Array): void {
    if (this.floatsLength + values.length > this.floats.length)
      this.floats = resized(this.floats, Math.max(this.floats.length * 2, this.floatsLength + values.length));
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
  next.set(array.subarray(0, Math.min(array.length, length)));
  return next;
}
