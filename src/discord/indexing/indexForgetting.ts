import { logger } from '../../logger.js';
import type { ImageLibrary, ImageOrigin } from '../../library/imageLibrary.js';
import type { GuildSettings } from '../guildState/guildSettings.js';

/** How the bot learned that something it indexed is gone from Discord. */
export type GoneBy = 'event' | 'recheck' | 'result';

/**
 * The one way images leave the index because Discord no longer has them, however the bot
 * learned it: a live event (deleted message, edit that dropped an image, deleted channel or
 * thread, the bot removed from a server), the background re-check, or a result found gone
 * when it was about to be shown; and because their author asked (/forget-me), even when they
 * were already on their way in.
 */
export class IndexForgetting {
  constructor(
    private readonly library: ImageLibrary,
    private readonly settings: GuildSettings,
  ) {}

  /** Forgets every image of deleted messages. */
  async messagesDeleted(guildId: string, messageIds: readonly string[], by: GoneBy): Promise<number> {
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
   * An image just indexed whose author has opted out goes at once. /forget-me removes what is
   * indexed when it runs; an image queued before it (a /reindex page, a live message) is indexed
   * after, so every ingest path asks this once its image is in.
   */
  async unlessOptedOut(origin: ImageOrigin): Promise<void> {
    if (await this.settings.hasOptedOut(origin.collection, origin.authorId)) await this.library.remove(origin.collection, [origin.id]);
  }

  /**
   * The bot was removed from a server: everything of it goes, but for who opted out. A member's
   * choice outlives the bot's removal: inviting the bot again must not undo it.
   */
  async guildLeft(guildId: string): Promise<void> {
    const optedOut = await this.settings.optedOutMembers(guildId);
    await this.library.dropCollection(guildId);
    await this.settings.forgetGuild(guildId, optedOut);
    logger.info({ guildId }, 'removed from a server: its index was deleted');
  }
}
