import {
  DiscordAPIError,
  RESTJSONErrorCodes,
  SnowflakeUtil,
  type Client,
  type Guild,
  type GuildBasedChannel,
  type GuildTextBasedChannel,
  type Message,
} from 'discord.js';
import type { IngestQueue } from '../../ingest/ingestQueue.js';
import { isStoreUnavailable } from '../../store/storeUnavailable.js';
import { logger } from '../../logger.js';
import { botReadBlockers } from '../access/memberAccess.js';
import type { GuildSettings } from '../guildState/guildSettings.js';
import type { ChannelValues } from '../guildState/storedValues.js';
import type { IndexForgetting } from './indexForgetting.js';
import { pagesBackwards } from './channelHistory.js';
import { imagesOf, type MessageImage } from './messageImages.js';
import { ChannelProgressView, type ProgressView } from './reindexProgress.js';
import { ReindexJob } from './reindexJob.js';
import type { ReindexState } from './reindexState.js';

const PROGRESS_EVERY_MS = 2000;

export interface ReindexParts {
  walks: ChannelValues<ReindexState>;
  /** Whose uploads are not indexed (/forget-me). */
  settings: GuildSettings;
  /** Takes back an image whose author opted out, or whose message, channel or server went, while it was queued. */
  forgetting: IndexForgetting;
  ingest: IngestQueue;
  cdnHosts: readonly string[];
  /**
   * Images a walk keeps queued or being indexed at most: enough to keep every download slot busy,
   * few enough that a stop (or shutdown) waits for a handful of images, not for a page of up to 1,000.
   */
  imagesAhead: number;
}

/**
 * `/reindex`: walks the history of a channel and then of each of its threads (a forum's
 * posts), newest to oldest, 100 messages a request, queueing every image not yet indexed.
 * Its state (what is left to walk, the cursor and counts) is stored after every page, so a
 * restart resumes where it was, and `/reindex stop` ends it cleanly.
 */
export class ReindexJobs {
  private readonly running = new Map<string, ReindexJob>();

  constructor(private readonly parts: ReindexParts) {}

  isRunning(guildId: string, channelId: string): boolean {
    return this.running.has(jobKey(guildId, channelId));
  }

  /**
   * Starts (or restarts from where it stopped) the walk of a channel and `threadIds`. With
   * `publicIn`, a progress message is posted there; `posted` says whether that worked.
   */
  async start(
    channel: GuildBasedChannel,
    threadIds: readonly string[],
    publicIn: GuildTextBasedChannel | undefined,
  ): Promise<{ state: ReindexState; resumed: boolean; posted: boolean }> {
    const previous = await this.load(channel.guildId, channel.id);
    const resumed = previous !== undefined && previous.status !== 'done' && previous.queue.length > 0;
    const walksItself = channel.isTextBased();
    const state: ReindexState =
      resumed && previous !== undefined
        ? { ...previous, status: 'running', error: undefined, progressMessage: undefined }
        : {
            guildId: channel.guildId,
            channelId: channel.id,
            status: 'running',
            queue: [...(walksItself ? [channel.id] : []), ...threadIds],
            walked: 0,
            before: undefined,
            newestAt: undefined,
            scanned: 0,
            indexed: 0,
            skipped: 0,
            failed: 0,
            startedAt: Date.now(),
            activeSeconds: 0,
            progressMessage: undefined,
          };
    const view = publicIn === undefined ? undefined : await ChannelProgressView.post(publicIn, state, channel.name);
    state.progressMessage = view?.message;
    await this.save(state);
    this.launch(channel.guild, state, channel.name, channel.isThread() ? channel.parentId : null, view === undefined ? [] : [view]);
    return { state, resumed, posted: view !== undefined };
  }

  /**
   * Shows a walk's progress in one more place too: as it is now, and as it goes if it is running.
   * An admin's newer view takes the place of their older one, so asking again and again adds none.
   */
  async watch(channel: GuildBasedChannel, view: ProgressView): Promise<void> {
    const job = this.running.get(jobKey(channel.guildId, channel.id));
    if (job !== undefined) {
      job.views = job.views.filter((shown) => shown.live && (view.viewer === undefined || shown.viewer !== view.viewer));
      job.views.push(view);
    }
    const state = job?.state ?? (await this.load(channel.guildId, channel.id));
    if (state !== undefined) await view.show(state, channel.name);
  }

  /**
   * Asks a walk (and the walks of the channel's threads) to stop; resolves once they have, which is
   * once the few images they had queued are indexed: nothing of theirs is on its way in after that.
   */
  async stop(guildId: string, channelId: string): Promise<ReindexState | undefined> {
    const ofThreads = [...this.running.entries()].filter(([key, job]) => job.parentId === channelId && key.startsWith(`${guildId}/`));
    for (const [, job] of ofThreads) job.halt = 'stop';
    await Promise.all(ofThreads.map(([, job]) => job.done));
    const job = this.running.get(jobKey(guildId, channelId));
    if (job === undefined) return undefined;
    job.halt = 'stop';
    await job.done;
    return this.load(guildId, channelId);
  }

