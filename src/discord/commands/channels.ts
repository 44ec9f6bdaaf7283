import { ChannelType, InteractionContextType, PermissionFlagsBits, PermissionsBitField, SlashCommandBuilder, type Guild } from 'discord.js';
import { botReadBlockers } from '../access/memberAccess.js';
import type { SlashCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { described } from '../messages/commandText.js';
import { messagesFor, type Messages } from '../messages/messages.js';
import { permissionsText } from '../messages/permissionNames.js';

const INDEXABLE = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia] as const;

export default {
  kind: 'slash',
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.channels')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) =>
      described(sub, 'commands.channels.add').addChannelOption((option) =>
        described(option, 'commands.channels.channel')
          .setRequired(true)
          .addChannelTypes(...INDEXABLE),
      ),
    )
    .addSubcommand((sub) =>
      described(sub, 'commands.channels.remove').addChannelOption((option) =>
        described(option, 'commands.channels.channel')
          .setRequired(true)
          .addChannelTypes(...INDEXABLE),
      ),
    )
    .addSubcommand((sub) => described(sub, 'commands.channels.list'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const { guildId } = interaction;
    const messages = messagesFor(interaction.locale);
    const { settings } = context.guildState;
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === 'list') {
      await interaction.editReply(listText(interaction.guild, await settings.indexedChannels(guildId), messages));
      return;
    }
    const channel = await context.access.channelOption(interaction, 'channel', PermissionFlagsBits.ViewChannel);
    if (channel === undefined || channel === null) throw new UserFacingError('channels.noSuchChannel');
    const mention = `<#${channel.id}>`;
    if (subcommand === 'add') {
      if (!(INDEXABLE as readonly ChannelType[]).includes(channel.type)) throw new UserFacingError('channels.wrongType');
      const missing = botReadBlockers(channel);
      if (missing.length > 0)
        throw new UserFacingError('channels.cannotRead', { channel: mention, permissions: permissionsText(missing, messages) });
      const added = await settings.addChannel(guildId, channel.id);
      const lastMessageId = 'lastMessageId' in channel ? (channel.lastMessageId ?? null) : null;
      if (added) await context.live.startFromNow(guildId, channel.id, lastMessageId);
      await interaction.editReply(
        added
          ? messages.text('channels.added', { channel: mention, name: channel.name.replace(/`/g, '') })
          : messages.text('channels.alreadyIndexed', { channel: mention }),
      );
      return;
    }
    const removed = await settings.removeChannel(guildId, channel.id);
    await context.reindex.stop(guildId, channel.id);
    const forgotten = await context.live.forgetChannel(interaction.guild, channel.id);
    await interaction.editReply(
      removed || forgotten > 0
        ? messages.text('channels.removed', { channel: mention, count: forgotten })
        : messages.text('channels.notIndexed', { channel: mention }),
    );
  },
} satisfies SlashCommand;

/** Discord hides the command from others, but a server can override that: check anyway. */
export function requireManageGuild(permissions: Readonly<PermissionsBitField>): void {
  if (!permissions.has(PermissionFlagsBits.ManageGuild)) throw new UserFacingError('errors.needsManageServer');
}

/**
 * The indexed channels, each with what keeps the bot from reading it: while it cannot, its
 * images are left out of every result (they come back once it can), and deletions there
 * do not reach it.
 */
function listText(guild: Guild, indexed: ReadonlySet<string>, messages: Messages): string {
  if (indexed.size === 0) return messages.text('channels.noneIndexed');
  const lines = [...indexed].map((channelId) => {
    const channel = guild.channels.cache.get(channelId);
    const mention = `<#${channelId}>`;
    if (channel === undefined || channel.guildId !== guild.id) return `• ${messages.text('channels.listGone', { channel: mention })}`;
    const missing = botReadBlockers(channel);
    return missing.length === 0
      ? `• ${mention}`
      : `• ${messages.text('channels.listUnreadable', { channel: mention, permissions: permissionsText(missing, messages) })}`;
  });
  return [messages.text('channels.listHeader'), ...lines].join('\n');
}
