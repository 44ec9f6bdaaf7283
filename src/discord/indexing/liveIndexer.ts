import {
  Events,
  type Client,
  type Guild,
  type GuildBasedChannel,
  type Message,
  type PartialMessage,
  type TextBasedChannel,
} from 'discord.js';
import { logger } from '../../logger.js';
import type { IngestQueue } from '../../ingest/ingestQueue.js';
import type { ImageLibrary } from '../../library/imageLibrary.js';
import { botReadBlockers } from '../access/memberAccess.js';
import { compareSnowflakes, pagesForwards } from './channelHistory.js';
import { threadsOf } from './channelThreads.js';
import { ChannelFrontiers } from './channelFrontiers.js';
import { CatchUpRetries, type HeldChannel } from './catchUpRetries.js';
import type { GuildState } from '../guildState/guildState.js';
import type { IndexForgetting } from './indexForgetting.js';
import { onGatewayDeletions } from './gatewayDeletions.js';
import { imagesOf } from './messageImages.js';
import type { ReindexJobs } from './reindexJobs.js';
import { UnreadableChannels } from './unreadableChannels.js';

export interface LiveIndexerParts {
  library: ImageLibrary;
  guildState: GuildState;
  ingest: IngestQueue;
  forgetting: IndexForgetting;
  /** The /reindex walks: those of a deleted channel, or of a server that removed the bot, end. */
  walks: Pick<ReindexJobs, 'stop' | 'stopGuild'>;
  cdnHosts: readonly string[];
  /** Called when images of a message just posted were indexed (the repost check); never for catch-up or edits. */
  onPostedImages?: (message: Message, imageIds: readonly string[]) => Promise<void>;
}

/**
 * Keeps the index in step with Discord as it happens: new images are indexed, and
 * edits that drop an attachment, deletions, deleted channels and a removed bot make
 * the index forget exactly those images. At start it catches up on what was posted
 * while it was down, from the cursor it keeps per channel.
 */
export class LiveIndexer {
  private readonly frontiers: ChannelFrontiers;
  private readonly unreadable: UnreadableChannels;
  private readonly pending = new Set<Promise<unknown>>();
  private stopping = false;
  /** Set once the start-up catch-up begins; guilds that turn available before it are covered by it. */
  private started = false;
  private catchingUp: Promise<void> = Promise.resolve();
  private readonly retries = new CatchUpRetries((due) => this.retryCatchUp(due));

  constructor(private readonly parts: LiveIndexerParts) {
    this.frontiers = new ChannelFrontiers(parts.guildState.liveCursors);
    this.unreadable = new UnreadableChannels(parts.guildState.unreadableReports);
  }

  attach(client: Client): void {
    client.on(Events.MessageCreate, (message) => this.track(this.onMessage(message, { posted: true }), 'message create'));
    client.on(Events.MessageUpdate, (_old, message) => this.track(this.onEdit(message), 'message update'));
    const { forgetting } = this.parts;
    onGatewayDeletions(client, (deletion) => {
      if (deletion.kind === 'messages')
        this.track(forgetting.messagesDeleted(deletion.guildId, deletion.messageIds, 'event'), 'message delete');
      else this.track(this.threadGone(deletion.guildId, deletion.threadId), 'thread delete');
    });
    client.on(Events.ChannelDelete, (channel) => {
      if (!('guild' in channel)) return;
      this.track(this.parts.walks.stop(channel.guild.id, channel.id), 'stopping the walk of a deleted channel');
      this.track(this.channelGone(channel.guild, channel.id, { deleted: true }), 'channel delete');
    });
    client.on(Events.GuildDelete, (guild) => {
      // Always a removal: discord.js reports an outage (GUILD_DELETE with `unavailable: true`) as
      // GuildUnavailable. A server already in an outage (marked unavailable) that removes the bot is one too.
      this.track(this.guildLeft(guild.id), 'guild delete');
    });
    client.on(Events.GuildCreate, (guild) => forgetting.guildJoined(guild.id));
    // After a session that could not be resumed (or a guild outage), Discord does not replay
    // what was posted meanwhile: every guild comes back through GUILD_CREATE as "available",
    // and is caught up from its cursors. (Before the start-up catch-up, that one covers it.)
    client.on(Events.GuildAvailable, (guild) => {
      if (!this.started || this.stopping) return;
      this.catchUpGuilds([guild]).catch((error: unknown) =>
        logger.error({ err: error, guildId: guild.id }, 'catch-up after reconnecting failed; the rest is read on the next start'),
      );
    });
  }

