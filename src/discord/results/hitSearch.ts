import type { GuildMember } from 'discord.js';
import type { ImageLibrary, SearchHit } from '../../library/imageLibrary.js';
import { mostImagesFirst, type MemberAccess, type Showing } from '../access/memberAccess.js';
import { UserFacingError } from '../interactions/userFacingError.js';

/** What a member asked for: a query vector, how many results, and the narrowing they chose. */
export interface HitQuery {
  kind: 'text' | 'image';
  vector: Float32Array;
  /** Results wanted, copies of one image counted once. */
  limit: number;
  channelId?: string;
  authorId?: string;
  after?: number;
  before?: number;
  /** Leaves out the copies of one image (More like #n: not the image itself). */
  excludeContentHash?: string;
}

/** One result: the copies of the same image (identical bytes) the member may see, best first. */
export interface ResultGroup {
  /** The result's place in the first ranking: controls name a result by it, whatever dropped out since. */
  key: number;
  hits: SearchHit[];
}

/**
 * Copies of one image have identical vectors and so rank side by side; a search asks for this
 * many times the results wanted, so that its copies are found and the results stay as many.
 */
const COPIES_HEADROOM = 4;
const MAX_RANKED = 500;

/**
 * The one place that turns a query into what a member may see: ranked hits, only from
 * channels they may read now (the access module decides), narrowed as they asked, copies
 * of one image folded into one result. Page turns re-check through it too.
 */
export class HitSearch {
  constructor(
    private readonly library: ImageLibrary,
    private readonly access: MemberAccess,
  ) {}

  async search(member: GuildMember, showing: Showing, query: HitQuery): Promise<ResultGroup[]> {
    const guildId = member.guild.id;
    const candidates = query.channelId === undefined ? mostImagesFirst(this.library.imagesPerChannel(guildId)) : [query.channelId];
    const channelIds = await this.access.searchableChannels(member, candidates, showing);
    // The same answer for a channel that is hidden, empty, elsewhere or not there at all.
    if (query.channelId !== undefined && channelIds.size === 0) throw new UserFacingError('search.noImagesInChannel');
    if (channelIds.size === 0) return [];
    const filter = {
      channelIds,
      ...(query.authorId === undefined ? {} : { authorId: query.authorId }),
      ...(query.after === undefined ? {} : { after: query.after }),
      ...(query.before === undefined ? {} : { before: query.before }),
    };
    // One result more when the query's own image is left out (More like #n).
    const limit = Math.min((query.limit + 1) * COPIES_HEADROOM, MAX_RANKED);
    const hits = await this.library.searchVector(guildId, query.vector, { limit, filter });
    const shown = hits.filter((hit) => query.excludeContentHash === undefined || hit.image.contentHash !== query.excludeContentHash);
    return groupCopies(shown).slice(0, query.limit);
  }

  /** The results as the member may see them now: channels they lost and images gone since are left out. */
  async recheck(member: GuildMember, showing: Showing, groups: readonly ResultGroup[]): Promise<ResultGroup[]> {
    const channels = new Set(groups.flatMap((group) => group.hits.map((hit) => hit.image.channelId)));
    const readable = await this.access.readableChannels(member, channels, showing);
    return groups
      .map((group) => ({
        key: group.key,
        hits: group.hits.filter((hit) => readable.has(hit.image.channelId) && this.library.has(hit.image.collection, hit.image.id)),
      }))
      .filter((group) => group.hits.length > 0);
  }

  /** A result's stored vector, to search from it (More like #n). */
  vectorOf(hit: SearchHit): Float32Array | undefined {
    return this.library.vectorOf(hit.image.collection, hit.image.id);
  }
}

/** Hits with the same content hash become one group, placed where its best copy ranked. */
function groupCopies(hits: readonly SearchHit[]): ResultGroup[] {
  const groups = new Map<string, ResultGroup>();
  for (const hit of hits) {
    const group = groups.get(hit.image.contentHash);
    if (group === undefined) groups.set(hit.image.contentHash, { key: groups.size, hits: [hit] });
    else group.hits.push(hit);
  }
  return [...groups.values()];
}
