import type { APIEmbed } from 'discord.js';
import sharp from 'sharp';
import { componentMediaUrls } from '../../test/fake-discord/componentTree.js';
import type { ImageLookup, ShownImage } from './imageHtml.js';

/**
 * Every picture a recorded message shows, as data URLs the page can hold: its own files (`attachment://name`) from the
 * recorded bytes, other messages' files from the fake Discord's CDN. Nothing outside that CDN is fetched. Pictures are
 * scaled down to what the page can show, so the page and its screenshot stay small.
 */

/** Large enough to cover the biggest box the page draws (a one-item gallery row, 520 × 300). */
const LARGEST_BOX = { width: 520, height: 300 };

export interface MessageWithFiles {
  embeds: APIEmbed[];
  components: unknown[];
  attachments: Array<{ filename: string; contentType: string | null; data: Buffer }>;
}

export async function inlineImages(message: MessageWithFiles, cdnOrigin: string): Promise<ImageLookup> {
  const urls = new Set<string>([
    ...message.embeds.flatMap((e) => [e.image?.url, e.thumbnail?.url]).filter((url): url is string => url !== undefined),
    ...componentMediaUrls(message.components),
    ...message.attachments.map((a) => `attachment://${a.filename}`),
  ]);
  const shown = new Map<string, ShownImage>();
  for (const url of urls) {
    const bytes = url.startsWith('attachment://')
      ? message.attachments.find((a) => a.filename === url.slice('attachment://'.length))?.data
      : await fromCdn(url, cdnOrigin);
    const image = bytes ? await asShownImage(bytes) : undefined;
    if (image) shown.set(url, image);
  }
  return (url) => shown.get(url);
}

async function fromCdn(url: string, cdnOrigin: string): Promise<Buffer | undefined> {
  if (new URL(url).origin !== cdnOrigin) return undefined;
  const response = await fetch(url);
  return response.ok ? Buffer.from(await response.arrayBuffer()) : undefined;
}

/** Bytes that are not a picture (a text file, a broken upload) show as a placeholder. */
async function asShownImage(bytes: Buffer): Promise<ShownImage | undefined> {
  try {
    const { data, info } = await sharp(bytes)
      .rotate()
      .flatten({ background: '#2b2d31' })
      .resize({ ...LARGEST_BOX, fit: 'outside', withoutEnlargement: true })
      .jpeg({ quality: 82 })
      .toBuffer({ resolveWithObject: true });
    return { src: `data:image/jpeg;base64,${data.toString('base64')}`, width: info.width, height: info.height };
  } catch {
    return undefined;
  }
}
