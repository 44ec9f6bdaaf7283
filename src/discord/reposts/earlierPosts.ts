import type { ImageInfo, ImageLibrary, RepostHit } from '../../library/imageLibrary.js';
import type { RepostThresholds } from '../../reposts/repostMatcher.js';
import { isExemptChannel, type RepostPolicy } from '../guildState/repostPolicy.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * The earlier posts that make an indexed image a repost under a server's policy, earliest first:
 * its near-copies (and identical copies) posted before it, less those in exempt channels, and less
 * the poster's own within the same-author window (posting your own picture again soon is not a
 * repost). Where the image itself was posted is the caller's to judge (watched, exempt).
 * `parentOf` says which channel a thread is in, so an exempt channel's threads are exempt too.
 */
export function earlierPosts(
  library: ImageLibrary,
  guildId: string,
  imageId: string,
  policy: RepostPolicy,
  thresholds: RepostThresholds,
  parentOf: (channelId: string) => string | null,
): RepostHit[] {
  const image = library.get(guildId, imageId);
  if (image === undefined) return [];
  const windowStart = image.createdAt - policy.sameAuthorHours * HOUR_MS;
  const ownAndRecent = (earlier: ImageInfo) =>
    policy.sameAuthorHours > 0 && earlier.authorId === image.authorId && earlier.createdAt >= windowStart;
  return library
    .repostsOf(guildId, imageId, thresholds)
    .filter(({ image: earlier }) => !isExemptChannel(policy, earlier.channelId, parentOf(earlier.channelId)) && !ownAndRecent(earlier));
}
