import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { SlashCommand } from '../interactions/command.js';

const LISTED_CHANNELS = 20;

export default {
  kind: 'slash',
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('stats')
    .setDescription('What the image index of this server holds')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const { guildId, member } = interaction;
    const perChannel = context.library.imagesPerChannel(guildId);
    const admin = member.permissions.has(PermissionFlagsBits.ManageGuild);
    // A member learns nothing (names, counts, totals) of channels they cannot read.
    const listed = await context.access.overviewChannels(member, perChannel, { nsfwAllowed: isNsfwChannel(interaction.channel) });
    const counts = [...listed].map((channelId) => [channelId, perChannel.get(channelId) ?? 0] as const).sort((a, b) => b[1] - a[1]);
    const total = counts.reduce((sum, [, count]) => sum + count, 0);
    // Counted over the whole server, so only admins see it (it could count hidden channels' images).
    const other = admin ? context.library.statsOf(guildId).otherModel : 0;
    const lines = [
      `**${total.toLocaleString('en-US')} images** indexed ${admin ? 'in this server' : 'in the channels you can read'}`,
      ...counts.slice(0, LISTED_CHANNELS).map(([channelId, count]) => `• <#${channelId}>: ${count.toLocaleString('en-US')}`),
      ...(counts.length > LISTED_CHANNELS ? [`• … and ${counts.length - LISTED_CHANNELS} more channels`] : []),
      `Model: ${context.library.model.label} (${context.library.model.dimensions} dimensions)` +
        (other > 0 ? `; ${other} images from another model are left out until reindexed` : ''),
    ];
    if (admin) {
      // Failures are kept in the store, so the count survives restarts. They may come from any channel: admins only.
      const { count: failed, last: lastFailure } = await context.guildState.failures(guildId);
      lines.push(
        `Store: ${context.store.backend}`,
        `Queue: ${context.ingest.depthOf(guildId)} images of this server waiting`,
        `Failed images: ${failed}` + (lastFailure === undefined ? '' : ` (last: ${lastFailure.reason})`),
      );
    }
    await interaction.editReply(lines.join('\n'));
  },
} satisfies SlashCommand;
