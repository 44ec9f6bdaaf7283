import { PermissionFlagsBits, type ChatInputCommandInteraction, type Guild, type GuildBasedChannel, type GuildMember } from 'discord.js';
import { audienceContains } from './audience.js';
import { botReadBlockers, isNsfwChannel, memberVerdict, READ } from './channelRules.js';
import { ThreadMembership } from './threadMembership.js';

export { audienceContains, botReadBlockers, isNsfwChannel, READ };

/** Where something is shown decides whether age-restricted images may be. */
export interface Showing {
  /** True only when shown in an age-restricted channel. */
  nsfwAllowed: boolean;
}

/** Questions to Discord (a private thread's membership, a channel not cached) one search or summary makes at most. */
const CHECKS_PER_SEARCH = 50;
/** Questions asked at the same time. */
const CHECKS_AT_ONCE = 8;

/** Which channels are indexed now (their threads with them): images of any other channel are nobody's to see. */
export interface IndexedChannels {
  indexedChannels(guildId: string): Promise<ReadonlySet<string>>;
}

/** What is known of a member's access to a channel without asking Discord. */
type Verdict = 'yes' | 'no' | 'if-thread-member';

/**
 * The one place that decides what a member may see of the index. A channel's images may be
 * shown to a member only when, now:
 * - the channel is in this server (ids from another server's command options are nobody's here);
 * - it is indexed, or is a thread of an indexed channel (what an admin stopped indexing is not
 *   shown, even while its images are still being forgotten);
 * - the member may view it and read its history (roles, overwrites, the parent's for a thread),
 *   and a private thread also has them as a member (asked of Discord, see ThreadMembership)
 *   unless they manage threads;
 * - it is not age-restricted, or what is shown is shown in an age-restricted channel;
 * - the bot itself can read it: it hears no deletions from a channel it cannot read, so what it
 *   holds from there may be stale. The records stay and come back once it can read again.
 *
 * Used by: every search (HitSearch: /find, /similar, "Find similar images" and More like #n;
 * /find's word matches too, found and scored among the images of those channels alone), every
 * gallery page, Previous/Next, Show #n, the copies' links ("posted N times") and the near-copies ("and 2
 * near-copies") of a result (HitSearch.recheck), Share (mayShowPublicly: may the image be posted
 * where the member asked), /stats (overview), /forget-me (the counts it tells), /channels,
 * /reindex and /reposts (channel options, and what /channels list says of the bot's access), the
 * /reindex progress message (audienceContains decides whether it may be public, and whether it
 * may go on being so), repost notices
 * (mayShowPublicly: a ♻️, a reply or a log post is made only about an earlier post that all its
 * readers can read, and the log channel hears of a post only when they can all read where it was
 * posted; /reposts status says when it may not), and /reposts list (readableChannels: the reposts
 * and the earlier posts it shows). /help and the welcome say
 * nothing of what is indexed.
 */
export class MemberAccess {
  private readonly membership: ThreadMembership;

  constructor(
    private readonly indexed: IndexedChannels,
    options: { membershipCacheMs: number },
  ) {
    this.membership = new ThreadMembership(options.membershipCacheMs);
  }

  /** Exactly the channels among `channelIds` whose images `member` may see now. */
  async readableChannels(member: GuildMember, channelIds: Iterable<string>, showing: Showing): Promise<Set<string>> {
    const { readable, unverified } = await this.sort(member, channelIds, showing);
    await this.verifyAll(member, [...unverified], showing, readable);
    return readable;
  }

  /**
   * The channels a search may rank for `member`: those readable by what is known (answers
   * Discord gave lately included), and those that need a question to Discord (a private
   * thread's membership, a channel the bot has not cached), asked before anything is ranked, in
   * parallel, up to a bound: the first of `channelIds` first (give them most images first).
   * Asking only about channels that reach the results would make a search slower exactly when a
   * private thread holds a match, and so tell a member something of a thread they are not in;
   * asked up front, how long a search takes depends on who asks and when, never on what they
   * ask. Channels past the bound are left out of this search; answers are kept a while, so the
   * next search asks about the next ones.
   */
  async searchableChannels(member: GuildMember, channelIds: Iterable<string>, showing: Showing): Promise<Set<string>> {
    const { readable, unverified } = await this.sort(member, channelIds, showing);
    await this.verifyAll(member, [...unverified].slice(0, CHECKS_PER_SEARCH), showing, readable);
    return readable;
  }

  /**
   * Channels a summary (/stats) may list for `member`, most images first: all of them for
   * members with Manage Server, else those a search of theirs would rank.
   */
  async overviewChannels(member: GuildMember, imagesPerChannel: ReadonlyMap<string, number>, showing: Showing): Promise<Set<string>> {
    const byCount = mostImagesFirst(imagesPerChannel);
    if (member.permissions.has(PermissionFlagsBits.ManageGuild)) return new Set(byCount);
    return this.searchableChannels(member, byCount, showing);
  }

  /**
   * Whether something from `channelId` may be posted publicly in `here`: only when everyone
   * who can read `here` can read that channel (see audienceContains).
   */
  async mayShowPublicly(here: GuildBasedChannel, channelId: string): Promise<boolean> {
    const source = await channelOfGuild(here.guild, channelId);
    return source !== undefined && botReadBlockers(source).length === 0 && audienceContains(here, source);
  }