  /** Indexes what was posted in indexed channels (and their active threads) while the bot was away. */
  async catchUp(client: Client): Promise<void> {
    this.started = true;
    await this.catchUpGuilds([...client.guilds.cache.values()]);
    if (this.stopping) return;
    logger.info({ guilds: client.guilds.cache.size, channelsBehind: this.retries.size }, 'catch-up after start finished');
  }

  private catchUpGuilds(guilds: readonly Guild[]): Promise<void> {
    // Every channel is held before anything is awaited, then caught up one by one: a live message
    // handled meanwhile must not move a cursor (nor get it saved) past what was missed. A channel
    // still behind from an earlier catch-up is already held.
    const held = guilds.flatMap((guild) =>
      [...guild.channels.cache.values()].map((channel) => ({
        channel,
        release: this.retries.take(channel.id) ?? this.frontiers.hold(guild.id, channel.id),
      })),
    );
    return this.runCatchUp(guilds, held);
  }

  /** Reads again the channels whose catch-up stopped early, but for those gone since. */
  private retryCatchUp(due: readonly HeldChannel[]): void {
    const present = due.filter(
      ({ channel }) => channel.guild.channels.cache.has(channel.id) && channel.client.guilds.cache.has(channel.guildId),
    );
    for (const gone of due.filter((target) => !present.includes(target))) {
      this.retries.forget(gone.channel.id);
      gone.release();
    }
    const guilds = [...new Set(present.map(({ channel }) => channel.guild))];
    this.runCatchUp(guilds, present).catch((error: unknown) => logger.error({ err: error }, 'catching up again failed'));
  }

  private runCatchUp(guilds: readonly Guild[], held: readonly HeldChannel[]): Promise<void> {
    // One catch-up at a time: a reconnect during the start-up catch-up waits for it.
    const run = this.catchingUp.then(() => this.catchUpHeld(guilds, held));
    this.catchingUp = run.catch(() => undefined);
    return run;
  }

  /** Catches up held channels; one that cannot be read now (an error, not a permission) stays held and is read again later. */
  private async catchUpHeld(guilds: readonly Guild[], held: readonly HeldChannel[]): Promise<void> {
    const indexedByGuild = new Map<string, ReadonlySet<string>>();
    const unreadSettings = new Map<string, unknown>();
    for (const guild of guilds) {
      try {
        indexedByGuild.set(guild.id, await this.parts.guildState.settings.indexedChannels(guild.id));
      } catch (error) {
        unreadSettings.set(guild.id, error);
      }
    }
    const targets: HeldChannel[] = [];
    const newlyBehind = new Set<string>();
    for (const target of held) {
      const { channel } = target;
      const indexed = indexedByGuild.get(channel.guildId);
      const parentId = channel.isThread() ? channel.parentId : null;
      if (indexed === undefined) {
        if (this.retries.fellBehind(target)) newlyBehind.add(channel.guildId);
      } else if (indexed.has(channel.id) || (parentId !== null && indexed.has(parentId))) targets.push(target);
      else target.release();
    }
    for (const guildId of newlyBehind) {
      logger.warn({ err: unreadSettings.get(guildId), guildId }, 'could not read which channels to catch up on; tried again in a while');
    }
    const stored = new Map<string, Promise<string | undefined>>();
    const storedCursor = (guildId: string, channelId: string): Promise<string | undefined> => {
      let cursor = stored.get(channelId);
      if (cursor === undefined) stored.set(channelId, (cursor = this.frontiers.stored(guildId, channelId)));
      return cursor;
    };
    // Read every starting point before any catch-up moves a cursor (a thread may start from its channel's).
    const starts = await Promise.allSettled(targets.map(({ channel }) => this.startOfCatchUp(channel, storedCursor)));
    for (const [i, target] of targets.entries()) {
      if (this.stopping) return;
      const { channel, release } = target;
      const log = logger.child({ guildId: channel.guildId, channelId: channel.id });
      try {
        const start = starts[i]!;
        if (start.status === 'rejected') throw start.reason;
        const after = start.value;
        if (after === undefined || !channel.isTextBased()) release();
        // Unreadable: the hold stays, so the cursor waits below what the bot could not read.
        else if (!(await this.mayRead(channel))) continue;
        else await this.catchUpChannel(channel, after, release);
        if (this.retries.caughtUp(channel.id)) log.info('caught up on a channel whose catch-up had failed');
      } catch (error) {
        // The hold stays: the cursor must not pass messages that were never read.
        if (this.retries.fellBehind(target)) log.warn({ err: error }, 'catch-up stopped early; it is tried again in a while');
        else log.debug({ err: error }, 'catch-up failed again; it is tried again later');
      }
    }
    this.retries.schedule();
  }

