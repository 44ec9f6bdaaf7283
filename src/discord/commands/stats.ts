import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { IngestFailure } from '../../ingest/ingestQueue.js';
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
    const other = context.library.statsOf(guildId).otherModel;
    // Failures are kept in the store, so the count survives restarts.
    const failed = (await context.store.getCursor<number>(guildId, 'failures')) ?? 0;
    const lastFailure = await context.store.getCursor<IngestFailure>(guildId, 'last-failure');
    const lines = [
      `**${total.toLocaleString('en-US')} images** indexed in this server`,
      ...perChannel.slice(0, 20).map(([channelId, count]) => `• <#${channelId}>: ${count.toLocaleString('en-US')}`),
      ...(perChannel.length > 20 ? [`• … and ${perChannel.length - 20} more channels`] : []),
      `Model: ${context.library.model.label} (${context.library.model.dimensions} dimensions)` +
        (other > 0 ? `; ${other} images from another model are left out until reindexed` : ''),
      `Store: ${context.store.backend}`,
      `Queue: ${context.ingest.depth} images waiting`,
      `Failed images: ${failed}` + (lastFailure === undefined ? '' : ` (last: ${lastFailure.reason})`),
    ];
    await interaction.editReply(lines.join('\n'));
  },
} satisfies SlashCommand;
