import type { ImageRecord } from './imageRecord.js';
import {
  attachmentIdText,
  HASH_BYTES,
  hashToHex,
  keyHashOfId,
  keyHashOfParts,
  messageIdText,
  RecordFlag,
  recordIdText,
  sourceText,
  type TextFields,
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
    return keyHashOfParts(
      flags,
      message[2 * i] as number,
      message[2 * i + 1] as number,
      attachment[2 * i] as number,
      attachment[2 * i + 1] as number,
    );
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
    return names.subarray(i === 0 ? 0 : nameEnds[i - 1], nameEnds[i]);
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
    return new RecordBatch(
      this,
      Uint32Array.from({ length: this.count }, (_, i) => i),
    );
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
