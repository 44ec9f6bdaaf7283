import { z } from 'zod';
import type { ImageStore } from '../../store/imageStore.js';
import { readPreferences, type Preferences } from './preferences.js';
import { readRepostPolicy, type RepostPolicy } from './repostPolicy.js';

/** A guild's settings as stored (one value per guild). Every field may be missing in a store written by an earlier version. */
const StoredSettings = z.object({
  /** Channels whose images are indexed (their threads included). */
  indexedChannels: z.array(z.string()).catch([]).default([]),
  /** What /settings changed. */
  preferences: z.unknown().optional(),
  /** Members who asked (/forget-me) that their images not be indexed. */
  optedOut: z.array(z.string()).catch([]).default([]),
  /** Whether the welcome was posted when the bot joined. */
  welcomed: z.boolean().catch(false).default(false),
  /** What /reposts chose (read by repostPolicy.ts). */
  reposts: z.unknown().optional(),
});

interface Settings {
  indexedChannels: Set<string>;
  preferences: Preferences;
  optedOut: Set<string>;
  welcomed: boolean;
  reposts: RepostPolicy;
}

/**
 * What each guild chose: its indexed channels, its /settings, the members who opted out of
 * indexing, its /reposts policy, whether it was welcomed. Kept in the store, cached in memory (read on every
 * message, written only by commands).
 */
export class GuildSettings {
  private readonly cache = new Map<string, Settings>();

  constructor(private readonly store: ImageStore) {}

  async indexedChannels(guildId: string): Promise<ReadonlySet<string>> {
    return (await this.load(guildId)).indexedChannels;
  }

  /** Whether a message in `channelId` (or a thread whose parent is `parentId`) is indexed. */
  async isIndexed(guildId: string, channelId: string, parentId: string | null): Promise<boolean> {
    const channels = await this.indexedChannels(guildId);
    return channels.has(channelId) || (parentId !== null && channels.has(parentId));
  }

  async addChannel(guildId: string, channelId: string): Promise<boolean> {
    return this.update(guildId, ({ indexedChannels }) => {
      if (indexedChannels.has(channelId)) return false;
      indexedChannels.add(channelId);
      return true;
    });
  }

  async removeChannel(guildId: string, channelId: string): Promise<boolean> {
    return this.update(guildId, ({ indexedChannels }) => indexedChannels.delete(channelId));
  }

  async preferences(guildId: string): Promise<Preferences> {
    return (await this.load(guildId)).preferences;
  }

  async setPreferences(guildId: string, changes: Partial<Preferences>): Promise<Preferences> {
    await this.update(guildId, (settings) => {
      settings.preferences = readPreferences({ ...settings.preferences, ...changes });
      return true;
    });
    return this.preferences(guildId);
  }

  /**
   * The preferences already loaded, without waiting (undefined until the guild's settings are
   * first read): for the engine's synchronous questions, e.g. whether OCR runs for a guild.
   */
  loadedPreferences(guildId: string): Preferences | undefined {
    return this.cache.get(guildId)?.preferences;
  }

  async repostPolicy(guildId: string): Promise<RepostPolicy> {
    return (await this.load(guildId)).reposts;
  }

  /** Stores what `change` makes of the policy (read again through its schema), and returns it. */
  async changeRepostPolicy(guildId: string, change: (policy: RepostPolicy) => RepostPolicy): Promise<RepostPolicy> {
    await this.update(guildId, (settings) => {
      settings.reposts = readRepostPolicy(change(settings.reposts));
      return true;
    });
    return this.repostPolicy(guildId);
  }

  /** Whether a member asked that their uploads not be indexed here. */
  async hasOptedOut(guildId: string, userId: string): Promise<boolean> {
    return (await this.load(guildId)).optedOut.has(userId);
  }

  /** Records a member's choice; false when it was already so. */
  async setOptedOut(guildId: string, userId: string, optedOut: boolean): Promise<boolean> {
    return this.update(guildId, ({ optedOut: members }) => {
      if (members.has(userId) === optedOut) return false;
      if (optedOut) members.add(userId);
      else members.delete(userId);
      return true;
    });
  }

  /** Marks the guild welcomed; false when it already was (the welcome is posted once). */
  async markWelcomed(guildId: string): Promise<boolean> {
    return this.update(guildId, (settings) => {
      if (settings.welcomed) return false;
      settings.welcomed = true;
      return true;
    });
  }

  /** The members who asked that their uploads not be indexed here. */
  async optedOutMembers(guildId: string): Promise<ReadonlySet<string>> {
    return (await this.load(guildId)).optedOut;
  }

  /** Forgets a guild (the bot was removed from it), keeping only `optedOut`: who asked not to be indexed. */
  async forgetGuild(guildId: string, optedOut: Iterable<string> = []): Promise<void> {
    this.cache.delete(guildId);
    await this.store.setSettings(guildId, { indexedChannels: [], optedOut: [...optedOut] });
  }

  private async load(guildId: string): Promise<Settings> {
    let settings = this.cache.get(guildId);
    if (settings === undefined) {
      const stored = StoredSettings.parse((await this.store.getSettings<unknown>(guildId)) ?? {});
      settings = {
        indexedChannels: new Set(stored.indexedChannels),
        preferences: readPreferences(stored.preferences),
        optedOut: new Set(stored.optedOut),
        welcomed: stored.welcomed,
        reposts: readRepostPolicy(stored.reposts),
      };
      this.cache.set(guildId, settings);
    }
    return settings;
  }

  /** Applies `change` to a copy, stores it, and only then lets memory see it. */
  private async update(guildId: string, change: (settings: Settings) => boolean): Promise<boolean> {
    const current = await this.load(guildId);
    const next: Settings = {
      indexedChannels: new Set(current.indexedChannels),
      preferences: { ...current.preferences },
      optedOut: new Set(current.optedOut),
      welcomed: current.welcomed,
      reposts: current.reposts,
    };
    if (!change(next)) return false;
    await this.store.setSettings(guildId, {
      indexedChannels: [...next.indexedChannels],
      preferences: next.preferences,
      optedOut: [...next.optedOut],
      welcomed: next.welcomed,
      reposts: next.reposts,
    });
    this.cache.set(guildId, next);
    return true;
  }
}
