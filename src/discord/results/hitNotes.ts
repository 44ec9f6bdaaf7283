import type { Messages } from '../messages/messages.js';
import { asCode } from '../messages/userText.js';
import type { ResultGroup, ResultHit } from './hitSearch.js';
import { jumpLink } from './resultLine.js';

/**
 * A note under one result on a gallery page ("posted 3 times: …"), or nothing. Features add
 * notes to the list the bot is built with; the page layout does not change for them.
 */
export type HitNote = (group: ResultGroup, messages: Messages) => string | undefined;

/** At most this many links to copies per result: a page's text is limited (4000 characters). */
const COPY_LINKS = 5;
/** At most this many links to near-copies per result. */
const NEAR_COPY_LINKS = 3;
/** At most this many matched words per result. */
const SHOWN_WORDS = 6;

/** Numbered links to hits, and "and N more" past `shown`. */
function links(hits: readonly ResultHit[], shown: number, messages: Messages): string {
  const numbered = hits.slice(0, shown).map((hit, i) => `[${i + 1}](${jumpLink(hit.image)})`);
  const more = hits.length > shown ? ` ${messages.text('results.moreCopies', { count: hits.length - shown })}` : '';
  return `${numbered.join(' ')}${more}`;
}

/** The same image posted more than once: how often, with a link to each copy the member can read. */
export const postedTimes: HitNote = (group, messages) => {
  const count = group.hits.length;
  if (count < 2) return undefined;
  return `${messages.text('results.postedTimes', { count })}: ${links(group.hits, COPY_LINKS, messages)}`;
};

/** A result found by its words: which of its words matched (user content, so set as code). */
export const matchedWords: HitNote = (group, messages) => {
  const words = (group.hits[0]!.matchedWords ?? []).slice(0, SHOWN_WORDS).flatMap((word) => asCode(word) ?? []);
  return words.length === 0 ? undefined : messages.text('results.matchedWords', { words: messages.list(words) });
};

/** Near-copies of this image that ranked lower (re-saved, cropped, framed…), folded into it. */
export const nearCopies: HitNote = (group, messages) => {
  const copies = group.nearCopies ?? [];
  if (copies.length === 0) return undefined;
  return `${messages.text('results.nearCopies', { count: copies.length })}: ${links(copies, NEAR_COPY_LINKS, messages)}`;
};

/** `/reposts list`: the earlier post this image repeats. */
export const repostOf: HitNote = (group, messages) => {
  const earlier = group.repostOf?.image;
  if (earlier === undefined) return undefined;
  return messages.text('results.repostOf', {
    link: jumpLink(earlier),
    channel: `<#${earlier.channelId}>`,
    date: `<t:${Math.floor(earlier.createdAt / 1000)}:d>`,
  });
};

export const DEFAULT_NOTES: readonly HitNote[] = [repostOf, postedTimes, nearCopies, matchedWords];
