import { DiscordAPIError, RESTJSONErrorCodes, type Client, type GuildTextBasedChannel, type Message } from 'discord.js';
import type { IngestQueue } from '../ingest/ingestQueue.js';
import { logger } from '../logger.js';
import type { ImageStore } from '../search/imageStore.js';
import { pagesBackwards, snowflakeTime } from './channelHistory.js';
import { imagesOf } from './messageImages.js';
import { reindexProgressText } from './reindexProgressText.js';

export interface ReindexState {
  guildId: string;
  channelId: string;
  status: 'running' | 'stopped' | 'done' | 'failed';
  /** The oldest message fully handled; the walk continues below it. */
  before: string | undefined;
  /** The newest message when the walk began; progress is measured between it and the channel's creation. */
  newestAt: number | undefined;
  scanned: number;
  indexed: number;
  skipped: number;
  failed: number;
  startedAt: number;
  /** Seconds spent walking, across restarts (for the rate). */
  activeSeconds: number;
  progressMessage: { channelId: string; messageId: string } | undefined;
  error?: string;
}

const STATE_PREFIX = 'reindex:';
const PROGRESS_EVERY_MS = 2000;

export interface ReindexParts {
  store: ImageStore;
  ingest: IngestQueue;
  cdnHosts: readonly string[];
}

/**
 * `/reindex`: walks a channel's history newest to oldest, 100 messages a request,
 * queueing every image not yet indexed. Its state (cursor and counts) is stored after
 * every page, so a restart resumes where it was, and `/reindex stop` ends it cleanly.
 */
export class ReindexJobs {
  private readonly running = new Map<string, Job>();

  constructor(private readonly parts: ReindexParts) {}

  isRunning(guildId: string, channelId: string): boolean {
    return this.running.has(jobKey(guildId, channelId));
  }

