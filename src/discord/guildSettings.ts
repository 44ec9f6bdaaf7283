import type { ImageStore } from '../store/imageStore.js';

interface StoredGuildSettings {
  /** Channels whose images are indexed (their threads included). */
  indexedChannels: string[];
}

/**
 * Which channels each guild indexes, kept in the store and cached in memory
 * (read on every message, written only by /channels).
 */
export class GuildSettings {
  private readonly cache = new Map<string, Set<string>>();

  constructor(private readonly store: ImageStore) {}

  async indexedChannels(guildId: string): Promise<ReadonlySet<string>> {
    let channels = this.cache.get(guildId);
    if (channels === undefined) {
      const stored = await this.store.getSettings<StoredGuildSettings>(guildId);
      channels = new Set(stored?.indexedChannels ?? []);
      this.cache.set(guildId, channels);
    }
    return channels;
  }

  /** Whether a message in `channelId` (or a thread whose parent is `parentId`) is indexed. */
  async isIndexed(guildId: string, channelId: string, parentId: string | null): Promise<boolean> {
    const channels = await this.indexedChannels(guildId);
    return channels.has(channelId) || (parentId !== null && channels.has(parentId));
  }

  async addChannel(guildId: string, channelId: string): Promise<boolean> {
    return this.update(guildId, (channels) => {
      if (channels.has(channelId)) return false;
      channels.add(channelId);
      return true;
    });
  }

  async removeChannel(guildId: string, channelId: string): Promise<boolean> {
    return this.update(guildId, (channels) => channels.delete(channelId));
  }

  /** Forgets a guild entirely (the bot was removed from it). */
  async forgetGuild(guildId: string): Promise<void> {
    this.cache.delete(guildId);
    await this.store.setSettings<StoredGuildSettings>(guildId, { indexedChannels: [] });
  }

  private async update(guildId: string, change: (channels: Set<string>) => boolean): Promise<boolean> {
    const channels = new Set(await this.indexedChannels(guildId));
    if (!change(channels)) return false;
    await this.store.setSettings<StoredGuildSettings>(guildId, { indexedChannels: [...channels] });
    this.cache.set(guildId, channels);
    return true;
  }
}
