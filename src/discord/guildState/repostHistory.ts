import { logger } from '../../logger.js';
import type { ImageStore } from '../../store/imageStore.js';
import type { RepostActions } from './repostPolicy.js';
import { ChannelValues, GuildValue } from './storedValues.js';

/** A repost the bot noticed: the new image (its record id) and when. */
export interface NoticedRepost {
  imageId: string;
  at: number;
}

/** An action that Discord refused in a channel for want of a permission. */
export type RepostAction = keyof RepostActions;

/** How many noticed reposts `/reposts list` can show. */
const KEPT = 50;

/**
 * What the repost check leaves behind per guild: the reposts it noticed lately (for
 * `/reposts list`), and the actions Discord refused per channel (for `/reposts status`),
 * each logged once when it starts failing and forgotten once it works again.
 */
export class RepostHistory {
  private readonly noticed: GuildValue<NoticedRepost[]>;
  private readonly refused: ChannelValues<RepostAction[]>;

  constructor(store: ImageStore) {
    this.noticed = new GuildValue(store, 'reposts:recent');
    this.refused = new ChannelValues(store, 'repost-refused:');
  }

  async record(guildId: string, imageIds: readonly string[], at = Date.now()): Promise<void> {
    const earlier = (await this.noticed.get(guildId)) ?? [];
    const fresh = imageIds.map((imageId) => ({ imageId, at }));
    await this.noticed.set(guildId, [...fresh, ...earlier.filter((entry) => !imageIds.includes(entry.imageId))].slice(0, KEPT));
  }

  /** The reposts noticed lately, newest first. */
  async recent(guildId: string): Promise<NoticedRepost[]> {
    return (await this.noticed.get(guildId)) ?? [];
  }

  /** An action Discord refused in a channel: logged the first time only. */
  async refusedIn(guildId: string, channelId: string, action: RepostAction): Promise<void> {
    const known = (await this.refused.get(guildId, channelId)) ?? [];
    if (known.includes(action)) return;
    await this.refused.set(guildId, channelId, [...known, action]);
    logger.warn(
      { guildId, channelId, action },
      `a repost ${action} was refused for want of a permission there (said once per channel; /reposts status shows it)`,
    );
  }

  /** An action worked in a channel: it is no longer reported. */
  async workedIn(guildId: string, channelId: string, action: RepostAction): Promise<void> {
    const known = (await this.refused.get(guildId, channelId)) ?? [];
    if (!known.includes(action)) return;
    const left = known.filter((other) => other !== action);
    if (left.length === 0) await this.refused.delete(guildId, channelId);
    else await this.refused.set(guildId, channelId, left);
  }

  /** Per channel, the actions Discord refused there lately. */
  refusals(guildId: string): Promise<Map<string, RepostAction[]>> {
    return this.refused.all(guildId);
  }
}
