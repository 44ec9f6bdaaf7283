import { formatDecimalU64, parseDecimalU64 } from './decimalId.js';

/**
 * How a record's text fields map onto compact columns, shared by the stored batches
 * (recordCodec.ts) and the in-memory tables (recordTable.ts):
 * - a Discord record's id is `${messageId}:${attachmentId}` and both are 64-bit decimals
 *   (or `embed<N>` for the Nth embed): two pairs of 32-bit integers, no strings;
 * - a content hash of 64 hex digits is 32 bytes;
 * - a source (URL or path) is a template, shared by many records, plus a file name: the
 *   record's own channel and attachment ids are cut out of it, so
 *   `https://cdn.discordapp.com/attachments/<channel>/<attachment>/cat.png` keeps only `cat.png`;
 *   Discord's expiring signature (the ex, is and hm query parameters) is not kept at all: it is
 *   useless within a day, and a result gets a fresh URL when it is shown.
 * Anything that does not fit (the CLI's path ids, hand-written test ids) is kept as text, flagged.
 */

export const RecordFlag = {
  /** The id is not `${messageId}:${attachmentId}`: it is kept as text. */
  textId: 1,
  /** The message id is not a 64-bit decimal: kept as text. */
  textMessage: 2,
  /** The attachment id is neither a 64-bit decimal nor `embed<N>`: kept as text. */
  textAttachment: 4,
  /** The attachment column holds N of `embed<N>`. */
  embedAttachment: 8,
  /** The content hash is not 64 lower-case hex digits: kept as text. */
  textHash: 16,
  /** The perceptual-hash column holds a hash. */
  perceptualHash: 32,
  /** The source template is the source's head as written, without id placeholders. */
  literalSource: 64,
} as const;

/** The fields of one record that did not fit their compact column. */
export interface TextFields {
  id?: string;
  messageId?: string;
  attachmentId?: string;
  contentHash?: string;
}

export const HASH_BYTES = 32;
const HEX_HASH = /^[0-9a-f]{64}$/;
const EMBED = /^embed(0|[1-9][0-9]{0,8})$/;
const CHANNEL_MARK = '\u0001';
const ATTACHMENT_MARK = '\u0002';
const MARKS = new RegExp(`[${CHANNEL_MARK}${ATTACHMENT_MARK}]`);

/** What the columns hold for one record's ids and hash. */
export interface IdShape {
  flags: number;
  messageLow: number;
  messageHigh: number;
  attachmentLow: number;
  attachmentHigh: number;
  text: TextFields | null;
}

export function idShapeOf(id: string, messageId: string, attachmentId: string, contentHash: string): IdShape {
  let flags = 0;
  const text: TextFields = {};
  const message = parseDecimalU64(messageId);
  if (message === null) {
    flags |= RecordFlag.textMessage;
    text.messageId = messageId;
  }
  let attachment = parseDecimalU64(attachmentId);
  if (attachment === null) {
    const embed = EMBED.exec(attachmentId);
    if (embed !== null) {
      flags |= RecordFlag.embedAttachment;
      attachment = [Number(embed[1]), 0];
    } else {
      flags |= RecordFlag.textAttachment;
      text.attachmentId = attachmentId;
    }
  }
  if ((flags & (RecordFlag.textMessage | RecordFlag.textAttachment)) !== 0 || id !== `${messageId}:${attachmentId}`) {
    flags |= RecordFlag.textId;
    text.id = id;
  }
  if (!HEX_HASH.test(contentHash)) {
    flags |= RecordFlag.textHash;
    text.contentHash = contentHash;
  }
  return {
    flags,
    messageLow: message?.[0] ?? 0,
    messageHigh: message?.[1] ?? 0,
    attachmentLow: attachment?.[0] ?? 0,
    attachmentHigh: attachment?.[1] ?? 0,
    text: flags & (RecordFlag.textId | RecordFlag.textMessage | RecordFlag.textAttachment | RecordFlag.textHash) ? text : null,
  };
}

export function messageIdText(flags: number, low: number, high: number, text: TextFields | undefined): string {
  return flags & RecordFlag.textMessage ? (text?.messageId ?? '') : formatDecimalU64(low, high);
}

