import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../command.js';

export default {
  kind: 'slash',
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('stats')
    .setDescription('What the image index of this server holds')
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const { guildId } = interaction;
    const perChannel = [...context.library.imagesPerChannel(guildId)].sort((a, b) => b[1] - a[1]);
    const total = perChannel.reduce((sum, [, count]) => sum + count, 0);
    const other = context.library.otherModelImages(guildId).length;
    const failures = context.ingest.failures(guildId);
    const lines = [
      `**${total.toLocaleString('en-US')} images** indexed in this server`,
      ...perChannel.slice(0, 20).map(([channelId, count]) => `• <#${channelId}>: ${count.toLocaleString('en-US')}`),
      ...(perChannel.length > 20 ? [`• … and ${perChannel.length - 20} more channels`] : []),
      `Model: ${context.library.model.id} (${context.library.model.dimensions} dimensions)` +
        (other > 0 ? `; ${other} images from another model are left out until reindexed` : ''),
      `Store: ${context.store.backend}`,
      `Queue: ${context.ingest.depth} images waiting`,
      `Failed images: ${failures.count}` + (failures.recent[0] === undefined ? '' : ` (last: ${failures.recent[0].reason})`),
    ];
    await interaction.editReply(lines.join('\n'));
  },
} satisfies SlashCommand;
