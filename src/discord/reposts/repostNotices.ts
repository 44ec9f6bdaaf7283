import { DiscordAPIError, RESTJSONErrorCodes, type GuildBasedChannel, type Message } from 'discord.js';
import type { ImageInfo } from '../../library/imageLibrary.js';
import { logger } from '../../logger.js';
import type { MemberAccess } from '../access/memberAccess.js';
import type { RepostAction, RepostHistory } from '../guildState/repostHistory.js';
import type { RepostActions } from '../guildState/repostPolicy.js';
import { messagesFor } from '../messages/messages.js';
import { jumpLink } from '../results/resultLine.js';

export const RECYCLE = '♻️';

/** What to tell about a repost: the new message, and for each of its images that was posted before, the earlier posts, earliest first. */
export interface Repost {
  message: Message<true>;
  earlier: readonly (readonly ImageInfo[])[];
}

/** At most this many channels of earlier posts are weighed for a notice (each may take a question to Discord). */
const CHANNELS_WEIGHED = 10;

/** Discord's answers that mean the bot lacks a permission there. */
const REFUSALS: ReadonlySet<number | string> = new Set([RESTJSONErrorCodes.MissingPermissions, RESTJSONErrorCodes.MissingAccess]);

/**
 * Does what a watched channel asks when a repost arrives: reacts ♻️, replies, posts to the log
 * channel. Every notice is public, and even a bare ♻️ says that the image was posted somewhere
 * before, so each is made only about an earlier post that everyone who can read where it appears
 * can read too (the access module decides), and links it: the reaction and the reply only about
 * one that all readers of the repost's channel can read, the log post only about one that all
 * readers of the log channel can read (and only when they can all read the repost's channel).
 * Without such a post, nothing is said there. Nothing pings anyone. Each action that Discord
 * refuses for want of a permission is recorded once per channel (/reposts status shows it); any
 * other failure is logged, and the other actions still run.
 */
export class RepostNotices {
  constructor(
    private readonly access: MemberAccess,
    private readonly history: RepostHistory,
  ) {}

  async send(repost: Repost, actions: RepostActions, logChannelId: string | null): Promise<void> {
    if (actions.react || actions.reply) await this.tellChannel(repost, actions);
    if (actions.log && logChannelId !== null) await this.log(repost, logChannelId);
  }

  /** The ♻️ and the reply, in the repost's channel. */
  private async tellChannel({ message, earlier }: Repost, actions: RepostActions): Promise<void> {
    // Its readers would learn that a channel some of them cannot read holds this image.
    const copy = await this.linkable(message.channel, earlier);
    if (copy === undefined) return;
    if (actions.react) await this.attempt(message.guildId, message.channelId, 'react', () => message.react(RECYCLE));
    if (actions.reply) await this.attempt(message.guildId, message.channelId, 'reply', () => reply(message, copy));
  }

  private async log({ message, earlier }: Repost, logChannelId: string): Promise<void> {
    const log = message.guild.channels.cache.get(logChannelId);
    // Deleted since it was chosen: /reposts status says so.
    if (log === undefined || !log.isTextBased()) return;
    // Its readers would learn of a post in a channel some of them cannot read: /reposts status says so.
    if (!(await this.access.mayShowPublicly(log, message.channelId))) return;
    // Likewise, that a channel some of them cannot read holds this image.
    const copy = await this.linkable(log, earlier);
    if (copy === undefined) return;
    const content = messagesFor(message.guild.preferredLocale).text('reposts.log.linked', {
      author: `<@${message.author.id}>`,
      channel: `<#${message.channelId}>`,
      link: message.url,
      earlier: jumpLink(copy),
      date: `<t:${Math.floor(copy.createdAt / 1000)}:d>`,
    });
    await this.attempt(message.guildId, log.id, 'log', () => log.send({ content, allowedMentions: { parse: [] } }));
  }

  /**
   * The earliest earlier post that everyone who can read `here` can read too, of the first image
   * that has one; undefined when none has (or none among the first channels weighed).
   */
  private async linkable(here: GuildBasedChannel, earlier: Repost['earlier']): Promise<ImageInfo | undefined> {
    const verdicts = new Map<string, boolean>();
    for (const copy of earlier.flat()) {
      let may = verdicts.get(copy.channelId);
      if (may === undefined) {
        if (verdicts.size === CHANNELS_WEIGHED) return undefined;
        verdicts.set(copy.channelId, (may = await this.access.mayShowPublicly(here, copy.channelId)));
      }
      if (may) return copy;
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

/** The reply to a repost: when the image was posted before, and a link to that post. */
async function reply(message: Message<true>, copy: ImageInfo): Promise<void> {
  const content = messagesFor(message.guild.preferredLocale).text('reposts.notice.linked', {
    link: jumpLink(copy),
    date: `<t:${Math.floor(copy.createdAt / 1000)}:R>`,
  });
  await message.reply({ content, allowedMentions: { parse: [], repliedUser: false } });
}
