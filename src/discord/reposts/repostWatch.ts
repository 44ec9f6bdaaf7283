import type { Guild, Message } from 'discord.js';
import type { ImageLibrary } from '../../library/imageLibrary.js';
import { logger } from '../../logger.js';
import type { RepostThresholds } from '../../reposts/repostMatcher.js';
import type { MemberAccess } from '../access/memberAccess.js';
import type { GuildSettings } from '../guildState/guildSettings.js';
import type { RepostHistory } from '../guildState/repostHistory.js';
import { actionsIn, isExemptChannel, thresholdsOf } from '../guildState/repostPolicy.js';
import { earlierPosts } from './earlierPosts.js';
import { RepostNotices } from './repostNotices.js';

export interface RepostWatchParts {
  library: ImageLibrary;
  settings: GuildSettings;
  history: RepostHistory;
  access: MemberAccess;
  /** The operator's thresholds (REPOST_* variables), for servers that set none. */
  defaults: RepostThresholds;
  /** Resolves once an image being read by OCR has its words stored or given up (at once when none is being read). */
  textRead?: (guildId: string, imageId: string) => Promise<void>;
}

/**
 * How long a possible repost waits for its words (and its earlier copies' words) to be read before
 * the pixels decide alone. OCR runs when indexing is idle, usually within seconds of a post.
 */
export const WORDS_WAIT_MS = 60_000;

/**
 * The repost check of a message just posted, once its images are indexed: only in channels an
 * admin watches (/reposts channel), never for the bot's own messages, nor in exempt channels,
 * nor for members with an exempt role. A repost is remembered for /reposts list, and its
 * channel's actions are taken (RepostNotices): at most one notice per message, about the first
 * of its images with an earlier post that those who would read the notice can all read.
 *
 * With OCR on, an image that looks like an earlier one is judged once its words are read: another
 * caption on the same meme template is not a repost (reposts/imageTextAgreement.ts). So such a
 * notice comes after OCR, not right after indexing; with OCR off, or past WORDS_WAIT_MS, the
 * pixels decide alone.
 */
export class RepostWatch {
  private readonly notices: RepostNotices;

  constructor(private readonly parts: RepostWatchParts) {
    this.notices = new RepostNotices(parts.access, parts.history);
  }

  /** Never rejects: whatever fails is logged, and indexing goes on. */
  async imagesPosted(message: Message, imageIds: readonly string[]): Promise<void> {
    try {
      if (message.inGuild()) await this.check(message, imageIds);
    } catch (error) {
      logger.warn(
        { err: error, guildId: message.guildId, channelId: message.channelId, messageId: message.id },
        'the repost check of a message failed',
      );
    }
  }

  private async check(message: Message<true>, imageIds: readonly string[]): Promise<void> {
    if (message.author.id === message.client.user.id) return;
    const { library, settings, history } = this.parts;
    const policy = await settings.repostPolicy(message.guildId);
    const channel = message.channel;
    const parentId = channel.isThread() ? channel.parentId : null;
    const actions = actionsIn(policy, channel.id, parentId);
    if (actions === undefined || isExemptChannel(policy, channel.id, parentId)) return;
    if (policy.exemptRoles.length > 0 && (await hasRoleAmong(message, policy.exemptRoles))) return;
    const thresholds = thresholdsOf(policy, this.parts.defaults);
    const parentOf = threadParents(message.guild);
    const find = (imageId: string) => earlierPosts(library, message.guildId, imageId, policy, thresholds, parentOf);
    const candidates = imageIds.map((imageId) => ({ imageId, earlier: find(imageId) })).filter(({ earlier }) => earlier.length > 0);
    if (candidates.length === 0) return;
    const ids = new Set(candidates.flatMap(({ imageId, earlier }) => [imageId, ...earlier.map(({ image }) => image.id)]));
    await this.wordsOf(message.guildId, ids);
    const reposted = candidates.map(({ imageId }) => ({ imageId, earlier: find(imageId) })).filter(({ earlier }) => earlier.length > 0);
    if (reposted.length === 0) return;
    await history.record(
      message.guildId,
      reposted.map(({ imageId }) => imageId),
    );
    const earlier = reposted.map((repost) => repost.earlier.map(({ image }) => image));
    await this.notices.send({ message, earlier }, actions, policy.logChannelId);
  }

  /** Resolves once the words of those of these images that OCR is reading are stored, or after WORDS_WAIT_MS. */
  private async wordsOf(guildId: string, imageIds: Iterable<string>): Promise<void> {
    const { textRead } = this.parts;
    if (textRead === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, WORDS_WAIT_MS)));
    try {
      await Promise.race([Promise.all([...imageIds].map((imageId) => textRead(guildId, imageId))), timeUp]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Whether the poster has one of the roles; when that cannot be known, they are taken to have it (no notice). */
async function hasRoleAmong(message: Message<true>, roleIds: readonly string[]): Promise<boolean> {
  const member = message.member ?? (await message.guild.members.fetch(message.author.id).catch(() => null));
  return member === null || roleIds.some((roleId) => member.roles.cache.has(roleId));
}

/** The channel a thread is in, for the threads the bot knows; null for any other channel. */
function threadParents(guild: Guild): (channelId: string) => string | null {
  return (channelId) => {
    const channel = guild.channels.cache.get(channelId);
    return channel?.isThread() === true ? channel.parentId : null;
  };
}
