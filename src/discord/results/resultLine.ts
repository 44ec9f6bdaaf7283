import type { ImageInfo } from '../../library/imageLibrary.js';
import type { Messages } from '../messages/messages.js';
import type { HitNote } from './hitNotes.js';
import type { ResultGroup } from './hitSearch.js';
import { relevanceText } from './relevance.js';

export function jumpLink(image: Pick<ImageInfo, 'collection' | 'channelId' | 'messageId'>): string {
  return `https://discord.com/channels/${image.collection}/${image.channelId}/${image.messageId}`;
}

/** A result's line, and its notes joined (undefined when it has none). */
export interface ResultEntry {
  line: string;
  notes: string | undefined;
}

/**
 * One result in words: its number, how well it matches, who posted it where and when (Discord
 * draws the date in the reader's own format), a jump link; and its notes.
 */
export function resultEntry(
  number: number,
  group: ResultGroup,
  kind: 'text' | 'image',
  notes: readonly HitNote[],
  messages: Messages,
): ResultEntry {
  const { image, score, foundBy } = group.hits[0]!;
  const line = messages.text('results.line', {
    number,
    // Found by its words alone: how well its meaning matches says nothing of why it is here.
    relevance: foundBy === 'words' ? messages.text('relevance.words') : relevanceText(score, kind, messages),
    author: `<@${image.authorId}>`,
    channel: `<#${image.channelId}>`,
    date: `<t:${Math.floor(image.createdAt / 1000)}:d>`,
    link: jumpLink(image),
  });
  const said = notes.map((note) => note(group, messages)).filter((text) => text !== undefined);
  return { line, notes: said.length === 0 ? undefined : said.join(' · ') };
}

/** Entries as text: each line, its notes under it in small type. */
export function entriesText(entries: readonly ResultEntry[]): string {
  return entries.map(({ line, notes }) => (notes === undefined ? line : `${line}\n-# ${notes}`)).join('\n');
}

/** The file name of an image, from where it is stored (`…/sunset.jpg?…` → `sunset.jpg`). */
export function fileNameOf(image: Pick<ImageInfo, 'source'>): string {
  try {
    return decodeURIComponent(new URL(image.source).pathname.split('/').pop() ?? '') || 'image';
  } catch {
    return image.source.split(/[\\/]/).pop() || 'image';
  }
}
