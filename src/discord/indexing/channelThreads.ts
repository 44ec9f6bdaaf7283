import {
  ChannelType,
  PermissionFlagsBits,
  type FetchedThreads,
  type FetchedThreadsMore,
  type GuildBasedChannel,
  type ThreadChannel,
} from 'discord.js';
import { logger } from '../../logger.js';
import { botReadBlockers } from '../access/memberAccess.js';

export interface WalkableThreads {
  threads: ThreadChannel[];
  /** Archived private threads the bot was not added to were left out (the /reindex reply says how to include them). */
  privateThreadsLeftOut: boolean;
}

/**
 * The threads of a channel whose history the bot can read: the active ones it knows, then
 * the archived ones page by page. A forum or media channel's posts are its threads. Archived
 * private threads are listed only with Manage Threads; without it, only those the bot was
 * added to, and `privateThreadsLeftOut` says so.
 */
export async function walkableThreads(channel: GuildBasedChannel): Promise<WalkableThreads> {
  const { threads, privateThreadsLeftOut } = await listThreads(channel);
  return { threads: threads.filter((thread) => botReadBlockers(thread).length === 0), privateThreadsLeftOut };
}

/**
 * Every thread of a channel the bot can find, readable now or not: after a restart discord.js
 * knows only the active ones, so forgetting a channel's threads means listing the archived too.
 */
export async function threadsOf(channel: GuildBasedChannel): Promise<ThreadChannel[]> {
  return (await listThreads(channel)).threads;
}

async function listThreads(channel: GuildBasedChannel): Promise<{ threads: ThreadChannel[]; privateThreadsLeftOut: boolean }> {
  const threads = new Map<string, ThreadChannel>();
  for (const cached of channel.guild.channels.cache.values()) {
    if (cached.isThread() && cached.parentId === channel.id) threads.set(cached.id, cached);
  }
  let privateThreadsLeftOut = false;
  if ('threads' in channel) {
    const manager = channel.threads;
    const add = (page: FetchedThreads | FetchedThreadsMore) => {
      for (const thread of page.threads.values()) threads.set(thread.id, thread);
    };
    await everyPage((before) => manager.fetchArchived({ type: 'public', ...before }), add, channel);
    const hasPrivateThreads = channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement;
    if (hasPrivateThreads) {
      const me = channel.guild.members.me;
      const managesThreads = me !== null && channel.permissionsFor(me).has(PermissionFlagsBits.ManageThreads);
      await everyPage((before) => manager.fetchArchived({ type: 'private', fetchAll: managesThreads, ...before }), add, channel);
      privateThreadsLeftOut = !managesThreads;
    }
  }
  return { threads: [...threads.values()], privateThreadsLeftOut };
}

/** Follows an archived-thread listing to its end (Discord hands it out 50 threads at a time). */
async function everyPage(
  fetch: (before: { before?: ThreadChannel }) => Promise<FetchedThreadsMore>,
  add: (page: FetchedThreadsMore) => void,
  channel: GuildBasedChannel,
): Promise<void> {
  let before: ThreadChannel | undefined;
  try {
    for (;;) {
      const page = await fetch(before === undefined ? {} : { before });
      add(page);
      before = page.threads.last();
      if (!page.hasMore || before === undefined) return;
    }
  } catch (error) {
    // Without Read Message History (or Manage Threads) the listing is refused: the threads known so far are walked.
    logger.debug({ err: error, guildId: channel.guildId, channelId: channel.id }, 'could not list archived threads');
  }
}
