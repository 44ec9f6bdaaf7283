import { ChannelType, type NonThreadGuildBasedChannel } from 'discord.js';
import { isNsfwChannel, permissionSource, READ, type ServerChannel } from './channelRules.js';

/**
 * Whether everyone who can read `from` can also read `to`: may something derived from `to`
 * (a progress line, a shared image, a repost notice) be shown publicly in `from`?
 *
 * The bot does not have the member list (no Server Members intent), so it cannot compare two
 * audiences member by member. It answers true only when it can prove containment:
 * - the same channel, or `to` is a public thread of the channel `from` is in (or a thread of);
 * - or `to` is readable by every member: @everyone may view it and read its history, and no
 *   role or member overwrite takes either away from anyone.
 * Never when `to` is age-restricted and `from` is not, nor when `to` is a private thread other
 * than `from` (only Discord knows its members), nor across servers.
 */
export function audienceContains(from: ServerChannel, to: ServerChannel): boolean {
  if (from.guildId !== to.guildId) return false;
  if (isNsfwChannel(to) && !isNsfwChannel(from)) return false;
  if (from.id === to.id) return true;
  if (to.type === ChannelType.PrivateThread) return false;
  const target = permissionSource(to);
  // Whoever reads a thread reads its parent: the parent's readers are the larger audience to prove for.
  const origin = permissionSource(from);
  if (target === null || origin === null) return false;
  return origin.id === target.id || readableByEveryMember(target);
}

function readableByEveryMember(channel: NonThreadGuildBasedChannel): boolean {
  const everyone = channel.guild.roles.everyone;
  if (!channel.permissionsFor(everyone).has(READ)) return false;
  for (const overwrite of channel.permissionOverwrites.cache.values()) {
    if (overwrite.id !== everyone.id && overwrite.deny.any(READ)) return false;
  }
  return true;
}
