import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../interactions/command.js';
import { embedQueryImage } from '../results/imageQuery.js';
import { replyWithResults } from '../results/searchReply.js';
import { UserFacingError } from '../interactions/userFacingError.js';

export default {
  kind: 'slash',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('similar')
    .setDescription('Find images in this server that look like an image you give')
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) => option.setName('image').setDescription('An image to compare with'))
    .addStringOption((option) => option.setName('url').setDescription('Or a link to an image').setMaxLength(2000))
    .addIntegerOption((option) => option.setName('count').setDescription('How many results (1-25, default 20)').setMinValue(1).setMaxValue(25))
    .toJSON(),

  async execute(interaction, context) {
    const attachment = interaction.options.getAttachment('image');
    const url = interaction.options.getString('url')?.trim();
    if ((attachment === null) === (url === undefined || url === '')) {
      throw new UserFacingError('Give me either an image (the `image` option) or a link to one (the `url` option).');
    }
    const vector =
      attachment !== null
        ? await embedQueryImage(attachment.url, context.cdnFetch, context)
        : await embedQueryImage(url!, context.publicFetch, context);
    await replyWithResults(interaction, context, {
      kind: 'image',
      title: attachment !== null ? `Images like ${attachment.name}` : 'Images like the linked image',
      vector,
      limit: interaction.options.getInteger('count') ?? 20,
    });
  },
} satisfies SlashCommand;
