import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { AttachmentRecord, DiscordState } from './state.js';

/**
 * Signed attachment URLs like Discord's CDN: `ex` (expiry) and `is` (issued) are hex Unix seconds, `hm` is an HMAC over
 * path, ex and is. An expired, unsigned or tampered URL answers 404, as Discord's CDN does.
 */

export interface CdnResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const ATTACHMENT_PATH = /^\/attachments\/(\d+)\/(\d+)\/([^/]+)$/;

export class Cdn {
  private readonly key = randomBytes(32);

  constructor(
    private readonly state: DiscordState,
    private readonly baseUrl: () => string,
    public ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** `http://127.0.0.1:PORT`: where attachments are served. */
  origin(): string {
    return new URL(this.baseUrl()).origin;
  }

  /** A fresh signed URL for an attachment. */
  urlFor(attachment: AttachmentRecord): string {
    return this.sign(`/attachments/${attachment.channelId}/${attachment.id}/${encodeURIComponent(attachment.filename)}`);
  }

  sign(path: string): string {
    const issued = Math.floor(this.now() / 1000);
    // Round the expiry up to whole seconds so a URL never expires before its TTL has passed.
    const expires = Math.ceil((this.now() + this.ttlMs) / 1000);
    const ex = expires.toString(16);
    const is = issued.toString(16);
    return `${this.baseUrl()}${path}?ex=${ex}&is=${is}&hm=${this.mac(path, ex, is)}&`;
  }

  /** Unix milliseconds after which a signed URL stops loading, or null if it is not one of ours. */
  expiresAt(url: string): number | null {
    const ex = new URL(url).searchParams.get('ex');
    return ex ? parseInt(ex, 16) * 1000 : null;
  }

  /** The attachment a URL points at (signed or not, fresh or stale), if it is one of ours. */
  attachmentOf(url: string): AttachmentRecord | null {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    if (parsed.origin !== this.origin()) return null;
    const match = ATTACHMENT_PATH.exec(parsed.pathname);
    if (!match) return null;
    const attachment = this.state.attachments.get(match[2] ?? '');
    if (!attachment || attachment.channelId !== match[1]) return null;
    return attachment;
  }

  serve(path: string, query: URLSearchParams): CdnResponse {
    const match = ATTACHMENT_PATH.exec(path);
    if (!match) return notFound();
    const [, channelId, attachmentId, encodedName] = match;
    const attachment = this.state.attachments.get(attachmentId ?? '');
    if (!attachment || attachment.channelId !== channelId) return notFound();
    if (decodeURIComponent(encodedName ?? '') !== attachment.filename) return notFound();
    // Files of slash-command options belong to no message; others die with their message.
    const message = attachment.messageId ? this.state.messages.get(attachment.messageId) : undefined;
    const orphanUpload = attachment.messageId === null && attachment.ephemeral;
    if (!orphanUpload && (!message || message.deleted)) return notFound();
    const ex = query.get('ex');
    const is = query.get('is');
    const hm = query.get('hm');
    if (!ex || !is || !hm || !this.validMac(path, ex, is, hm)) return notFound();
    if (this.now() >= parseInt(ex, 16) * 1000) return notFound();
    return {
      status: 200,
      headers: {
        'content-type': attachment.contentType ?? 'application/octet-stream',
        'content-length': String(attachment.data.length),
        'cache-control': 'public, max-age=31536000',
      },
      body: attachment.data,
    };
  }

  private mac(path: string, ex: string, is: string): string {
    return createHmac('sha256', this.key)
      .update(`${decodeURIComponent(path)}\n${ex}\n${is}`)
      .digest('hex');
  }

  private validMac(path: string, ex: string, is: string, hm: string): boolean {
    const expected = Buffer.from(this.mac(path, ex, is), 'hex');
    const given = Buffer.from(hm, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function notFound(): CdnResponse {
  return {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: Buffer.from('This content is no longer available.'),
  };
}

/** Discord keeps file names to a safe set of characters; spaces and the like become underscores. */
export function sanitizeFilename(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return cleaned.length > 0 ? cleaned : 'unknown';
}
