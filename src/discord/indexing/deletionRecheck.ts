import { setTimeout as sleep } from 'node:timers/promises';
import { DiscordAPIError, RESTJSONErrorCodes, type Client, type Guild, type GuildBasedChannel, type Message } from 'discord.js';
import { logger } from '../../logger.js';
import type { BotMetrics } from '../../ops/metrics.js';
import type { ImageLibrary } from '../../library/imageLibrary.js';
import { botReadBlockers } from '../access/memberAccess.js';
import { HISTORY_PAGE_SIZE } from './channelHistory.js';
import type { ChannelValues } from '../guildState/storedValues.js';
import type { IndexForgetting } from './indexForgetting.js';
import { firstAfter, IndexedMessageIds } from './indexedMessageIds.js';
import { imagesOf, showsNothing } from './messageImages.js';

/** Where a channel's re-check stands; stored after every page (one small write). */
export interface ChannelRecheck {
  /** In a pass: every indexed message up to this id was read again. Null between passes. */
  after: string | null;
  /** When the current pass (or the last one) began. */
  passStartedAt: number;
  /** When the messages the current pass has not reached were last read: the previous pass's start (0: never). */
  pendingSince: number;
}

export interface DeletionRecheckParts {
  library: ImageLibrary;
  rechecks: ChannelValues<ChannelRecheck>;
  forgetting: IndexForgetting;
  metrics: BotMetrics | undefined;
  periodMs: number;
  requestsPerMinute: number;
  /** Where Discord serves images (which embeds are indexed images). */
  cdnHosts: readonly string[];
}

/**
 * A message deleted while the gateway was down (and the session could not be resumed)
 * sends no event: the bot would keep its images forever. So every indexed message is read
 * again, about once a period: channel by channel, the one checked longest ago first,
 * reading the history forward 100 messages a request from the next indexed message, at a
 * bounded rate. An indexed message missing from the range a page covers was deleted and
 * goes the way live deletions go (IndexForgetting), and so does an indexed image a message read
 * again no longer holds (edited out). Never concluded from a channel the bot cannot read, where
 * Discord answers with an empty history.
 */
export class DeletionRecheck {
  private readonly states = new Map<string, ChannelRecheck>();
  private readonly loadedGuilds = new Set<string>();
  private readonly ids: IndexedMessageIds;
  private readonly startedAt = Date.now();
  private stopped = false;
  private loop: Promise<void> = Promise.resolve();
  private readonly sleeping = new AbortController();

  constructor(
    private readonly client: Client,
    private readonly parts: DeletionRecheckParts,
  ) {
    this.ids = new IndexedMessageIds(parts.library);
  }

