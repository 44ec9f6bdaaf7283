import { ImageRejectedError } from '../../embed/imageErrors.js';
import { fetchImage, ImageFetchError, type FetchImageOptions } from '../../fetch/imageFetcher.js';
import type { BotContext } from '../botContext.js';
import { UserFacingError } from '../interactions/userFacingError.js';

/**
 * Turns an image a member handed us (an attachment or a pasted link) into a query
 * vector. Everything that can go wrong with their image becomes a message for them.
 */
export async function embedQueryImage(url: string, fetchOptions: FetchImageOptions, context: BotContext): Promise<Float32Array> {
  try {
    const { bytes } = await fetchImage(url, fetchOptions);
    return await context.library.model.embedImage(bytes);
  } catch (error) {
    if (error instanceof ImageFetchError || error instanceof ImageRejectedError) {
      throw new UserFacingError(`I couldn't use that image: ${error.message}`, { cause: error });
    }
    throw error;
  }
}
