import {
  ChannelType,
  PermissionFlagsBits,
  type Guild,
  type GuildBasedChannel,
  type GuildMember,
  type ThreadChannel,
} from 'discord.js';

const READ = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;

/**
 * The channels (and threads) among `channelIds` whose images `member` may see:
 * they can view the channel and read its history, a private thread also needs them
 * to be in it (or to manage threads), and an age-restricted channel's images are
 * shown only when the search itself runs in an age-restricted channel.
 * Evaluated on every search and every page, so a lost role takes effect at once.
 */
export async function readableChannelIds(
  member: GuildMember,
  channelIds: Iterable<string>,
  options: { searchedFromNsfw: boolean },
): Promise<Set<string>> {
  const readable = new Set<string>();
  await Promise.all(
    [...channelIds].map(async (channelId) => {
      const channel = await resolveChannel(member.guild, channelId);
      if (channel !== undefined && (await canRead(member, channel, options.searchedFromNsfw))) readable.add(channelId);
    }),
  );
  return readable;
}

export function isNsfwChannel(channel: GuildBasedChannel | null | undefined): boolean {
  if (channel === null || channel === undefined) return false;
  if (channel.isThread()) return channel.parent !== null && 'nsfw' in channel.parent && channel.parent.nsfw;
  return 'nsfw' in channel && channel.nsfw === true;
}

async function canRead(member: GuildMember, channel: GuildBasedChannel, searchedFromNsfw: boolean): Promise<boolean> {
  if (isNsfwChannel(channel) && !searchedFromNsfw) return false;
  if (channel.isThread()) {
    const parent = channel.parent;
    if (parent === null || !parent.permissionsFor(member).has(READ, true)) return false;
    if (channel.type === ChannelType.PrivateThread) return isInPrivateThread(member, channel);
    return true;
  }
  return channel.permissionsFor(member).has(READ, true);
}

async function isInPrivateThread(member: GuildMember, thread: ThreadChannel): Promise<boolean> {
  if (thread.parent?.permissionsFor(member).has(PermissionFlagsBits.ManageThreads, true)) return true;
  if (thread.members.cache.has(member.id)) return true;
  try {
    await thread.members.fetch({ member: member.id });
    return true;
  } catch {
    return false;
  }
}

async function resolveChannel(guild: Guild, channelId: string): Promise<GuildBasedChannel | undefined> {
  // discord.js files a channel named in a command option under the interaction's guild even
  // when it belongs to another guild, so the cache alone does not prove where a channel is.
  const cached = guild.channels.cache.get(channelId);
  if (cached !== undefined) return cached.guildId === guild.id ? cached : undefined;
  try {
    const fetched = await guild.client.channels.fetch(channelId);
    return fetched !== null && 'guild' in fetched && fetched.guild.id === guild.id ? (fetched as GuildBasedChannel) : undefined;
  } catch {
    return undefined;
  }
}
