import type { GuildMember } from 'discord.js';
import type { ImageLibrary, SearchHit } from '../../library/imageLibrary.js';
import type { RepostThresholds } from '../../reposts/repostMatcher.js';
import type { FoundBy, MatchMode } from '../../search/rankFusion.js';
import type { SearchFilter } from '../../search/vectorFilter.js';
import { mostImagesFirst, type MemberAccess, type Showing } from '../access/memberAccess.js';
import { UserFacingError } from '../interactions/userFacingError.js';

/** What a member asked for: a query vector, how many results, and the narrowing they chose. */
export interface HitQuery {
  kind: 'text' | 'image';
  vector: Float32Array;
  /** A text query's words and how to match them (/find match:); without it, by meaning alone. */
  words?: { text: string; match: MatchMode };
  /** Results wanted, copies of one image counted once. */
  limit: number;
  channelId?: string;
  authorId?: string;
  after?: number;
  before?: number;
  /** Leaves out the copies of one image (More like #n: not the image itself). */
  excludeContentHash?: string;
}

/** A hit as a result shows it; `score` is always the cosine similarity to the query (what the relevance words describe). */
export interface ResultHit extends SearchHit {
  /** The image's words that matched a text query; none when it was found by its meaning alone. */
  matchedWords?: readonly string[];
  /** How a text query found it; undefined for an image query (by meaning). */
  foundBy?: FoundBy;
}

/** One result: the copies of the same image (identical bytes) the member may see, best first. */
export interface ResultGroup {
  /** The result's place in the first ranking: controls name a result by it, whatever dropped out since. */
  key: number;
  hits: ResultHit[];
  /** Lower-ranked images that are near-copies of this one, folded into it (every copy the member may see). */
  nearCopies?: ResultHit[];
  /** `/reposts list`: the earliest earlier copy of this image that the member may see. */
  repostOf?: ResultHit;
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
 * of one image folded into one result and near-copies into the best-ranked of them. Page
 * turns re-check through it too.
 */
export class HitSearch {
  constructor(
    private readonly library: ImageLibrary,
    private readonly access: MemberAccess,
    /** The near-copy thresholds of a server (its /reposts rules, else the operator's). */
    private readonly thresholdsOf: (guildId: string) => Promise<RepostThresholds>,
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
    const hits = await this.rank(guildId, query, limit, filter);
    const shown = hits.filter((hit) => query.excludeContentHash === undefined || hit.image.contentHash !== query.excludeContentHash);
    const folded = this.foldNearCopies(guildId, groupCopies(shown), await this.thresholdsOf(guildId));
    return folded.slice(0, query.limit);
  }

  /** The results as the member may see them now: channels they lost and images gone since are left out. */
  async recheck(member: GuildMember, showing: Showing, groups: readonly ResultGroup[]): Promise<ResultGroup[]> {
    const related = (group: ResultGroup) => [
      ...group.hits,
      ...(group.nearCopies ?? []),
      ...(group.repostOf === undefined ? [] : [group.repostOf]),
    ];
    const channels = new Set(groups.flatMap(related).map((hit) => hit.image.channelId));
    const readable = await this.access.readableChannels(member, channels, showing);
    const visible = (hit: ResultHit) => readable.has(hit.image.channelId) && this.library.has(hit.image.collection, hit.image.id);
    return groups.flatMap((group) => {
      const hits = group.hits.filter(visible);
      // A repost is listed only beside an earlier copy the member may see.
      if (hits.length === 0 || (group.repostOf !== undefined && !visible(group.repostOf))) return [];
      return [{ ...group, hits, ...(group.nearCopies === undefined ? {} : { nearCopies: group.nearCopies.filter(visible) }) }];
    });
  }

  /** A result's stored vector, to search from it (More like #n). */
  vectorOf(hit: SearchHit): Float32Array | undefined {
    return this.library.vectorOf(hit.image.collection, hit.image.id);
  }

  /** One ranking over the channels the access module allows: by the vector, or for a text query by meaning, words or both. */
  private async rank(
    guildId: string,
    query: HitQuery,
    limit: number,
    filter: SearchFilter & { channelIds: ReadonlySet<string> },
  ): Promise<ResultHit[]> {
    if (query.words === undefined) return this.library.searchVector(guildId, query.vector, { limit, filter });
    const hits = await this.library.search(guildId, {
      text: query.words.text,
      vector: query.vector,
      mode: query.words.match,
      limit,
      // Its channels are the access module's answer: word matches are found, and scored, among
      // their images alone, as meaning matches are.
      filter,
    });
    const byMeaning = query.words.match === 'meaning';
    return hits.map(({ image, score, matchedWords, foundBy }) => ({
      image,
      // Word and fused rankings score on scales of their own; the page speaks of meaning.
      score: byMeaning ? score : this.similarity(query.vector, image.collection, image.id),
      matchedWords,
      foundBy,
    }));
  }

  private similarity(vector: Float32Array, collection: string, id: string): number {
    const stored = this.library.vectorOf(collection, id);
    let dot = 0;
    if (stored !== undefined) for (let i = 0; i < vector.length; i++) dot += vector[i]! * stored[i]!;
    return dot;
  }

  /** Each result that is a near-copy of a better-ranked one goes into it, with all its copies. */
  private foldNearCopies(guildId: string, groups: readonly ResultGroup[], thresholds: RepostThresholds): ResultGroup[] {
    const leaders = groups.map((group) => ({ ...group.hits[0]!, group }));
    return this.library
      .nearCopies(guildId, leaders, thresholds)
      .map(({ hit, nearCopies }) =>
        nearCopies.length === 0 ? hit.group : { ...hit.group, nearCopies: nearCopies.flatMap((copy) => copy.group.hits) },
      );
  }
}

/** Hits with the same content hash become one group, placed where its best copy ranked. */
function groupCopies(hits: readonly ResultHit[]): ResultGroup[] {
  const groups = new Map<string, ResultGroup>();
  for (const hit of hits) {
    const group = groups.get(hit.image.contentHash);
    if (group === undefined) groups.set(hit.image.contentHash, { key: groups.size, hits: [hit] });
    else group.hits.push(hit);
  }
  return [...groups.values()];
}