  /** Starts (or restarts from where it stopped) the walk of one channel. */
  async start(
    channel: GuildTextBasedChannel,
    progressChannel: GuildTextBasedChannel | undefined,
  ): Promise<{ state: ReindexState; resumed: boolean }> {
    const previous = await this.load(channel.guildId, channel.id);
    const resumed = previous !== undefined && previous.status !== 'done';
    const state: ReindexState =
      resumed && previous !== undefined
        ? { ...previous, status: 'running', error: undefined }
        : {
            guildId: channel.guildId,
            channelId: channel.id,
            status: 'running',
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
    if (progressChannel !== undefined) {
      const message = await progressChannel.send(reindexProgressText(state, channel.name)).catch(() => undefined);
      if (message !== undefined) state.progressMessage = { channelId: message.channelId, messageId: message.id };
    }
    await this.save(state);
    this.launch(channel, state);
    return { state, resumed };
  }

  /** Asks a running walk to stop after its current page; resolves when it has. */
  async stop(guildId: string, channelId: string): Promise<ReindexState | undefined> {
    const job = this.running.get(jobKey(guildId, channelId));
    if (job === undefined) return undefined;
    job.halt = 'stop';
    await job.done;
    return this.load(guildId, channelId);
  }

  /** After a restart: continues every walk that was running when the bot stopped. */
  async resumeAll(client: Client): Promise<void> {
    for (const guild of client.guilds.cache.values()) {
      for (const state of await this.states(guild.id)) {
        // An admin's /reindex during the catch-up before this may have resumed it already.
        if (state.status !== 'running' || this.isRunning(guild.id, state.channelId)) continue;
        const channel = guild.channels.cache.get(state.channelId);
        if (channel === undefined || !channel.isTextBased()) continue;
        logger.info({ guildId: guild.id, channelId: channel.id, scanned: state.scanned }, 'resuming reindex');
        this.launch(channel, state);
      }
    }
  }

  /** Stops every walk at a page boundary (shutdown); their state says running, so they resume. */
  async pauseAll(): Promise<void> {
    for (const job of this.running.values()) job.halt = 'pause';
    await Promise.allSettled([...this.running.values()].map((job) => job.done));
  }

  async states(guildId: string): Promise<ReindexState[]> {
    const index = (await this.parts.store.getCursor<string[]>(guildId, `${STATE_PREFIX}channels`)) ?? [];
    const states = await Promise.all(index.map((channelId) => this.load(guildId, channelId)));
    return states.filter((state): state is ReindexState => state !== undefined);
  }

  private launch(channel: GuildTextBasedChannel, state: ReindexState): void {
    const key = jobKey(channel.guildId, channel.id);
    const job: Job = { halt: undefined, done: Promise.resolve() };
    job.done = this.walk(channel, state, job).finally(() => this.running.delete(key));
    this.running.set(key, job);
  }

  private async walk(channel: GuildTextBasedChannel, state: ReindexState, job: Job): Promise<void> {
    const log = logger.child({ guildId: channel.guildId, channelId: channel.id });
    const progress = new ProgressMessage(channel.client, state, channel.name);
    let resumedAt = Date.now();
    const account = (): void => {
      state.activeSeconds += (Date.now() - resumedAt) / 1000;
      resumedAt = Date.now();
    };
    try {
      for await (const page of pagesBackwards(channel, state.before)) {
        state.newestAt ??= snowflakeTime(page[0]!.id);
        await this.indexPage(page, state);
        state.before = page.at(-1)!.id;
        account();
        await this.save(state);
        await progress.update(false);
        if (job.halt !== undefined) break;
      }
      // A pause (shutdown) leaves the status `running`, so the walk resumes on the next start.
      if (job.halt === undefined) state.status = 'done';
      else if (job.halt === 'stop') state.status = 'stopped';
    } catch (error) {
      state.status = 'failed';
      state.error = isAccessError(error)
        ? "Discord did not let me read this channel's history; check that I have View Channel and Read Message History there, then run /reindex again."
        : 'Reading the history from Discord failed; run /reindex again to continue from where it stopped.';
      log.error({ err: error }, 'reindex failed');
    }
    account();
    await this.save(state);
    await progress.update(true);
    log.info({ status: state.status, scanned: state.scanned, indexed: state.indexed }, 'reindex ended');
  }

  private async indexPage(page: Message[], state: ReindexState): Promise<void> {
    const outcomes: Promise<void>[] = [];
    for (const message of page) {
      state.scanned++;
      // The bot's own posts (search results) show other messages' images: indexing them would duplicate those.
      if (message.author.id === message.client.user.id) continue;
      for (const image of imagesOf(message, this.parts.cdnHosts)) {
        await this.parts.ingest.waitForRoom();
        outcomes.push(
          this.parts.ingest.enqueue({ origin: image.origin, url: image.url }).then((outcome) => {
            if (outcome === 'already-indexed' || outcome === 'unchanged') state.skipped++;
            else if (outcome === 'failed') state.failed++;
            else state.indexed++;
          }),
        );
      }
    }
    await Promise.all(outcomes);
  }

  private async load(guildId: string, channelId: string): Promise<ReindexState | undefined> {
    return this.parts.store.getCursor<ReindexState>(guildId, `${STATE_PREFIX}${channelId}`);
  }

  private async save(state: ReindexState): Promise<void> {
    const indexKey = `${STATE_PREFIX}channels`;
    const index = (await this.parts.store.getCursor<string[]>(state.guildId, indexKey)) ?? [];
    if (!index.includes(state.channelId)) await this.parts.store.setCursor(state.guildId, indexKey, [...index, state.channelId]);
    await this.parts.store.setCursor(state.guildId, `${STATE_PREFIX}${state.channelId}`, state);
  }
}

interface Job {
  /** Set to end the walk after its current page: `stop` for good, `pause` to resume on restart. */
  halt: 'stop' | 'pause' | undefined;
  done: Promise<void>;
}

/** Missing Access or Missing Permissions: something an admin can fix, unlike a Discord outage. */
function isAccessError(error: unknown): boolean {
  return error instanceof DiscordAPIError && (error.code === RESTJSONErrorCodes.MissingAccess || error.code === RESTJSONErrorCodes.MissingPermissions);
}

function jobKey(guildId: string, channelId: string): string {
  return `${guildId}/${channelId}`;
}

/** The one live progress message of a walk, edited at most every two seconds. */
class ProgressMessage {
  private lastEdit = 0;

  constructor(
    private readonly client: Client,
    private readonly state: ReindexState,
    private readonly channelName: string,
  ) {}

  async update(final: boolean): Promise<void> {
    const target = this.state.progressMessage;
    if (target === undefined || (!final && Date.now() - this.lastEdit < PROGRESS_EVERY_MS)) return;
    this.lastEdit = Date.now();
    try {
      const channel = await this.client.channels.fetch(target.channelId);
      if (channel?.isTextBased()) {
        await channel.messages.edit(target.messageId, reindexProgressText(this.state, this.channelName));
      }
    } catch (error) {
      logger.debug({ err: error, guildId: this.state.guildId }, 'could not edit the reindex progress message');
    }
  }
}
