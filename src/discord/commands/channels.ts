import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  PermissionsBitField,
  SlashCommandBuilder,
  type GuildBasedChannel,
} from 'discord.js';
import type { SlashCommand } from '../command.js';
import { UserFacingError } from '../userFacingError.js';

const NEEDED = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
] as const;

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
      const indexed = [...(await context.settings.indexedChannels(guildId))];
      await interaction.editReply(
        indexed.length === 0
          ? 'No channels are indexed yet. Add one with `/channels add`.'
          : `Indexed channels (with their threads): ${indexed.map((id) => `<#${id}>`).join(', ')}`,
      );
      return;
    }
    const channel = interaction.options.getChannel('channel', true) as GuildBasedChannel;
    if (subcommand === 'add') {
      const missing = missingBotPermissions(channel);
      if (missing.length > 0) {
        throw new UserFacingError(`I can't index <#${channel.id}>: I need ${missing.join(' and ')} there. Give my role those permissions and try again.`);
      }
      const added = await context.settings.addChannel(guildId, channel.id);
      const lastMessageId = 'lastMessageId' in channel ? (channel.lastMessageId ?? null) : null;
      if (added) await context.live.startFromNow(guildId, channel.id, lastMessageId);
      await interaction.editReply(
        added
          ? `Now indexing new images in <#${channel.id}> and its threads. Run \`/reindex channel:#${channel.name}\` to index its history too.`
          : `<#${channel.id}> is already indexed.`,
      );
      return;
    }
    const removed = await context.settings.removeChannel(guildId, channel.id);
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

function missingBotPermissions(channel: GuildBasedChannel): string[] {
  const me = channel.guild.members.me;
  if (me === null) return NEEDED.map(([name]) => name);
  const permissions = channel.permissionsFor(me);
  return NEEDED.filter(([, flag]) => !permissions.has(flag)).map(([name]) => name);
}
