import { parseDecimalU64 } from '../store/decimalId.js';
import type { ImageInfo, ImageRecord } from '../store/imageRecord.js';
import { Interner } from '../search/interner.js';
import { MessageIndex, messageHash } from './messageIndex.js';
import { NameArena } from './nameArena.js';
import type { RecordColumns } from '../store/recordColumns.js';
import {
  attachmentIdText,
  HASH_BYTES,
  hashToHex,
  idShapeOf,
  messageIdText,
  RecordFlag,
  recordIdText,
  sourceShapeOf,
  sourceText,
  type TextFields,
} from '../store/recordShape.js';
import type { FilterColumns } from '../search/vectorFilter.js';

/**
 * The records of one collection in memory, as dense rows of typed-array columns: no object and
 * no string per record. Per row: ids as 64-bit integers (16 bytes), the content hash (32), time
 * (8), interned channel, author and source template (12), flags (1), the file name in an arena
 * (its bytes + 8), the perceptual hash once any row has one (8), and a slot in the message
 * index (~6–11): about 100 bytes plus the name, where objects of strings cost over a kilobyte.
 * Fields that do not fit a column (see recordShape.ts) are kept as text for their rows only.
 *
 * Rows stay dense: removing one moves the last row into its place, as the vector index does
 * with the same row numbers. Extra per-record data belongs here as another column: a typed
 * array sized in `ensureCapacity`, written in `append*`, moved in `removeRow`, read in `infoAt`.
 */
export class RecordTable implements FilterColumns {
  size = 0;
  flags = new Uint8Array(0);
  /** Two 32-bit halves (low, high) per row. */
  message = new Uint32Array(0);
  attachment = new Uint32Array(0);
  /**
   * Allocated when the first row with a perceptual hash arrives; two halves (low, high) per row, as
   * reposts/hashScan.ts scans them. (0, 0) for a row without one; the flag tells that from 0n.
   */
  perceptual: Uint32Array | null = null;
  hashes = new Uint8Array(0);
  channel = new Uint32Array(0);
  author = new Uint32Array(0);
  createdAt = new Float64Array(0);
  template = new Uint32Array(0);
  /** Which model embedded each row; null when every row is the table's `modelId`. */
  model: Uint32Array | null;
  readonly channels = new Interner();
  readonly authors = new Interner();
  readonly templates = new Interner();
  readonly models = new Interner();
  private capacity = 0;
  private readonly names = new NameArena();
  private readonly text = new Map<number, TextFields>();
  private readonly textIds = new Map<string, number>();
  private readonly byMessage = new MessageIndex((row) => messageHash(this.message[2 * row] as number, this.message[2 * row + 1] as number));

  /**
   * @param modelId the model of every row, or null for a table of other models' rows (each row keeps its own).
   * @param channelCounts images per channel, kept up to date (tables of one collection share it).
   */
  constructor(
    readonly collection: string,
    readonly modelId: string | null,
    readonly channelCounts = new Map<string, number>(),
  ) {
    this.model = modelId === null ? new Uint32Array(0) : null;
  }

  /** Makes room for `more` rows at once, so a bulk load grows nothing row by row. */
  reserve(more: number, nameBytes = 0): void {
    this.ensureCapacity(this.size + more, true);
    this.byMessage.reserve(this.size + more);
    this.names.reserveBytes(nameBytes);
  }

  /** Adds a row for a record whose id the table does not hold yet (callers remove the old one first); returns its number. */
  append(record: ImageRecord): number {
    const row = this.newRow();
    const shape = idShapeOf(record.id, record.messageId, record.attachmentId, record.contentHash);
    const source = sourceShapeOf(record.source, record.channelId, record.attachmentId);
    this.message[2 * row] = shape.messageLow;
    this.message[2 * row + 1] = shape.messageHigh;
    this.attachment[2 * row] = shape.attachmentLow;
    this.attachment[2 * row + 1] = shape.attachmentHigh;
    if ((shape.flags & RecordFlag.textHash) === 0) this.hashes.set(Buffer.from(record.contentHash, 'hex'), row * HASH_BYTES);
    const phash = record.perceptualHash;
    const flags = shape.flags | (source.literal ? RecordFlag.literalSource : 0) | (phash === undefined ? 0 : RecordFlag.perceptualHash);
    if (phash !== undefined) this.setPerceptual(row, Number(phash & 0xffff_ffffn), Number(phash >> 32n));
    this.fill(row, flags, shape.text ?? undefined, record.channelId, record.authorId, record.createdAt, source.template, record.modelId);
    this.names.set(row, Buffer.from(source.name, 'utf8'));
    this.index(row, record.id);
    return row;
  }

