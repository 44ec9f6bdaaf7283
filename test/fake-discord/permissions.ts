import { ChannelType, PermissionFlagsBits as P } from 'discord.js';
import type { ChannelRecord, DiscordState } from './state.js';

/** Discord's permission algorithm (base from roles, then channel overwrites), used to decide what the bot may see. */

export const ALL_PERMISSIONS = Object.values(P).reduce((all, bit) => all | bit, 0n);

export function basePermissions(state: DiscordState, guildId: string, userId: string): bigint {
  const guild = state.guild(guildId);
  if (guild.ownerId === userId) return ALL_PERMISSIONS;
  const member = state.member(guildId, userId);
  let permissions = state.everyoneRole(guildId).permissions;
  for (const roleId of member?.roles ?? []) permissions |= state.roles.get(roleId)?.permissions ?? 0n;
  if (permissions & P.Administrator) return ALL_PERMISSIONS;
  return permissions;
}

/** Permissions of a user in a channel; threads take their parent's overwrites. */
export function channelPermissions(state: DiscordState, channel: ChannelRecord, userId: string): bigint {
  if (channel.guildId === null) {
    // A DM between the bot and its recipient: both may read and write there.
    return P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.AttachFiles | P.EmbedLinks;
  }
  const guildId = channel.guildId;
  const base = basePermissions(state, guildId, userId);
  if (base & P.Administrator || state.guild(guildId).ownerId === userId) return ALL_PERMISSIONS;
  const source = channel.thread && channel.parentId ? (state.channels.get(channel.parentId) ?? channel) : channel;
  let permissions = base;
  const everyone = source.overwrites.find((o) => o.id === guildId);
  if (everyone) permissions = (permissions & ~everyone.deny) | everyone.allow;
  const memberRoles = state.member(guildId, userId)?.roles ?? [];
  let roleAllow = 0n;
  let roleDeny = 0n;
  for (const overwrite of source.overwrites) {
    if (overwrite.type === 'role' && memberRoles.includes(overwrite.id)) {
      roleAllow |= overwrite.allow;
      roleDeny |= overwrite.deny;
    }
  }
  permissions = (permissions & ~roleDeny) | roleAllow;
  const own = source.overwrites.find((o) => o.type === 'member' && o.id === userId);
  if (own) permissions = (permissions & ~own.deny) | own.allow;
  // Implicit denials, as Discord applies them.
  if (!(permissions & P.ViewChannel)) return 0n;
  if (!(permissions & P.SendMessages)) {
    permissions &= ~(P.SendTTSMessages | P.MentionEveryone | P.EmbedLinks | P.AttachFiles);
  }
  if (channel.thread && channel.type === ChannelType.PrivateThread) {
    const member = channel.thread.members.has(userId);
    if (!member && !(permissions & P.ManageThreads)) return 0n;
  }
  return permissions;
}

export function can(state: DiscordState, channel: ChannelRecord, userId: string, ...bits: bigint[]): boolean {
  const permissions = channelPermissions(state, channel, userId);
  return bits.every((bit) => (permissions & bit) === bit);
}
