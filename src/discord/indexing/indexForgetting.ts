import type { IngestQueue } from '../../ingest/ingestQueue.js';
import { logger } from '../../logger.js';
import type { ImageLibrary, ImageOrigin } from '../../library/imageLibrary.js';
import type { GuildSettings } from '../guildState/guildSettings.js';
import { RecentlyGone } from './recentlyGone.js';

/** How the bot learned that something it indexed is gone from Discord. */
export type GoneBy = 'event' | 'recheck' | 'result';

/**
 * The one way images leave the index because Discord no longer has them, however the bot
 * learned it: a live event (deleted message, edit that dropped an image, deleted channel or
 * thread, the bot removed from a server), the background re-check, or a result found gone
 * when it was about to be shown; and because their author asked (/forget-me). Either way
 * also when they were already on their way in: see `unlessUnwanted`.
 */
export class IndexForgetting {
  /** Deleted messages, channels and threads, and servers left, remembered for the images still on their way in. */
  private readonly gone: RecentlyGone;
  /** Per server the bot left, its clean-up under way: they run one after another. */
  private readonly departures = new Map<string, Promise<void>>();

  constructor(
    private readonly library: ImageLibrary,
    private readonly settings: GuildSettings,
    ingest: Pick<IngestQueue, 'oldestQueuedAt'>,
  ) {
    this.gone = new RecentlyGone({ oldestQueuedAt: () => ingest.oldestQueuedAt() });
  }

  /** Forgets every image of deleted messages. */
  async messagesDeleted(guildId: string, messageIds: readonly string[], by: GoneBy): Promise<number> {
    this.gone.messagesDeleted(guildId, messageIds);
    const ids = messageIds.flatMap((messageId) => this.library.idsOfMessage(guildId, messageId));
    return this.imagesGone(guildId, ids, by);
  }

  /** Forgets images whose message is gone or no longer holds them. */
  async imagesGone(guildId: string, imageIds: readonly string[], by: GoneBy): Promise<number> {
    const removed = await this.library.remove(guildId, imageIds);
    if (removed > 0 && by !== 'event') logger.info({ guildId, images: removed, by }, 'forgot images whose messages are gone');
    return removed;
  }

  /**
   * Forgets a channel's images and its threads' (`threadIds`, those the bot knows). A deleted
   * channel is also no longer indexed; one an admin stopped indexing is removed by /channels.
   */
  async channelGone(
    guildId: string,
    channelId: string,
    threadIds: ReadonlySet<string>,
    how: { deleted: boolean; by: GoneBy },
  ): Promise<number> {
    if (how.deleted) this.gone.channelsDeleted(guildId, [channelId, ...threadIds]);
    if (how.deleted) await this.settings.removeChannel(guildId, channelId);
    const removed = await this.library.removeFromChannels(guildId, new Set([channelId, ...threadIds]));
    if (how.deleted) logger.info({ guildId, channelId, images: removed, by: how.by }, 'a channel was deleted: its images were forgotten');
    return removed;
  }

  /**
   * A member opted out (/forget-me): every image they posted in the server goes. Returns how
   * many left from each channel. Each record is read to find its author: a rare command.
   */
  async memberOptedOut(guildId: string, userId: string): Promise<Map<string, number>> {
    const perChannel = new Map<string, number>();
    const ids: string[] = [];
    for (const image of this.library.images(guildId)) {
      if (image.authorId !== userId) continue;
      ids.push(image.id);
      perChannel.set(image.channelId, (perChannel.get(image.channelId) ?? 0) + 1);
    }
    const removed = await this.library.remove(guildId, ids);
    logger.info({ guildId, images: removed }, 'a member opted out: their images were forgotten');
    return perChannel;
  }

  /**
   * An image just indexed goes again at once if it is no longer wanted: its message, channel
   * or thread was deleted, or the bot removed from its server, or its author opted out. Each
   * of those removes what is indexed when it happens; an image on its way in then (downloading,
   * queued by a /reindex page or a live message) is stored after, so every ingest path asks
   * this once its image is in, whatever became of it.
   */
  async unlessUnwanted(origin: ImageOrigin): Promise<void> {
    const { collection, id } = origin;
    // Asked before anything is awaited, so the tombstones are those of the moment the image was stored.
    if (this.gone.guildIsGone(collection)) return this.departure(collection);
    if (this.gone.has(origin) || (await this.settings.hasOptedOut(collection, origin.authorId)))
      await this.library.remove(collection, [id]);
  }

  /**
   * The bot was removed from a server: everything of it goes, but for who opted out. A member's
   * choice outlives the bot's removal: inviting the bot again must not undo it.
   */
  async guildLeft(guildId: string): Promise<void> {
    this.gone.guildLeft(guildId);
    await this.departure(guildId);
    logger.info({ guildId }, 'removed from a server: its index was deleted');
  }

  /** The bot was invited (back) into a server: what it indexes there from now on stays. */
  guildJoined(guildId: string): void {
    this.gone.guildJoined(guildId);
  }

  /**
   * Deletes what is kept of a server the bot left. Run again for each image that was on its way
   * in, which may have brought back its collection, words or a recorded failure; one run at a
   * time, so each reads the opt-outs the one before kept.
   */
  private departure(guildId: string): Promise<void> {
    const run = (this.departures.get(guildId) ?? Promise.resolve()).then(async () => {
      const optedOut = await this.settings.optedOutMembers(guildId);
      await this.library.dropCollection(guildId);
      await this.settings.forgetGuild(guildId, optedOut);
    });
    const settled = run.catch(() => undefined);
    this.departures.set(guildId, settled);
    void settled.then(() => {
      if (this.departures.get(guildId) === settled) this.departures.delete(guildId);
    });
    return run;
  }
}