  /** Entry `i` of decoded columns, copied without building a record. */
  appendFrom(columns: RecordColumns, i: number): number {
    const row = this.newRow();
    const from = columns.data;
    const flags = from.flags[i] as number;
    this.message[2 * row] = from.message[2 * i] as number;
    this.message[2 * row + 1] = from.message[2 * i + 1] as number;
    this.attachment[2 * row] = from.attachment[2 * i] as number;
    this.attachment[2 * row + 1] = from.attachment[2 * i + 1] as number;
    this.hashes.set(from.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES), row * HASH_BYTES);
    if (flags & RecordFlag.perceptualHash) this.setPerceptual(row, from.perceptual[2 * i] as number, from.perceptual[2 * i + 1] as number);
    const text = columns.textAt(i);
    this.fill(
      row,
      flags,
      text,
      columns.channelAt(i),
      columns.authorAt(i),
      from.createdAt[i] as number,
      columns.templateAt(i),
      columns.modelAt(i),
    );
    this.names.set(row, columns.nameBytesAt(i));
    this.index(row, flags & RecordFlag.textId ? (text?.id ?? '') : '');
    return row;
  }

  /** The row of a record id, or -1. */
  find(id: string): number {
    const textRow = this.textIds.get(id);
    if (textRow !== undefined) return textRow;
    const colon = id.indexOf(':');
    if (colon < 0) return -1;
    const shape = idShapeOf(id, id.slice(0, colon), id.slice(colon + 1), '');
    if (shape.flags & RecordFlag.textId) return -1;
    return this.findCompact(shape.flags, shape.messageLow, shape.messageHigh, shape.attachmentLow, shape.attachmentHigh);
  }

  /** The row holding entry `i` of decoded columns' id, or -1 (no id text is built for Discord ids). */
  findFrom(columns: RecordColumns, i: number): number {
    const flags = columns.flagsAt(i);
    if (flags & RecordFlag.textId) return this.find(columns.idAt(i));
    const { message, attachment } = columns.data;
    return this.findCompact(
      flags,
      message[2 * i] as number,
      message[2 * i + 1] as number,
      attachment[2 * i] as number,
      attachment[2 * i + 1] as number,
    );
  }

  /** Rows of the images of one message. */
  rowsOfMessage(messageId: string): number[] {
    const parsed = parseDecimalU64(messageId);
    if (parsed === null) return [...this.text].filter(([, fields]) => fields.messageId === messageId).map(([row]) => row);
    const [low, high] = parsed;
    return [...this.byMessage.rows(messageHash(low, high), (row) => this.messageIs(row, low, high))];
  }

  /** Removes a row by moving the last row into it; returns the row that moved (equal to `row` when it was the last). */
  removeRow(row: number): number {
    const last = this.size - 1;
    this.unindex(row);
    this.countChannel(this.channel[row] as number, -1);
    this.text.delete(row);
    if (row === last) {
      this.names.clear(row);
    } else {
      if (this.hasNumericMessage(last)) this.byMessage.renumber(last, row);
      const lastText = this.text.get(last);
      if (lastText !== undefined) {
        this.text.set(row, lastText);
        this.text.delete(last);
        if (lastText.id !== undefined && (this.flags[last] as number) & RecordFlag.textId) this.textIds.set(lastText.id, row);
      }
      this.moveColumns(last, row);
      this.names.move(last, row);
    }
    this.size--;
    return last;
  }

  idAt(row: number): string {
    const flags = this.flags[row] as number;
    const text = this.text.get(row);
    return recordIdText(flags, this.messageIdAt(row, flags, text), this.attachmentIdAt(row, flags, text), text);
  }

  modelIdAt(row: number): string {
    return this.modelId ?? (this.models.names[this.model?.[row] as number] as string);
  }

  /** The record of a row without its vector, built now. */
  infoAt(row: number): ImageInfo {
    const flags = this.flags[row] as number;
    const text = this.text.get(row);
    const messageId = this.messageIdAt(row, flags, text);
    const attachmentId = this.attachmentIdAt(row, flags, text);
    const channelId = this.channels.names[this.channel[row] as number] as string;
    const template = this.templates.names[this.template[row] as number] as string;
    const perceptual = this.perceptual;
    return {
      id: recordIdText(flags, messageId, attachmentId, text),
      collection: this.collection,
      channelId,
      messageId,
      attachmentId,
      authorId: this.authors.names[this.author[row] as number] as string,
      createdAt: this.createdAt[row] as number,
      source: sourceText(template, this.names.get(row), (flags & RecordFlag.literalSource) !== 0, channelId, attachmentId),
      contentHash: this.contentHashAt(row),
      perceptualHash:
        flags & RecordFlag.perceptualHash && perceptual !== null
          ? (BigInt(perceptual[2 * row + 1] as number) << 32n) | BigInt(perceptual[2 * row] as number)
          : undefined,
      modelId: this.modelIdAt(row),
    };
  }

  /** A row's content hash (sha256 hex, or the text it was given as). */
  contentHashAt(row: number): string {
    return (this.flags[row] as number) & RecordFlag.textHash
      ? (this.text.get(row)?.contentHash ?? '')
      : hashToHex(this.hashes, row * HASH_BYTES);
  }

  /** Score ties rank by id: Discord ids by number (older first), then other ids by text. */
  ranksFirst(a: number, b: number): boolean {
    const textA = ((this.flags[a] as number) & RecordFlag.textId) !== 0;
    const textB = ((this.flags[b] as number) & RecordFlag.textId) !== 0;
    if (textA || textB) return textA && textB ? this.idAt(a) < this.idAt(b) : textB;
    const m = this.message;
    const t = this.attachment;
    if (m[2 * a + 1] !== m[2 * b + 1]) return (m[2 * a + 1] as number) < (m[2 * b + 1] as number);
    if (m[2 * a] !== m[2 * b]) return (m[2 * a] as number) < (m[2 * b] as number);
    if (t[2 * a + 1] !== t[2 * b + 1]) return (t[2 * a + 1] as number) < (t[2 * b + 1] as number);
    return (t[2 * a] as number) < (t[2 * b] as number);
  }

  /** Bytes held by columns, the name arena and the message index (capacity, not size). */
  get bytes(): number {
    let bytes = this.names.byteLength + this.byMessage.bytes;
    for (const column of [
      this.flags,
      this.message,
      this.attachment,
      this.perceptual,
      this.hashes,
      this.channel,
      this.author,
      this.createdAt,
      this.template,
      this.model,
    ]) {
      bytes += column?.byteLength ?? 0;
    }
    return bytes;
  }

  private fill(
    row: number,
    flags: number,
    text: TextFields | undefined,
    channelId: string,
    authorId: string,
    createdAt: number,
    template: string,
    modelId: string,
  ): void {
    this.flags[row] = flags;
    if (text !== undefined) this.text.set(row, text);
    this.channel[row] = this.channels.intern(channelId);
    this.author[row] = this.authors.intern(authorId);
    this.createdAt[row] = createdAt;
    this.template[row] = this.templates.intern(template);
    if (this.model !== null) this.model[row] = this.models.intern(modelId);
    this.countChannel(this.channel[row], 1);
  }

  private index(row: number, textId: string): void {
    if ((this.flags[row] as number) & RecordFlag.textId) this.textIds.set(textId, row);
    if (this.hasNumericMessage(row)) this.byMessage.add(row);
  }

  private unindex(row: number): void {
    if ((this.flags[row] as number) & RecordFlag.textId) this.textIds.delete(this.text.get(row)?.id ?? '');
    if (this.hasNumericMessage(row)) this.byMessage.remove(row);
  }

  private findCompact(flags: number, messageLow: number, messageHigh: number, attachmentLow: number, attachmentHigh: number): number {
    const embed = flags & RecordFlag.embedAttachment;
    return this.byMessage.find(messageHash(messageLow, messageHigh), (row) => {
      const rowFlags = this.flags[row] as number;
      return (
        (rowFlags & RecordFlag.textId) === 0 &&
        (rowFlags & RecordFlag.embedAttachment) === embed &&
        this.messageIs(row, messageLow, messageHigh) &&
        this.attachment[2 * row] === attachmentLow &&
        this.attachment[2 * row + 1] === attachmentHigh
      );
    });
  }

  private messageIs(row: number, low: number, high: number): boolean {
    return this.hasNumericMessage(row) && this.message[2 * row] === low && this.message[2 * row + 1] === high;
  }

  private hasNumericMessage(row: number): boolean {
    return ((this.flags[row] as number) & RecordFlag.textMessage) === 0;
  }

  private messageIdAt(row: number, flags: number, text: TextFields | undefined): string {
    return messageIdText(flags, this.message[2 * row] as number, this.message[2 * row + 1] as number, text);
  }

  private attachmentIdAt(row: number, flags: number, text: TextFields | undefined): string {
    return attachmentIdText(flags, this.attachment[2 * row] as number, this.attachment[2 * row + 1] as number, text);
  }

  /**
   * Rows whose content hash equals `row`'s (the same bytes posted again), `row` itself left out.
   * A scan of the hash column comparing 32-bit words, most rows rejected at the first: about a
   * millisecond per million rows. Rows whose hash is not a sha256 (kept as text) never match.
   */
  rowsWithSameContent(row: number): number[] {
    if ((this.flags[row] as number) & RecordFlag.textHash) return [];
    const words = new Uint32Array(this.hashes.buffer, this.hashes.byteOffset, (this.size * HASH_BYTES) / 4);
    const stride = HASH_BYTES / 4;
    const at = row * stride;
    const same: number[] = [];
    for (let other = 0; other < this.size; other++) {
      if (other === row || words[other * stride] !== words[at]) continue;
      let equal = ((this.flags[other] as number) & RecordFlag.textHash) === 0;
      for (let w = 1; equal && w < stride; w++) equal = words[other * stride + w] === words[at + w];
      if (equal) same.push(other);
    }
    return same;
  }

  /** Whether a row's perceptual hash was computed (it may still be LOW_INFORMATION_HASH). */
  hasPerceptualHash(row: number): boolean {
    return ((this.flags[row] as number) & RecordFlag.perceptualHash) !== 0;
  }

  /** Records a row's perceptual hash, computed after the row was added (a backfill). */
  setPerceptualHash(row: number, hash: bigint): void {
    this.flags[row] = (this.flags[row] as number) | RecordFlag.perceptualHash;
    this.setPerceptual(row, Number(hash & 0xffff_ffffn), Number(hash >> 32n));
  }

  private setPerceptual(row: number, low: number, high: number): void {
    if (this.perceptual === null) this.perceptual = new Uint32Array(2 * this.capacity);
    this.perceptual[2 * row] = low;
    this.perceptual[2 * row + 1] = high;
  }

  private countChannel(channel: number, delta: number): void {
    const name = this.channels.names[channel] as string;
    const count = (this.channelCounts.get(name) ?? 0) + delta;
    if (count > 0) this.channelCounts.set(name, count);
    else this.channelCounts.delete(name);
  }

  private moveColumns(from: number, to: number): void {
    this.flags[to] = this.flags[from] as number;
    for (const pairs of [this.message, this.attachment, this.perceptual]) {
      if (pairs === null) continue;
      pairs[2 * to] = pairs[2 * from] as number;
      pairs[2 * to + 1] = pairs[2 * from + 1] as number;
    }
    this.hashes.copyWithin(to * HASH_BYTES, from * HASH_BYTES, (from + 1) * HASH_BYTES);
    for (const column of [this.channel, this.author, this.createdAt, this.template, this.model]) {
      if (column !== null) column[to] = column[from] as number;
    }
  }

  private newRow(): number {
    this.ensureCapacity(this.size + 1, false);
    // A removed last row leaves its hash behind; scans of the column must not see it (hashScan.ts).
    if (this.perceptual !== null) this.setPerceptual(this.size, 0, 0);
    return this.size++;
  }

  private ensureCapacity(rows: number, exact: boolean): void {
    if (rows <= this.capacity) return;
    const capacity = exact ? rows : Math.max(rows, Math.ceil(this.capacity * 1.25), 64);
    this.flags = grown(this.flags, capacity);
    this.message = grown(this.message, 2 * capacity);
    this.attachment = grown(this.attachment, 2 * capacity);
    if (this.perceptual !== null) this.perceptual = grown(this.perceptual, 2 * capacity);
    this.hashes = grown(this.hashes, capacity * HASH_BYTES);
    this.channel = grown(this.channel, capacity);
    this.author = grown(this.author, capacity);
    this.createdAt = grown(this.createdAt, capacity);
    this.template = grown(this.template, capacity);
    if (this.model !== null) this.model = grown(this.model, capacity);
    this.names.resize(capacity);
    this.capacity = capacity;
  }
}

type Column = Uint8Array | Uint32Array | Float64Array;

function grown<T extends Column>(array: T, length: number): T {
  const next = new (array.constructor as new (n: number) => T)(length);
  next.set(array);
  return next;
}
