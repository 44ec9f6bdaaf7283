import { DiscordAPIError, RESTJSONErrorCodes, type Client } from 'discord.js';
import { logger } from '../logger.js';
import type { ImageLibrary, SearchHit } from '../search/imageLibrary.js';

/** A hit ready to show: its image at a URL that works now. */
export interface ShownHit {
  hit: SearchHit;
  url: string;
}

/**
 * Discord's attachment URLs are signed and expire, so stored URLs go stale. Before a
 * page is shown each hit's message is read again: that yields a fresh URL, and a
 * message that no longer exists is dropped from the page and purged from the index.
 * When a message cannot be read for another reason, the stored URL is refreshed
 * through Discord's refresh-urls endpoint instead.
 */
export async function freshMedia(client: Client, library: ImageLibrary, hits: readonly SearchHit[]): Promise<ShownHit[]> {
  const resolved = await Promise.all(hits.map((hit) => currentUrl(client, hit)));
  const deleted = hits.filter((_, i) => resolved[i] === 'deleted');
  if (deleted.length > 0) {
    const collection = deleted[0]!.image.collection;
    await library.remove(collection, deleted.map((hit) => hit.image.id));
    logger.info({ guildId: collection, purged: deleted.length }, 'purged results whose messages were deleted');
  }
  const stale = hits.filter((_, i) => resolved[i] === 'unknown').map((hit) => hit.image.source);
  const refreshed = stale.length > 0 ? await refreshUrls(client, stale) : new Map<string, string>();
  return hits.flatMap((hit, i): ShownHit[] => {
    const url = resolved[i];
    if (url === 'deleted') return [];
    if (url === 'unknown') return [{ hit, url: refreshed.get(hit.image.source) ?? hit.image.source }];
    return [{ hit, url: url! }];
  });
}

async function currentUrl(client: Client, hit: SearchHit): Promise<string | 'deleted' | 'unknown'> {
  const { channelId, messageId, attachmentId } = hit.image;
  try {
    const channel = await client.channels.fetch(channelId);
    if (channel === null || !channel.isTextBased()) return 'deleted';
    const message = await channel.messages.fetch({ message: messageId, force: true, cache: false });
    const attachment = message.attachments.get(attachmentId);
    if (attachment !== undefined) return attachment.url;
    const embedIndex = /^embed(\d+)$/.exec(attachmentId)?.[1];
    const embed = embedIndex === undefined ? undefined : message.embeds[Number(embedIndex)];
    const embedUrl = embed?.image?.url ?? embed?.thumbnail?.url;
    // The message exists but the image was edited out of it.
    return embedUrl ?? 'deleted';
  } catch (error) {
    if (error instanceof DiscordAPIError && isGone(error.code)) return 'deleted';
    logger.debug({ err: error, channelId, messageId }, 'could not re-read a result message');
    return 'unknown';
  }
}

function isGone(code: number | string): boolean {
  return code === RESTJSONErrorCodes.UnknownMessage || code === RESTJSONErrorCodes.UnknownChannel;
}

async function refreshUrls(client: Client, urls: string[]): Promise<Map<string, string>> {
  try {
    const response = (await client.rest.post('/attachments/refresh-urls', { body: { attachment_urls: urls } })) as {
      refreshed_urls?: Array<{ original: string; refreshed: string }>;
    };
    return new Map((response.refreshed_urls ?? []).map((entry) => [entry.original, entry.refreshed]));
  } catch (error) {
    logger.warn({ err: error }, 'could not refresh attachment URLs');
    return new Map();
  }
}
