import { ChannelType, InteractionContextType, PermissionFlagsBits, PermissionsBitField, SlashCommandBuilder, type Guild } from 'discord.js';
import { botReadBlockers } from '../access/memberAccess.js';
import type { SlashCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';

/** The one answer for a channel the invoker cannot see, of another server, or not there at all. */
export const NO_SUCH_CHANNEL = "I can't find that channel in this server.";

const INDEXABLE = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] as const;

export default {
  kind: 'slash',
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('channels')
    .setDescription('Choose which channels have their images indexed')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) =>
      sub
        .setName('add')
        .setDescription('Index images posted in a channel (and its threads)')
        .addChannelOption((option) => option.setName('channel').setDescription('The channel').setRequired(true).addChannelTypes(...INDEXABLE)),
    )
    .addSubcommand((sub) =>
      sub
        .setName('remove')
        .setDescription('Stop indexing a channel and forget its images')
        .addChannelOption((option) => option.setName('channel').setDescription('The channel').setRequired(true).addChannelTypes(...INDEXABLE)),
    )
    .addSubcommand((sub) => sub.setName('list').setDescription('Show the indexed channels'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const { guildId } = interaction;
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === 'list') {
      await interaction.editReply(listText(interaction.guild, await context.guildState.settings.indexedChannels(guildId)));
      return;
    }
    const channel = await context.access.channelOption(interaction, 'channel');
    if (channel === undefined || channel === null) throw new UserFacingError(NO_SUCH_CHANNEL);
    if (subcommand === 'add') {
      if (!(INDEXABLE as readonly ChannelType[]).includes(channel.type)) {
        throw new UserFacingError('Pick a text, announcement, forum or media channel: its threads are indexed with it.');
      }
      const missing = botReadBlockers(channel);
      if (missing.length > 0) {
        throw new UserFacingError(`I can't index <#${channel.id}>: I need ${missing.join(' and ')} there. Give my role those permissions and try again.`);
      }
      const added = await context.guildState.settings.addChannel(guildId, channel.id);
      const lastMessageId = 'lastMessageId' in channel ? (channel.lastMessageId ?? null) : null;
      if (added) await context.live.startFromNow(guildId, channel.id, lastMessageId);
      await interaction.editReply(
        added
          ? `Now indexing new images in <#${channel.id}> and its threads. Run \`/reindex channel:#${channel.name}\` to index its history too.`
          : `<#${channel.id}> is already indexed.`,
      );
      return;
    }
    const removed = await context.guildState.settings.removeChannel(guildId, channel.id);
    await context.reindex.stop(guildId, channel.id);
    const forgotten = await context.live.forgetChannel(interaction.guild, channel.id);
    await interaction.editReply(
      removed || forgotten > 0
        ? `Stopped indexing <#${channel.id}> and forgot its ${forgotten} image${forgotten === 1 ? '' : 's'}.`
        : `<#${channel.id}> was not indexed.`,
    );
  },
} satisfies SlashCommand;

/** Discord hides the command from others, but a server can override that: check anyway. */
export function requireManageGuild(permissions: Readonly<PermissionsBitField>): void {
  if (!permissions.has(PermissionFlagsBits.ManageGuild)) {
    throw new UserFacingError('Only members with the Manage Server permission can do this.');
  }
}

/**
 * The indexed channels, each with what keeps the bot from reading it: while it cannot, its
 * images are left out of every result (they come back once it can), and deletions there
 * do not reach it.
 */
function listText(guild: Guild, indexed: ReadonlySet<string>): string {
  if (indexed.size === 0) return 'No channels are indexed yet. Add one with `/channels add`.';
  const lines = [...indexed].map((channelId) => {
    const channel = guild.channels.cache.get(channelId);
    if (channel === undefined || channel.guildId !== guild.id) return `• <#${channelId}>: I can't find this channel any more; its images are forgotten once I confirm it was deleted.`;
    const missing = botReadBlockers(channel);
    return missing.length === 0
      ? `• <#${channelId}>`
      : `• <#${channelId}>: I can't read it now, so its images are left out of results. Give me ${missing.join(' and ')} there.`;
  });
  return ['Indexed channels (with their threads):', ...lines].join('\n');
}
