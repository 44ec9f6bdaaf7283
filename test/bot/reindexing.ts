import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import type { BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postHistory, progressMessageIn, until, type SmallWorld } from './world.js';

/**
 * Running /reindex in end-to-end tests: a small world with a #bot-commands channel where the
 * admin runs it and its progress is posted (away from the walked channels), the command itself,
 * the route of the history pages it reads, and waiting for its progress message to say it ended.
 */

export interface CommandsWorld extends SmallWorld {
  /** Where the admin runs /reindex; its progress messages are posted here. */
  commandsChannelId: string;
}

export function buildCommandsWorld(discord: FakeDiscord): CommandsWorld {
  const world = buildSmallWorld(discord);
  return { ...world, commandsChannelId: discord.createChannel(world.guildId, { name: 'bot-commands' }).id };
}

/** The fake's path of a channel's history reads (not single-message reads or edits), to delay or fault them. */
export function historyRoute(channelId: string): RegExp {
  return new RegExp(`/channels/${channelId}/messages$`);
}

/** `/reindex channel:` by the admin in #bot-commands; `stop: true` stops a walk under way. */
export function runReindex(
  discord: FakeDiscord,
  world: CommandsWorld,
  channelId: string,
  options: { stop?: boolean } = {},
): Promise<InteractionReply> {
  return discord.invokeSlashCommand({
    channelId: world.commandsChannelId,
    userId: world.adminId,
    name: 'reindex',
    options: { channel: channelId, ...(options.stop === undefined ? {} : { stop: options.stop }) },
  });
}

/**
 * Waits for the progress message about #`channelName` to say the walk ended, finished or failed,
 * and returns its text. `after`: the progress message of an earlier walk, which does not count.
 */
export async function untilReindexEnded(
  discord: FakeDiscord,
  world: CommandsWorld,
  channelName: string,
  options: { after?: string; timeoutMs?: number } = {},
): Promise<string> {
  let text = '';
  await until(
    () => {
      const message = progressMessageIn(discord, world.commandsChannelId, channelName);
      text = message?.content ?? '';
      return message !== undefined && message.id !== options.after && /^(Finished reindexing|Reindexing failed)/.test(text);
    },
    `the reindex of #${channelName} to end`,
    options.timeoutMs ?? 120_000,
  );
  return text;
}

/** A new channel whose `count` messages were all posted before it was indexed, so only /reindex reads them; its images' ids, sorted. */
export async function channelWithHistory(
  harness: BotUnderTest,
  world: CommandsWorld,
  name: string,
  count: number,
): Promise<{ channelId: string; name: string; images: string[] }> {
  const channel = harness.discord.createChannel(world.guildId, { name });
  const images = await postHistory(harness.discord, channel.id, world.memberId, count);
  await indexChannel(harness, world, channel.id);
  return { channelId: channel.id, name, images: images.sort() };
}
