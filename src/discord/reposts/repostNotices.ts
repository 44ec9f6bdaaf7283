import { DiscordAPIError, RESTJSONErrorCodes, type GuildBasedChannel, type Message } from 'discord.js';
import type { ImageInfo } from '../../library/imageLibrary.js';
import { logger } from '../../logger.js';
import type { MemberAccess } from '../access/memberAccess.js';
import type { RepostAction, RepostHistory } from '../guildState/repostHistory.js';
import type { RepostActions } from '../guildState/repostPolicy.js';
import { messagesFor } from '../messages/messages.js';
import { jumpLink } from '../results/resultLine.js';

export const RECYCLE = '♻️';

/** What to tell about a repost: the new message, and the earlier posts of its (first) reposted image, earliest first. */
export interface Repost {
  message: Message<true>;
  earlier: readonly ImageInfo[];
}

/** At most this many earlier posts are weighed for a link (each may take a question to Discord). */
const LINK_CANDIDATES = 10;

/** Discord's answers that mean the bot lacks a permission there. */
const REFUSALS: ReadonlySet<number | string> = new Set([RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.MissingAccess]);

/**
 * Does what a watched channel asks when a repost arrives: reacts ♻️, replies, posts to the log
 * channel. Every notice is public, so it links only an earlier post that everyone who can read
 * where it is posted can read too (the access module decides); without one it says "posted
 * before" and links nothing. The log channel hears of a repost only when its readers can all
 * read the channel it was posted in. Nothing pings anyone. Each action that Discord refuses for
 * want of a permission is recorded once per channel (/reposts status shows it); any other
 * failure is logged, and the other actions still run.
 */
export class RepostNotices {
  constructor(
    private readonly access: MemberAccess,
    private readonly history: RepostHistory,
  ) {}

  async send(repost: Repost, actions: RepostActions, logChannelId: string | null): Promise<void> {
    const { message } = repost;
    if (actions.react) await this.attempt(message.guildId, message.channelId, 'react', () => message.react(RECYCLE));
    if (actions.reply) await this.attempt(message.guildId, message.channelId, 'reply', () => this.reply(repost));
    if (actions.log && logChannelId !== null) await this.log(repost, logChannelId);
  }

  private async reply({ message, earlier }: Repost): Promise<void> {
    const messages = messagesFor(message.guild.preferredLocale);
    const copy = await this.linkable(message.channel, earlier);
    const content =
      copy === undefined
        ? messages.text('reposts.notice.unlinked')
        : messages.text('reposts.notice.linked', { link: jumpLink(copy), date: `<t:${Math.floor(copy.createdAt / 1000)}:R>` });
    await message.reply({ content, allowedMentions: { parse: [], repliedUser: false } });
  }

  private async log({ message, earlier }: Repost, logChannelId: string): Promise<void> {
    const log = message.guild.channels.cache.get(logChannelId);
    // Deleted since it was chosen: /reposts status says so.
    if (log === undefined || !log.isTextBased()) return;
    // Its readers would learn of a post in a channel some of them cannot read: /reposts status says so.
    if (!(await this.access.mayShowPublicly(log, message.channelId))) return;
    const messages = messagesFor(message.guild.preferredLocale);
    const copy = await this.linkable(log, earlier);
    const about = { author: `<@${message.author.id}>`, channel: `<#${message.channelId}>`, link: message.url };
    const content =
      copy === undefined
        ? messages.text('reposts.log.unlinked', about)
        : messages.text('reposts.log.linked', { ...about, earlier: jumpLink(copy), date: `<t:${Math.floor(copy.createdAt / 1000)}:d>` });
    await this.attempt(message.guildId, log.id, 'log', () => log.send({ content, allowedMentions: { parse: [] } }));
  }

  /** The earliest of the earlier posts that everyone who can read `here` can read too. */
  private async linkable(here: GuildBasedChannel, earlier: readonly ImageInfo[]): Promise<ImageInfo | undefined> {
    for (const copy of earlier.slice(0, LINK_CANDIDATES)) {
      if (await this.access.mayShowPublicly(here, copy.channelId)) return copy;
    }
    return undefined;
  }

  private async attempt(guildId: string, channelId: string, action: RepostAction, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof DiscordAPIError && REFUSALS.has(error.code)) await this.history.refusedIn(guildId, channelId, action);
      else logger.warn({ err: error, guildId, channelId, action }, 'a repost notice failed');
      return;
    }
    await this.history.workedIn(guildId, channelId, action);
  }
}
