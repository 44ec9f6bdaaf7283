import { EmbedType, type Message, type PartialMessage } from 'discord.js';
import { ImageRejectedError } from '../../embed/imageErrors.js';
import type { ImageOrigin } from '../../library/imageLibrary.js';
import type { SurroundingWords } from '../../store/keywordDocument.js';
import { discordRecordId } from '../../store/imageRecord.js';

/** An image in a message that can be indexed: an attachment, or an image embed on Discord's CDN. */
export interface MessageImage {
  origin: ImageOrigin;
  url: string;
  filename: string;
  /** Size announced by Discord, when known (lets oversized files be refused unread). */
  size: number | undefined;
  /** Set when the image is not to be indexed: why (recorded as a failure, like any refusal). */
  refusal?: ImageRejectedError;
  /** The message's text, the file name and the alt text: indexed with the image, for search by words. */
  words: SurroundingWords;
}

/** SVGs are drawn, not decoded: drawing one can fetch other files and addresses, so they are never downloaded. */
const SVG_REFUSAL = ImageRejectedError.unsupportedFormat('SVG');

const IMAGE_NAME = /\.(jpe?g|png|gif|webp|avif|heic|heif|tiff?|bmp)$/i;
const SVG_NAME = /\.svgz?$/i;

export function imagesOf(message: Message | PartialMessage, cdnHosts: readonly string[]): MessageImage[] {
  if (message.guildId === null || message.author === null) return [];
  const base = {
    collection: message.guildId,
    channelId: message.channelId,
    messageId: message.id,
    authorId: message.author.id,
    createdAt: message.createdTimestamp,
  };
  const images: MessageImage[] = [];
  for (const attachment of message.attachments.values()) {
    const type = (attachment.contentType ?? '').split(';')[0]!.trim().toLowerCase();
    const svg = type === 'image/svg+xml' || (type === '' && SVG_NAME.test(attachment.name));
    const looksLikeImage = type.startsWith('image/') || (type === '' && IMAGE_NAME.test(attachment.name));
    if (!looksLikeImage && !svg) continue;
    images.push({
      origin: { ...base, id: discordRecordId(message.id, attachment.id), attachmentId: attachment.id, source: attachment.url },
      url: attachment.url,
      filename: attachment.name,
      size: attachment.size,
      words: { messageText: message.content ?? undefined, fileName: attachment.name, description: attachment.description ?? undefined },
      ...(svg ? { refusal: SVG_REFUSAL } : {}),
    });
  }
  message.embeds.forEach((embed, index) => {
    const url = embed.data.type === EmbedType.Image ? (embed.thumbnail?.url ?? embed.image?.url) : embed.image?.url;
    if (url === undefined || !isOnCdn(url, cdnHosts)) return;
    const attachmentId = `embed${index}`;
    const filename = new URL(url).pathname.split('/').pop() ?? 'image';
    images.push({
      origin: { ...base, id: discordRecordId(message.id, attachmentId), attachmentId, source: url },
      url,
      filename,
      size: undefined,
      words: { messageText: message.content ?? undefined, fileName: filename },
    });
  });
  return images;
}

/**
 * A message that shows nothing at all (no text, attachment or embed) is how Discord answers a
 * read without the Message Content intent: nothing may be concluded from what it lacks.
 */
export function showsNothing(message: Message | PartialMessage): boolean {
  return (message.content ?? '') === '' && message.attachments.size === 0 && message.embeds.length === 0;
}

export function isOnCdn(url: string, cdnHosts: readonly string[]): boolean {
  try {
    const parsed = new URL(url);
    return cdnHosts.includes(parsed.host.toLowerCase()) || cdnHosts.includes(parsed.hostname.toLowerCase());
  } catch {
    return false;
  }
}