  start(): void {
    if (this.parts.requestsPerMinute === 0) return;
    const spacingMs = 60_000 / this.parts.requestsPerMinute;
    let failing = false;
    this.loop = (async () => {
      while (!this.stopped) {
        const read = await this.step().then(
          (read) => {
            if (failing) logger.info('re-check of indexed messages works again');
            failing = false;
            return read;
          },
          (error: unknown) => {
            // Said once per run of failures (a Discord outage would repeat it every request).
            if (!failing) logger.warn({ err: error }, 're-check of indexed messages failed; it keeps trying at its pace');
            failing = true;
            return true;
          },
        );
        // With nothing due it looks again a second later (or after the request spacing, if longer).
        await sleep(read ? spacingMs : Math.max(spacingMs, 1000), undefined, { signal: this.sleeping.signal }).catch(() => undefined);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.sleeping.abort();
    await this.loop;
  }

  /** Reads one page of the channel checked longest ago; false when nothing was due. */
  async step(): Promise<boolean> {
    for (;;) {
      const next = await this.mostOverdue();
      if (next === undefined) return false;
      if (await this.checkPage(next.guild, next.channelId)) return true;
    }
  }

  private async mostOverdue(): Promise<{ guild: Guild; channelId: string } | undefined> {
    const now = Date.now();
    let best: { guild: Guild; channelId: string; since: number } | undefined;
    let oldest = now;
    for (const guild of this.client.guilds.cache.values()) {
      if (!guild.available) continue;
      for (const channelId of this.parts.library.imagesPerChannel(guild.id).keys()) {
        const state = await this.state(guild.id, channelId);
        const since = state === undefined ? 0 : state.after !== null ? state.pendingSince : state.passStartedAt;
        oldest = Math.min(oldest, since === 0 ? this.startedAt : since);
        const due = state === undefined || state.after !== null || now - state.passStartedAt >= this.parts.periodMs;
        const channel = guild.channels.cache.get(channelId);
        // An uncached thread is archived: it is read through REST like any other.
        if (!due || (channel !== undefined && botReadBlockers(channel).length > 0)) continue;
        if (best === undefined || since < best.since) best = { guild, channelId, since };
      }
    }
    this.parts.metrics?.setRecheckOldestSeconds((now - oldest) / 1000);
    return best;
  }

  /** One page of a channel; false when it needed no request (the pass was already over). */
  private async checkPage(guild: Guild, channelId: string): Promise<boolean> {
    const previous = await this.state(guild.id, channelId);
    const state: ChannelRecheck =
      previous !== undefined && previous.after !== null
        ? previous
        : { after: '0', passStartedAt: Date.now(), pendingSince: previous?.passStartedAt ?? 0 };
    // A pass covers what was indexed when it began: an image indexed after the snapshot was taken
    // would otherwise wait up to the snapshot's age for its first check.
    if (state !== previous) this.ids.forget(guild.id);
    const ids = this.ids.of(guild.id, channelId);
    const start = firstAfter(ids, BigInt(state.after!));
    if (start >= ids.length) {
      await this.save(guild.id, channelId, { ...state, after: null });
      return false;
    }
    const from = ids[start]! - 1n;
    const page = await this.readPage(guild, channelId, from);
    if (page === 'gone') {
      this.states.delete(`${guild.id}/${channelId}`);
      await this.parts.rechecks.delete(guild.id, channelId);
      return true;
    }
    if (page === 'unreadable') {
      // Tried again next period (or as soon as it is readable and due); nothing is concluded from it.
      await this.save(guild.id, channelId, { ...state, after: null });
      return true;
    }
    const present = new Set(page.map((message) => BigInt(message.id)));
    const full = page.length === HISTORY_PAGE_SIZE;
    const upTo = full ? page.reduce((max, message) => (BigInt(message.id) > max ? BigInt(message.id) : max), 0n) : undefined;
    const covered = ids.slice(start, upTo === undefined ? ids.length : firstAfter(ids, upTo));
    const missing = [...covered].filter((id) => !present.has(id)).map(String);
    // An empty page may mean the bot lost Read Message History: only Discord's "Unknown Message" proves a deletion.
    const deleted = page.length > 0 || (await this.confirmedDeleted(channelId, missing[0]!)) ? missing : [];
    await this.parts.forgetting.messagesDeleted(guild.id, deleted, 'recheck');
    await this.parts.forgetting.imagesGone(
      guild.id,
      page.flatMap((message) => this.editedOut(guild.id, message)),
      'recheck',
    );
    this.parts.metrics?.recheckRead(covered.length - missing.length, deleted.length);
    await this.save(guild.id, channelId, { ...state, after: upTo === undefined ? null : String(upTo) });
    return true;
  }

  /** Indexed images a message read again no longer holds (edited out while the bot could not hear it). */
  private editedOut(guildId: string, message: Message): string[] {
    if (showsNothing(message)) return [];
    const holds = new Set(imagesOf(message, this.parts.cdnHosts).map((image) => image.origin.id));
    return this.parts.library.idsOfMessage(guildId, message.id).filter((id) => !holds.has(id));
  }

  private async readPage(guild: Guild, channelId: string, after: bigint): Promise<Message[] | 'gone' | 'unreadable'> {
    try {
      const channel = guild.channels.cache.get(channelId) ?? (await guild.client.channels.fetch(channelId));
      if (channel === null || !('messages' in channel) || !isGuildChannel(channel) || botReadBlockers(channel).length > 0)
        return 'unreadable';
      const page = await channel.messages.fetch({ after: after.toString(), limit: HISTORY_PAGE_SIZE, cache: false });
      return [...page.values()];
    } catch (error) {
      if (error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownChannel) {
        await this.parts.forgetting.channelGone(guild.id, channelId, new Set(), { deleted: true, by: 'recheck' });
        this.ids.forget(guild.id);
        return 'gone';
      }
      if (error instanceof DiscordAPIError && (error.status === 403 || error.status === 404)) return 'unreadable';
      throw error;
    }
  }

  private async confirmedDeleted(channelId: string, messageId: string): Promise<boolean> {
    try {
      await this.client.rest.get(`/channels/${channelId}/messages/${messageId}`);
      return false;
    } catch (error) {
      return error instanceof DiscordAPIError && error.code === RESTJSONErrorCodes.UnknownMessage;
    }
  }

  private async state(guildId: string, channelId: string): Promise<ChannelRecheck | undefined> {
    if (!this.loadedGuilds.has(guildId)) {
      // A guild's states are read once, not once per channel.
      for (const [channelId, state] of await this.parts.rechecks.all(guildId)) this.states.set(`${guildId}/${channelId}`, state);
      this.loadedGuilds.add(guildId);
    }
    return this.states.get(`${guildId}/${channelId}`);
  }

  private async save(guildId: string, channelId: string, state: ChannelRecheck): Promise<void> {
    this.states.set(`${guildId}/${channelId}`, state);
    await this.parts.rechecks.set(guildId, channelId, state);
  }
}

function isGuildChannel(channel: object): channel is GuildBasedChannel {
  return 'guildId' in channel;
}