  /** Marks a channel's newest message as seen, so catch-up starts from now (a channel just added). */
  async startFromNow(guildId: string, channelId: string, lastMessageId: string | null): Promise<void> {
    // An empty channel still needs a cursor, or what is posted in it while the bot is down is never
    // caught up: its own id is older than any message it will hold.
    await this.frontiers.reset(guildId, channelId, lastMessageId ?? channelId);
  }

  /** Stops catch-up after the page it is on (shutdown) and waits for it; what is left is read on the next start. */
  async stopCatchUp(): Promise<void> {
    this.stopping = true;
    this.retries.stop();
    await this.catchingUp;
  }

  /** Waits for event handling in flight and saves every channel's cursor. */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    await this.frontiers.save();
  }

  /** Stops following a channel an admin no longer indexes, and forgets its images and its threads'. */
  async forgetChannel(guild: Guild, channelId: string): Promise<number> {
    return this.channelGone(guild, channelId, { deleted: false });
  }

  private async channelGone(guild: Guild, channelId: string, how: { deleted: boolean }): Promise<number> {
    const channel = guild.channels.cache.get(channelId);
    // A channel still there lists its archived threads too; of a deleted one, only the threads the bot knows are
    // found (the rest are left out of results with their channel, and the re-check finds them gone).
    const threads = new Set(
      channel === undefined || how.deleted
        ? guild.channels.cache.filter((cached) => cached.isThread() && cached.parentId === channelId).keys()
        : (await threadsOf(channel)).map((thread) => thread.id),
    );
    this.retries.forget(channelId);
    await this.frontiers.forget(guild.id, channelId);
    return this.parts.forgetting.channelGone(guild.id, channelId, threads, { ...how, by: 'event' });
  }

  private async threadGone(guildId: string, threadId: string): Promise<void> {
    this.track(this.parts.walks.stop(guildId, threadId), 'stopping the walk of a deleted thread');
    this.retries.forget(threadId);
    await this.frontiers.forget(guildId, threadId);
    await this.parts.forgetting.channelGone(guildId, threadId, new Set(), { deleted: true, by: 'event' });
  }

  /**
   * The bot was removed from a server: its walks end first (unsaved), and its cursors are
   * dropped, so that nothing is written for it after its index is deleted.
   */
  private async guildLeft(guildId: string): Promise<void> {
    this.frontiers.forgetGuild(guildId);
    await this.parts.walks.stopGuild(guildId);
    await this.parts.forgetting.guildLeft(guildId);
  }

  /** Whether catch-up can read a channel; an indexed channel it cannot read is reported (once). */
  private async mayRead(channel: GuildBasedChannel): Promise<boolean> {
    const missing = botReadBlockers(channel);
    // A thread follows its channel, which is the one reported; a private thread the bot left is simply not read.
    if (channel.isThread()) return missing.length === 0;
    if (missing.length > 0) await this.unreadable.cannotRead(channel, missing);
    else await this.unreadable.canRead(channel);
    return missing.length === 0;
  }

  /**
   * Where a channel's catch-up starts: its stored cursor. A thread the bot never saw a message
   * in has none; it starts where its channel does, or at its creation if that is later.
   */
  private async startOfCatchUp(
    channel: GuildBasedChannel,
    storedCursor: (guildId: string, channelId: string) => Promise<string | undefined>,
  ): Promise<string | undefined> {
    const own = await storedCursor(channel.guildId, channel.id);
    if (own !== undefined || !channel.isThread() || channel.parentId === null) return own;
    const parent = await storedCursor(channel.guildId, channel.parentId);
    if (parent === undefined) return undefined;
    return compareSnowflakes(parent, channel.id) > 0 ? parent : channel.id;
  }

  /** Reads a channel's messages after `after` and releases its hold; when reading fails it throws, and the hold stays. */
  private async catchUpChannel(channel: GuildBasedChannel & TextBasedChannel, after: string, release: () => void): Promise<void> {
    if (!('messages' in channel)) return release();
    this.frontiers.startCatchUp(channel.guildId, channel.id, after);
    let seen = 0;
    for await (const page of pagesForwards(channel, after)) {
      await Promise.all(page.map((message) => this.onMessage(message)));
      seen += page.length;
      // Shutting down: keep the hold, so the cursor stays below what was not read yet.
      if (this.stopping) return;
    }
    if (seen > 0)
      logger.info({ guildId: channel.guildId, channelId: channel.id, messages: seen }, 'caught up on messages posted while offline');
    release();
  }

  private async onMessage(message: Message | PartialMessage, how: { posted?: boolean } = {}): Promise<void> {
    if (message.guildId === null || message.author?.id === message.client.user.id) return;
    const channel = message.channel;
    const parentId = channel.isThread() ? channel.parentId : null;
    const { settings } = this.parts.guildState;
    if (!(await settings.isIndexed(message.guildId, message.channelId, parentId))) return;
    // A member who opted out (/forget-me): their message is passed like one without images.
    const optedOut = message.author !== null && (await settings.hasOptedOut(message.guildId, message.author.id));
    const images = optedOut ? [] : imagesOf(message, this.parts.cdnHosts);
    const done = this.frontiers.begin(message.guildId, message.channelId, message.id);
    // Only once its images are accepted may the cursor pass a message; if the queue refused them
    // (shutting down), the message stays in flight and the next start reads it again.
    const outcomes = await Promise.all(
      images.map(async (image) => {
        const outcome = await this.parts.ingest.enqueue(image);
        await this.parts.forgetting.unlessUnwanted(image.origin);
        return outcome;
      }),
    );
    done();
    // Only what was just posted: a notice about a message caught up after downtime (or walked by
    // /reindex, which does not come here) would tell of something long read, and a walk through
    // history would flood channels with them.
    // An image taken out again at once (its message deleted meanwhile) is no repost either.
    const indexed = images
      .filter((image, i) => outcomes[i] === 'indexed' && this.parts.library.has(image.origin.collection, image.origin.id))
      .map((image) => image.origin.id);
    if (how.posted === true && !message.partial && indexed.length > 0) await this.parts.onPostedImages?.(message, indexed);
  }

  private async onEdit(message: Message | PartialMessage): Promise<void> {
    if (message.guildId === null) return;
    const full = message.partial ? await message.fetch().catch(() => undefined) : message;
    if (full === undefined) return;
    const present = new Set(imagesOf(full, this.parts.cdnHosts).map((image) => image.origin.id));
    const gone = this.parts.library.idsOfMessage(full.guildId!, full.id).filter((id) => !present.has(id));
    await this.parts.forgetting.imagesGone(full.guildId!, gone, 'event');
    await this.onMessage(full);
  }

  private track(work: Promise<unknown>, what: string): void {
    const tracked = work.catch((error: unknown) => logger.error({ err: error }, `handling ${what} failed`));
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }
}
