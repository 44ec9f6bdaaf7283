import { InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { described } from '../messages/commandText.js';
import { messagesFor } from '../messages/messages.js';
import { plainText } from '../messages/plainText.js';
import { embedQueryImage } from '../results/imageQuery.js';
import { replyWithResults } from '../results/searchReply.js';

const DEFAULT_COUNT = 20;

export default {
  kind: 'slash',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.similar')
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((option) => described(option, 'commands.similar.image'))
    .addStringOption((option) => described(option, 'commands.similar.url').setMaxLength(2000))
    .addIntegerOption((option) => described(option, 'commands.similar.count').setMinValue(1).setMaxValue(25))
    .toJSON(),

  async execute(interaction, context) {
    const attachment = interaction.options.getAttachment('image');
    const url = interaction.options.getString('url')?.trim();
    if ((attachment === null) === (url === undefined || url === '')) throw new UserFacingError('similar.imageOrLink');
    const messages = messagesFor(interaction.locale);
    const vector =
      attachment !== null
        ? await embedQueryImage(attachment.url, context.cdnFetch, context, interaction.locale)
        : await embedQueryImage(url!, context.publicFetch, context, interaction.locale);
    const title =
      attachment !== null ? messages.text('similar.titleFile', { file: plainText(attachment.name) }) : messages.text('similar.titleLink');
    await replyWithResults(interaction, context, title, {
      kind: 'image',
      vector,
      limit: interaction.options.getInteger('count') ?? DEFAULT_COUNT,
    });
  },
} satisfies SlashCommand;
