import { ImageRejectedError } from '../../embed/imageErrors.js';
import { fetchImage, ImageFetchError, type FetchImageOptions } from '../../fetch/imageFetcher.js';
import type { BotContext } from '../botContext.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { messagesFor } from '../messages/messages.js';

/**
 * Turns an image a member handed us (an attachment or a pasted link) into a query
 * vector. Everything that can go wrong with their image becomes a message for them:
 * in English the engine's own precise sentence, in other languages what kind of problem it is.
 */
export async function embedQueryImage(
  url: string,
  fetchOptions: FetchImageOptions,
  context: BotContext,
  locale: string,
): Promise<Float32Array> {
  try {
    const { bytes } = await fetchImage(url, fetchOptions);
    return await context.library.model.embedImage(bytes);
  } catch (error) {
    if (!(error instanceof ImageFetchError || error instanceof ImageRejectedError)) throw error;
    const messages = messagesFor(locale);
    const reason = messages.language === 'en' ? error.message : messages.text(`imageProblem.${error.reason}`);
    throw new UserFacingError('image.unusable', { reason }).because(error);
  }
}