export function attachmentIdText(flags: number, low: number, high: number, text: TextFields | undefined): string {
  if (flags & RecordFlag.textAttachment) return text?.attachmentId ?? '';
  return flags & RecordFlag.embedAttachment ? `embed${low}` : formatDecimalU64(low, high);
}

export function recordIdText(flags: number, message: string, attachment: string, text: TextFields | undefined): string {
  return flags & RecordFlag.textId ? (text?.id ?? '') : `${message}:${attachment}`;
}

export function hashToBytes(hex: string, into: Uint8Array, offset: number): void {
  for (let i = 0; i < HASH_BYTES; i++) into[offset + i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
}

export function hashToHex(bytes: Uint8Array, offset: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + offset, HASH_BYTES).toString('hex');
}

export interface SourceShape {
  template: string;
  name: string;
  literal: boolean;
}

/**
 * Splits a source at its last '/' before any query: the head, with the record's own channel and
 * attachment ids (as whole path segments) replaced by markers, is the template; the rest is the name.
 */
export function sourceShapeOf(signed: string, channelId: string, attachmentId: string): SourceShape {
  const source = withoutSignature(signed);
  const query = source.indexOf('?');
  const slash = source.lastIndexOf('/', (query < 0 ? source.length : query) - 1);
  const head = source.slice(0, slash + 1);
  const name = source.slice(slash + 1);
  if (MARKS.test(head) || MARKS.test(channelId) || MARKS.test(attachmentId)) return { template: head, name, literal: true };
  return { template: replaceSegment(replaceSegment(head, channelId, CHANNEL_MARK), attachmentId, ATTACHMENT_MARK), name, literal: false };
}

export function sourceText(template: string, name: string, literal: boolean, channelId: string, attachmentId: string): string {
  if (literal) return template + name;
  return template.replace(CHANNEL_MARK, () => channelId).replace(ATTACHMENT_MARK, () => attachmentId) + name;
}

const SIGNATURE_PARAMETERS = new Set(['ex', 'is', 'hm']);

/** An http(s) URL without Discord's signature parameters (other parameters, such as a size, stay). */
export function withoutSignature(source: string): string {
  const query = source.indexOf('?');
  if (query < 0 || !/^https?:\/\//i.test(source)) return source;
  const hash = source.indexOf('#', query);
  const end = hash < 0 ? source.length : hash;
  const kept = source
    .slice(query + 1, end)
    .split('&')
    .filter((part) => part !== '' && !SIGNATURE_PARAMETERS.has(part.split('=')[0] ?? ''));
  return source.slice(0, query) + (kept.length > 0 ? `?${kept.join('&')}` : '') + source.slice(end);
}

/** The first occurrence of `value` as whole segments (after a '/' or at the start, before a '/'). */
function replaceSegment(head: string, value: string, mark: string): string {
  if (value === '') return head;
  for (let at = head.indexOf(value); at >= 0; at = head.indexOf(value, at + 1)) {
    if ((at === 0 || head[at - 1] === '/') && head[at + value.length] === '/') {
      return head.slice(0, at) + mark + head.slice(at + value.length);
    }
  }
  return head;
}

/**
 * A 53-bit hash of a record id, exact as a JS number. Discord-shaped ids hash their numbers, so
 * that columns can be hashed without building the id's text; it is the same value either way.
 */
export function keyHashOfId(id: string): number {
  const colon = id.indexOf(':');
  if (colon > 0) {
    const shape = idShapeOf(id, id.slice(0, colon), id.slice(colon + 1), '0'.repeat(64));
    if ((shape.flags & RecordFlag.textId) === 0) {
      return keyHashOfParts(shape.flags, shape.messageLow, shape.messageHigh, shape.attachmentLow, shape.attachmentHigh);
    }
  }
  return textHash(id);
}

export function keyHashOfParts(
  flags: number,
  messageLow: number,
  messageHigh: number,
  attachmentLow: number,
  attachmentHigh: number,
): number {
  let a = 0x811c9dc5 ^ (flags & RecordFlag.embedAttachment);
  let b = 0x01000193;
  for (const word of [messageLow, messageHigh, attachmentLow, attachmentHigh]) {
    a = Math.imul(a ^ word, 0x01000193);
    b = Math.imul(b ^ word, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

/** Two 32-bit FNV-1a variants of a string, combined into 53 bits. */
export function textHash(text: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}
