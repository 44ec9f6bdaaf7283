import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { MessageMenuCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { imagesOf } from '../indexing/messageImages.js';
import { en } from '../messages/en.js';
import { localizations, messagesFor } from '../messages/messages.js';
import { plainText } from '../messages/plainText.js';
import { embedQueryImage } from '../results/imageQuery.js';
import { replyWithResults } from '../results/searchReply.js';

export default {
  kind: 'message-menu',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: new ContextMenuCommandBuilder()
    .setName(en['commands.findSimilarMenu.name'])
    .setNameLocalizations(localizations('commands.findSimilarMenu.name'))
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const target = interaction.targetMessage;
    const images = imagesOf(target, context.config.discord.cdnHosts).filter((image) => image.refusal === undefined);
    const first = images[0];
    if (first === undefined) {
      throw new UserFacingError(
        target.attachments.size > 0 || target.embeds.length > 0 ? 'similarMenu.noReadableImage' : 'similarMenu.noImage',
      );
    }
    const vector = await embedQueryImage(first.url, context.cdnFetch, context, interaction.locale);
    const messages = messagesFor(interaction.locale);
    const title =
      images.length > 1
        ? messages.text('similarMenu.titleOfMany', { link: target.url, count: images.length, file: plainText(first.filename) })
        : messages.text('similarMenu.title', { link: target.url });
    await replyWithResults(interaction, context, title, { kind: 'image', vector, limit: 20 });
  },
} satisfies MessageMenuCommand;
