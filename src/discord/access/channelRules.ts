import {
  ChannelType,
  PermissionFlagsBits,
  type GuildBasedChannel,
  type GuildMember,
  type NonThreadGuildBasedChannel,
  type ThreadChannel,
} from 'discord.js';

/** Any channel of a server, threads included (discord.js types some threads outside GuildBasedChannel). */
export type ServerChannel = GuildBasedChannel | ThreadChannel;

/** Reading a channel's images means seeing it and reading its history. */
export const READ_PERMISSIONS = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
] as const;

export const READ = PermissionFlagsBits.ViewChannel | PermissionFlagsBits.ReadMessageHistory;

/** A thread's permissions are its parent's; every other channel's are its own. */
export function permissionSource(channel: ServerChannel): NonThreadGuildBasedChannel | null {
  return channel.isThread() ? channel.parent : (channel as NonThreadGuildBasedChannel);
}

export function isNsfwChannel(channel: ServerChannel | null | undefined): boolean {
  if (channel === null || channel === undefined) return false;
  const source = permissionSource(channel);
  return source !== null && 'nsfw' in source && source.nsfw;
}

/**
 * What the permissions alone say about a member having `needed` in a channel (READ to read
 * its images, View Channel to know it exists): a private thread also takes membership, which
 * only Discord knows for sure, unless the member manages threads.
 */
export function memberVerdict(member: GuildMember, channel: ServerChannel, needed: bigint): 'yes' | 'no' | 'if-thread-member' {
  const source = permissionSource(channel);
  if (source === null) return 'no';
  const permissions = source.permissionsFor(member);
  if (!permissions.has(needed, true)) return 'no';
  if (channel.type !== ChannelType.PrivateThread) return 'yes';
  return permissions.has(PermissionFlagsBits.ManageThreads, true) ? 'yes' : 'if-thread-member';
}

/**
 * What keeps the bot from reading a channel now, as the permissions to give it (empty when
 * it can read). The bot hears of its own roles, overwrites and thread membership through
 * the gateway, so its cached view is current.
 */
export function botReadBlockers(channel: ServerChannel): string[] {
  const me = channel.guild.members.me;
  const source = permissionSource(channel);
  if (me === null || source === null) return READ_PERMISSIONS.map(([name]) => name);
  const permissions = source.permissionsFor(me);
  const missing: string[] = READ_PERMISSIONS.filter(([, flag]) => !permissions.has(flag)).map(([name]) => name);
  if (
    missing.length === 0 &&
    channel.type === ChannelType.PrivateThread &&
    !channel.members.cache.has(me.id) &&
    !permissions.has(PermissionFlagsBits.ManageThreads)
  ) {
    missing.push('Manage Threads (or add me to the thread)');
  }
  return missing;
}
