import { ApplicationCommandType, ContextMenuCommandBuilder, InteractionContextType } from 'discord.js';
import type { MessageMenuCommand } from '../interactions/command.js';
import { embedQueryImage } from '../results/imageQuery.js';
import { imagesOf } from '../indexing/messageImages.js';
import { replyWithResults } from '../results/searchReply.js';
import { UserFacingError } from '../interactions/userFacingError.js';

export default {
  kind: 'message-menu',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: new ContextMenuCommandBuilder()
    .setName('Find similar images')
    .setType(ApplicationCommandType.Message)
    .setContexts(InteractionContextType.Guild)
    .toJSON(),

  async execute(interaction, context) {
    const images = imagesOf(interaction.targetMessage, context.config.discord.cdnHosts).filter((image) => image.refusal === undefined);
    const first = images[0];
    if (first === undefined) {
      throw new UserFacingError(
        interaction.targetMessage.attachments.size > 0 || interaction.targetMessage.embeds.length > 0
          ? "That message has no image I can read (only images on Discord's CDN work)."
          : 'That message has no image. Use this on a message with an image attached.',
      );
    }
    const vector = await embedQueryImage(first.url, context.cdnFetch, context);
    const which = images.length > 1 ? ` (the first of its ${images.length} images, ${first.filename})` : '';
    await replyWithResults(interaction, context, {
      kind: 'image',
      title: `Images like the one in ${interaction.targetMessage.url}${which}`,
      vector,
      limit: 20,
    });
  },
} satisfies MessageMenuCommand;
