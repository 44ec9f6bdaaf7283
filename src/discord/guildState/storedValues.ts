import type { ImageStore } from '../../store/imageStore.js';

/**
 * Typed access to the values the bot keeps per guild in the store's cursor blob (one JSON
 * value per guild). The keys are those the bot has always written (`live:<channel>`,
 * `recheck:<channel>`…), so stores written by earlier versions read as they are.
 */

/** One value per channel of a guild, stored under `<prefix><channelId>`. */
export class ChannelValues<T> {
  constructor(
    private readonly store: ImageStore,
    private readonly prefix: string,
  ) {}

  get(guildId: string, channelId: string): Promise<T | undefined> {
    return this.store.getCursor<T>(guildId, this.prefix + channelId);
  }

  set(guildId: string, channelId: string, value: T): Promise<void> {
    return this.store.setCursor(guildId, this.prefix + channelId, value);
  }

  delete(guildId: string, channelId: string): Promise<void> {
    return this.store.deleteCursor(guildId, this.prefix + channelId);
  }

  /** Every channel's value in a guild, read in one go (the blob is one stored value). */
  async all(guildId: string): Promise<Map<string, T>> {
    const values = new Map<string, T>();
    for (const [key, value] of Object.entries(await this.store.cursors(guildId))) {
      const channelId = key.startsWith(this.prefix) ? key.slice(this.prefix.length) : '';
      // Channel ids are snowflakes: other keys under the same prefix are not channels' values.
      if (/^\d+$/.test(channelId)) values.set(channelId, value as T);
    }
    return values;
  }
}

/** One value per guild, stored under a fixed key. */
export class GuildValue<T> {
  constructor(
    private readonly store: ImageStore,
    private readonly key: string,
  ) {}

  get(guildId: string): Promise<T | undefined> {
    return this.store.getCursor<T>(guildId, this.key);
  }

  set(guildId: string, value: T): Promise<void> {
    return this.store.setCursor(guildId, this.key, value);
  }
}
