import type { GuildMember } from 'discord.js';
import type { ImageLibrary } from '../../library/imageLibrary.js';
import type { RepostThresholds } from '../../reposts/repostMatcher.js';
import type { MemberAccess, Showing } from '../access/memberAccess.js';
import type { NoticedRepost } from '../guildState/repostHistory.js';
import type { RepostPolicy } from '../guildState/repostPolicy.js';
import type { ResultGroup } from '../results/hitSearch.js';
import { earlierPosts } from './earlierPosts.js';

/**
 * `/reposts list` as results a member may see: each repost noticed lately that is still indexed
 * and posted where they can read, beside the earliest earlier post they can read too (found
 * again now, by the server's rules as they are now). A repost whose earlier posts are all in
 * channels hidden from them is left out: the list tells nobody of what they cannot read, admins
 * included (the access module decides, as for every search).
 */
export async function recentReposts(
  library: ImageLibrary,
  access: MemberAccess,
  member: GuildMember,
  showing: Showing,
  noticed: readonly NoticedRepost[],
  policy: RepostPolicy,
  thresholds: RepostThresholds,
): Promise<ResultGroup[]> {
  const guildId = member.guild.id;
  const parentOf = (channelId: string) => {
    const channel = member.guild.channels.cache.get(channelId);
    return channel?.isThread() === true ? channel.parentId : null;
  };
  const reposts = noticed.flatMap(({ imageId }) => {
    const image = library.get(guildId, imageId);
    if (image === undefined || !library.has(guildId, imageId)) return [];
    return [{ image, earlier: earlierPosts(library, guildId, imageId, policy, thresholds, parentOf) }];
  });
  const channels = new Set(reposts.flatMap(({ image, earlier }) => [image.channelId, ...earlier.map((post) => post.image.channelId)]));
  const readable = await access.readableChannels(member, channels, showing);
  return reposts.flatMap(({ image, earlier }, key) => {
    const shown = readable.has(image.channelId) ? earlier.find((post) => readable.has(post.image.channelId)) : undefined;
    if (shown === undefined) return [];
    return [{ key, hits: [{ image, score: shown.similarity }], repostOf: { image: shown.image, score: shown.similarity } }];
  });
}