  /** The bot was removed from a server: its walks end after their current page, unsaved; resolves when they have. */
  async stopGuild(guildId: string): Promise<void> {
    const ofGuild = [...this.running.values()].filter((job) => job.state.guildId === guildId);
    for (const job of ofGuild) job.halt = 'gone';
    await Promise.allSettled(ofGuild.map((job) => job.done));
  }

  /** After a restart: continues every walk that was running when the bot stopped. */
  async resumeAll(client: Client): Promise<void> {
    for (const guild of client.guilds.cache.values()) {
      for (const state of await this.states(guild.id)) {
        // An admin's /reindex during the catch-up before this may have resumed it already.
        if (state.status !== 'running' || this.isRunning(guild.id, state.channelId)) continue;
        const channel = await channelOf(guild, state.channelId);
        if (channel === undefined) continue;
        logger.info({ guildId: guild.id, channelId: channel.id, scanned: state.scanned }, 'resuming reindex');
        const views = state.progressMessage === undefined ? [] : [new ChannelProgressView(client, state.progressMessage)];
        this.launch(guild, state, channel.name, channel.isThread() ? channel.parentId : null, views);
      }
    }
  }

  /** Stops every walk (shutdown) once its queued images are in; their state says running, so they resume. */
  async pauseAll(): Promise<void> {
    for (const job of this.running.values()) job.halt = 'pause';
    await Promise.allSettled([...this.running.values()].map((job) => job.done));
  }

  async states(guildId: string): Promise<ReindexState[]> {
    return [...(await this.parts.walks.all(guildId)).values()].map(upgrade);
  }

  private launch(guild: Guild, state: ReindexState, channelName: string, parentId: string | null, views: ProgressView[]): void {
    const key = jobKey(state.guildId, state.channelId);
    const job = new ReindexJob(parentId, channelName, state, views);
    job.done = this.walk(guild, state, job).finally(() => this.running.delete(key));
    this.running.set(key, job);
  }

  private async walk(guild: Guild, state: ReindexState, job: ReindexJob): Promise<void> {
    const log = logger.child({ guildId: state.guildId, channelId: state.channelId });
    let resumedAt = Date.now();
    const account = (): void => {
      state.activeSeconds += (Date.now() - resumedAt) / 1000;
      resumedAt = Date.now();
    };
    try {
      while (state.queue.length > 0 && job.halt === undefined) {
        const channelId = state.queue[0]!;
        try {
          await this.walkChannel(guild, channelId, state, job, account);
        } catch (error) {
          // A thread that went away or was closed to the bot meanwhile is passed over; the named channel is not.
          if (channelId === state.channelId || !isAccessError(error)) throw error;
          log.warn({ err: error, threadId: channelId }, 'reindex passed over a thread it can no longer read');
        }
        if (job.halt !== undefined) break;
        state.queue.shift();
        state.walked++;
        state.before = undefined;
        state.newestAt = undefined;
        account();
        await this.save(state);
      }
      // A pause (shutdown) leaves the status `running`, so the walk resumes on the next start.
      if (job.halt === undefined) state.status = 'done';
      else if (job.halt === 'stop') state.status = 'stopped';
    } catch (error) {
      if (job.halt === 'pause' && isStoreUnavailable(error)) {
        // Stopping while the store is down gives back the images waiting for it: a pause, resumed on the next start.
        log.warn({ reason: (error as Error).message }, 'reindex paused with the store unavailable');
      } else {
        state.status = 'failed';
        state.error = isAccessError(error) ? 'reindex.failedAccess' : 'reindex.failedDiscord';
        log.error({ err: error }, 'reindex failed');
      }
    }
    account();
    try {
      await this.save(state);
    } catch (error) {
      // The walk resumes from what was saved last.
      log.warn({ reason: (error as Error).message }, 'could not save where the reindex stopped');
    }
    if (job.halt !== 'gone') await this.showProgress(job, state, true);
    log.info({ status: state.status, scanned: state.scanned, indexed: state.indexed }, 'reindex ended');
  }

  private async walkChannel(guild: Guild, channelId: string, state: ReindexState, job: ReindexJob, account: () => void): Promise<void> {
    const channel = await channelOf(guild, channelId);
    if (channel === undefined || !channel.isTextBased() || botReadBlockers(channel).length > 0) {
      throw new UnreadableChannelError(channelId);
    }
    for await (const page of pagesBackwards(channel, state.before)) {
      state.newestAt ??= SnowflakeUtil.timestampFrom(page[0]!.id);
      const queued = await this.indexPage(page, state, job);
      // Stopped inside the page, the walk continues with the first message it did not queue whole.
      if (queued > 0) state.before = page[queued - 1]!.id;
      account();
      await this.save(state);
      await this.showProgress(job, state, false);
      if (job.halt !== undefined) return;
    }
  }

