import type { ImageOrigin } from '../../library/imageLibrary.js';

/** How long a deletion is remembered at least. */
export const REMEMBERED_MS = 10 * 60 * 1000;

/** At most this many deletions are remembered: a flood of them forgets the oldest first (about 5 MB). */
export const MOST_REMEMBERED = 50_000;

export interface RecentlyGoneOptions {
  /** When the image queued longest ago, of those still on their way in, was queued; undefined when none is. */
  oldestQueuedAt: () => number | undefined;
  now?: () => number;
}

/**
 * Tombstones of what was deleted lately: messages, channels and threads, and servers that
 * removed the bot. An image on its way in (downloading, waiting to be encoded) when its
 * message, channel or server went is stored after the deletion removed what was there; the
 * ingest paths ask this once it is in, and take it out again (IndexForgetting.unlessUnwanted).
 *
 * A tombstone lasts ten minutes, and then for as long as an image queued in those ten
 * minutes is still on its way in (a long queue, a slow CDN), so no late image outlives it.
 * Expired tombstones are dropped only when a new one is made.
 */
export class RecentlyGone {
  /** When each was deleted, by `key`, oldest first. */
  private readonly deletedAt = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly options: RecentlyGoneOptions) {
    this.now = options.now ?? Date.now;
  }

  messagesDeleted(guildId: string, messageIds: Iterable<string>): void {
    for (const messageId of messageIds) this.remember(key('message', guildId, messageId));
  }

  /** Channels or threads deleted (a channel's threads go with it). */
  channelsDeleted(guildId: string, channelIds: Iterable<string>): void {
    for (const channelId of channelIds) this.remember(key('channel', guildId, channelId));
  }

  guildLeft(guildId: string): void {
    this.remember(key('guild', guildId));
  }

  /** Invited back: what is indexed from now on is wanted. */
  guildJoined(guildId: string): void {
    this.deletedAt.delete(key('guild', guildId));
  }

  guildIsGone(guildId: string): boolean {
    return this.deletedAt.has(key('guild', guildId));
  }

  /** Whether the image's message, channel or thread, or server was deleted lately. */
  has(origin: ImageOrigin): boolean {
    const { collection } = origin;
    return (
      this.guildIsGone(collection) ||
      this.deletedAt.has(key('channel', collection, origin.channelId)) ||
      this.deletedAt.has(key('message', collection, origin.messageId))
    );
  }

  private remember(tombstone: string): void {
    this.expire();
    // Made again: it moves to the end, keeping the oldest first.
    this.deletedAt.delete(tombstone);
    this.deletedAt.set(tombstone, this.now());
    if (this.deletedAt.size > MOST_REMEMBERED) this.deletedAt.delete(this.deletedAt.keys().next().value!);
  }

  private expire(): void {
    const now = this.now();
    const oldestQueuedAt = this.options.oldestQueuedAt();
    for (const [tombstone, at] of this.deletedAt) {
      const until = at + REMEMBERED_MS;
      if (now < until || (oldestQueuedAt !== undefined && oldestQueuedAt < until)) return;
      this.deletedAt.delete(tombstone);
    }
  }
}

function key(kind: 'message' | 'channel' | 'guild', guildId: string, id = ''): string {
  return `${kind}/${guildId}/${id}`;
}
