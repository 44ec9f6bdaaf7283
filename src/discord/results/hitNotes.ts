import type { Messages } from '../messages/messages.js';
import type { ResultGroup } from './hitSearch.js';
import { jumpLink } from './resultLine.js';

/**
 * A note under one result on a gallery page ("posted 3 times: …"), or nothing. Features add
 * notes to the list the bot is built with; the page layout does not change for them.
 */
export type HitNote = (group: ResultGroup, messages: Messages) => string | undefined;

/** At most this many links to copies per result: a page's text is limited (4000 characters). */
const COPY_LINKS = 5;

/** The same image posted more than once: how often, with a link to each copy the member can read. */
export const postedTimes: HitNote = (group, messages) => {
  const count = group.hits.length;
  if (count < 2) return undefined;
  const links = group.hits.slice(0, COPY_LINKS).map((hit, i) => `[${i + 1}](${jumpLink(hit.image)})`);
  const more = count > COPY_LINKS ? ` ${messages.text('results.moreCopies', { count: count - COPY_LINKS })}` : '';
  return `${messages.text('results.postedTimes', { count })}: ${links.join(' ')}${more}`;
};

export const DEFAULT_NOTES: readonly HitNote[] = [postedTimes];