  /**
   * Queues the images of a page, a few at a time (`imagesAhead`), and waits until they are in.
   * Returns how many of its messages were queued (all of them, unless the walk was asked to end).
   * The halt is seen before each message and cuts short every wait for room: a message cut into
   * is queued whole (at most 10 images), so a resumed walk neither misses nor counts twice any image.
   */
  private async indexPage(page: Message[], state: ReindexState, job: ReindexJob): Promise<number> {
    const halted = job.untilHalted();
    const ahead = new Set<Promise<void>>();
    const failures: unknown[] = [];
    const queueWhole = async (message: Message): Promise<boolean> => {
      if (job.halt !== undefined) return false;
      for (const image of await this.imagesToIndex(message)) {
        while (ahead.size >= this.parts.imagesAhead && job.halt === undefined) await Promise.race([...ahead, halted]);
        if (job.halt === undefined) await Promise.race([this.parts.ingest.waitForRoom(), halted]);
        // Never rejects (a failure is kept for after the page), so no rejection goes unhandled while the walk waits elsewhere.
        const tracked: Promise<void> = this.indexImage(image, state)
          .catch((error: unknown) => void failures.push(error))
          .finally(() => ahead.delete(tracked));
        ahead.add(tracked);
      }
      return true;
    };
    let queued = 0;
    try {
      for (const message of page) {
        if (!(await queueWhole(message))) break;
        state.scanned++;
        queued++;
      }
    } finally {
      await Promise.all(ahead);
    }
    if (failures.length > 0) throw failures[0];
    return queued;
  }

  private async indexImage(image: MessageImage, state: ReindexState): Promise<void> {
    const outcome = await this.parts.ingest.enqueue(image);
    if (outcome === 'already-indexed' || outcome === 'unchanged') state.skipped++;
    else if (outcome === 'failed') state.failed++;
    else state.indexed++;
    await this.parts.forgetting.unlessUnwanted(image.origin);
  }

  /** A message's images to index: none of the bot's own posts (search results show others' images) or of members who opted out. */
  private async imagesToIndex(message: Message): Promise<MessageImage[]> {
    if (message.author.id === message.client.user.id) return [];
    if (message.guildId !== null && (await this.parts.settings.hasOptedOut(message.guildId, message.author.id))) return [];
    return imagesOf(message, this.parts.cdnHosts);
  }

  /** Shows the progress in every view, at most every two seconds while running. */
  private async showProgress(job: ReindexJob, state: ReindexState, final: boolean): Promise<void> {
    if (!final && Date.now() - job.lastShown < PROGRESS_EVERY_MS) return;
    job.lastShown = Date.now();
    job.views = job.views.filter((view) => view.live);
    await Promise.all(job.views.map((view) => view.show(state, job.channelName)));
  }

  private async load(guildId: string, channelId: string): Promise<ReindexState | undefined> {
    const stored = await this.parts.walks.get(guildId, channelId);
    return stored === undefined ? undefined : upgrade(stored);
  }

  private async save(state: ReindexState): Promise<void> {
    // Of a server that removed the bot nothing is kept: its walk neither.
    if (this.running.get(jobKey(state.guildId, state.channelId))?.halt === 'gone') return;
    await this.parts.walks.set(state.guildId, state.channelId, state);
  }
}

/** A walk stored before walks covered threads is the walk of the channel alone. */
function upgrade(stored: ReindexState): ReindexState {
  if (Array.isArray(stored.queue)) return stored;
  return { ...stored, queue: stored.status === 'done' ? [] : [stored.channelId], walked: stored.status === 'done' ? 1 : 0 };
}

/** A channel of the guild, from the cache or (an archived thread) from Discord; undefined when it is gone. */
async function channelOf(guild: Guild, channelId: string): Promise<GuildBasedChannel | undefined> {
  const cached = guild.channels.cache.get(channelId);
  if (cached !== undefined) return cached;
  try {
    const fetched = await guild.client.channels.fetch(channelId);
    return fetched !== null && 'guildId' in fetched && fetched.guildId === guild.id ? fetched : undefined;
  } catch {
    return undefined;
  }
}

/** The walk cannot read a channel: it is gone, or the bot lacks a permission there. */
class UnreadableChannelError extends Error {
  constructor(channelId: string) {
    super(`channel ${channelId} is gone or unreadable`);
    this.name = 'UnreadableChannelError';
  }
}

const ACCESS_ERROR_CODES: ReadonlySet<number | string> = new Set([
  RESTJSONErrorCodes.MissingAccess,
  RESTJSONErrorCodes.MissingPermissions,
  RESTJSONErrorCodes.UnknownChannel,
]);

/** Something an admin can fix (or a channel that is gone), unlike a Discord outage. */
function isAccessError(error: unknown): boolean {
  return error instanceof UnreadableChannelError || (error instanceof DiscordAPIError && ACCESS_ERROR_CODES.has(error.code));
}

function jobKey(guildId: string, channelId: string): string {
  return `${guildId}/${channelId}`;
}