  /**
   * The channel a command option names, when it is a channel of this server in which the
   * invoker has `needed` (View Channel to know it exists; READ to learn what its history holds);
   * undefined otherwise, whatever the reason, so the answer says nothing of channels they cannot
   * see; null when the option was not given.
   */
  async channelOption(
    interaction: ChatInputCommandInteraction<'cached'>,
    name: string,
    needed: bigint,
  ): Promise<GuildBasedChannel | undefined | null> {
    const value = interaction.options.get(name)?.value;
    if (value === undefined || value === null) return null;
    const channel = await channelOfGuild(interaction.guild, String(value));
    return channel !== undefined && (await this.memberHas(interaction.member, channel, needed)) ? channel : undefined;
  }

  /** Whether `member` has `needed` in `channel` now (a private thread also takes membership, asked of Discord). */
  async memberHas(member: GuildMember, channel: GuildBasedChannel, needed: bigint): Promise<boolean> {
    const verdict = memberVerdict(member, channel, needed);
    if (verdict !== 'if-thread-member') return verdict === 'yes';
    return channel.isThread() && this.membership.isMember(channel, member.id);
  }

  /** Splits channels into those readable by what is known, and those that need a question to Discord. */
  private async sort(
    member: GuildMember,
    channelIds: Iterable<string>,
    showing: Showing,
  ): Promise<{ readable: Set<string>; unverified: Set<string> }> {
    const indexed = await this.indexed.indexedChannels(member.guild.id);
    const readable = new Set<string>();
    const unverified = new Set<string>();
    for (const channelId of channelIds) {
      const channel = cachedChannelOfGuild(member.guild, channelId);
      if (channel === undefined) unverified.add(channelId);
      else {
        const verdict = this.verdict(member, channel, showing, indexed);
        const answer = verdict === 'if-thread-member' ? this.membership.known(channelId, member.id) : undefined;
        if (verdict === 'yes' || answer === true) readable.add(channelId);
        else if (verdict === 'if-thread-member' && answer === undefined) unverified.add(channelId);
      }
    }
    return { readable, unverified };
  }

  /** Asks about `channelIds`, a few at a time, adding those `member` may read to `readable`. */
  private async verifyAll(member: GuildMember, channelIds: readonly string[], showing: Showing, readable: Set<string>): Promise<void> {
    if (channelIds.length === 0) return;
    const indexed = await this.indexed.indexedChannels(member.guild.id);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < channelIds.length) {
        const channelId = channelIds[next++]!;
        if (await this.verify(member, channelId, showing, indexed)) readable.add(channelId);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CHECKS_AT_ONCE, channelIds.length) }, worker));
  }

  private async verify(member: GuildMember, channelId: string, showing: Showing, indexed: ReadonlySet<string>): Promise<boolean> {
    const channel = await channelOfGuild(member.guild, channelId);
    return channel !== undefined && mayShowAnyone(channel, showing, indexed) && this.memberHas(member, channel, READ);
  }

  private verdict(member: GuildMember, channel: GuildBasedChannel, showing: Showing, indexed: ReadonlySet<string>): Verdict {
    return mayShowAnyone(channel, showing, indexed) ? memberVerdict(member, channel, READ) : 'no';
  }
}

/** Whether a channel's images may be shown here to anyone at all: indexed, age rule, readable by the bot. */
function mayShowAnyone(channel: GuildBasedChannel, showing: Showing, indexed: ReadonlySet<string>): boolean {
  const isIndexed = indexed.has(channel.id) || (channel.isThread() && channel.parentId !== null && indexed.has(channel.parentId));
  return isIndexed && (showing.nsfwAllowed || !isNsfwChannel(channel)) && botReadBlockers(channel).length === 0;
}

/** Channel ids by their image counts, most first: the order in which searches ask about them. */
export function mostImagesFirst(imagesPerChannel: ReadonlyMap<string, number>): string[] {
  return [...imagesPerChannel.keys()].sort((a, b) => imagesPerChannel.get(b)! - imagesPerChannel.get(a)!);
}

/**
 * A channel of `guild` as the bot knows it. discord.js files a channel named in a command
 * option under the interaction's guild whatever server it belongs to, so the guild's cache
 * alone proves nothing: the channel's own guild id must match.
 */
function cachedChannelOfGuild(guild: Guild, channelId: string): GuildBasedChannel | undefined {
  const cached = guild.client.channels.cache.get(channelId);
  return cached !== undefined && 'guildId' in cached && cached.guildId === guild.id && cached.guild.id === guild.id ? cached : undefined;
}

/** The same, asking Discord for a channel not cached (an archived thread, say); undefined when it is not this guild's. */
async function channelOfGuild(guild: Guild, channelId: string): Promise<GuildBasedChannel | undefined> {
  const cached = cachedChannelOfGuild(guild, channelId);
  if (cached !== undefined || guild.client.channels.cache.has(channelId)) return cached;
  try {
    const fetched = await guild.client.channels.fetch(channelId);
    return fetched !== null && 'guildId' in fetched && fetched.guildId === guild.id ? fetched : undefined;
  } catch {
    return undefined;
  }
}
