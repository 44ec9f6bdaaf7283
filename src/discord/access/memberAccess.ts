import {
  PermissionFlagsBits,
  type ChatInputCommandInteraction,
  type Guild,
  type GuildBasedChannel,
  type GuildMember,
} from 'discord.js';
import { audienceContains } from './audience.js';
import { botReadBlockers, isNsfwChannel, memberVerdict, READ } from './channelRules.js';
import { ThreadMembership } from './threadMembership.js';

export { audienceContains, botReadBlockers, isNsfwChannel };

/** Where something is shown decides whether age-restricted images may be. */
export interface Showing {
  /** True only when shown in an age-restricted channel. */
  nsfwAllowed: boolean;
}

/** Private threads whose membership checks a search makes at most, round after round, before it leaves the rest out. */
const SEARCH_VERIFY_ROUNDS = 3;
/** /stats asks Discord about at most this many private threads (the ones with the most images). */
const OVERVIEW_THREAD_CHECKS = 50;

/**
 * The one place that decides what a member may see of the index. A channel's images may be
 * shown to a member only when, now:
 * - the channel is in this server (ids from another server's command options are nobody's here);
 * - the member may view it and read its history (roles, overwrites, the parent's for a thread),
 *   and a private thread also has them as a member (asked of Discord, see ThreadMembership)
 *   unless they manage threads;
 * - it is not age-restricted, or what is shown is shown in an age-restricted channel;
 * - the bot itself can read it: it hears no deletions from a channel it cannot read, so what it
 *   holds from there may be stale. The records stay and come back once it can read again.
 *
 * Used by: every search (HitSearch: /find, /similar, "Find similar images" and More like #n;
 * /find's word matches too, through the library's `allowed` check), every gallery page,
 * Previous/Next, Show #n, the copies' links ("posted N times") and the near-copies ("and 2
 * near-copies") of a result (HitSearch.recheck), Share (mayShowPublicly: may the image be posted
 * where the member asked), /stats (overview), /forget-me (the counts it tells), /channels,
 * /reindex and /reposts (channel options, and what /channels list says of the bot's access), the
 * /reindex progress message (audienceContains decides whether it may be public), repost notices
 * (mayShowPublicly: which earlier post a reply or a log post may link, and whether the log
 * channel may hear of a post at all; /reposts status says when it may not), and /reposts list
 * (readableChannels: the reposts and the earlier posts it shows). /help and the welcome say
 * nothing of what is indexed.
 */
export class MemberAccess {
  private readonly membership = new ThreadMembership();

  /** Exactly the channels among `channelIds` whose images `member` may see now. */
  async readableChannels(member: GuildMember, channelIds: Iterable<string>, showing: Showing): Promise<Set<string>> {
    const { readable, unverified } = await this.sort(member, channelIds, showing);
    await Promise.all([...unverified].map(async (channelId) => {
      if (await this.verify(member, channelId, showing)) readable.add(channelId);
    }));
    return readable;
  }

  /**
   * Runs `rank` over only what `member` may read. Channels that need a question to Discord (a
   * private thread's membership, a thread the bot has not cached) are ranked provisionally and
   * asked about only when they reach the results, so a search costs a handful of requests
   * however many private threads a server has; a channel that fails is left out and the
   * ranking runs again. After a few rounds every channel still unasked is left out.
   */
  async searchReadable<T>(
    member: GuildMember,
    channelIds: Iterable<string>,
    showing: Showing,
    channelOf: (hit: T) => string,
    rank: (channels: ReadonlySet<string>) => Promise<T[]>,
  ): Promise<T[]> {
    const { readable, unverified } = await this.sort(member, channelIds, showing);
    const channels = new Set([...readable, ...unverified]);
    for (let round = 0; ; round++) {
      if (round === SEARCH_VERIFY_ROUNDS) for (const channelId of unverified) channels.delete(channelId);
      if (channels.size === 0) return [];
      const hits = await rank(channels);
      const asked = [...new Set(hits.map(channelOf))].filter((channelId) => unverified.has(channelId));
      if (asked.length === 0) return hits;
      const refused = await Promise.all(asked.map(async (channelId) => !(await this.verify(member, channelId, showing))));
      asked.forEach((channelId, i) => {
        unverified.delete(channelId);
        if (refused[i]) channels.delete(channelId);
      });
      if (!refused.includes(true)) return hits;
    }
  }

  /**
   * Channels a summary (/stats) may list for `member`, most images first: all of them for
   * members with Manage Server, else those they may read (private threads asked about up to a
   * bound, the rest left out).
   */
  async overviewChannels(member: GuildMember, imagesPerChannel: ReadonlyMap<string, number>, showing: Showing): Promise<Set<string>> {
    const byCount = [...imagesPerChannel.keys()].sort((a, b) => imagesPerChannel.get(b)! - imagesPerChannel.get(a)!);
    if (member.permissions.has(PermissionFlagsBits.ManageGuild)) return new Set(byCount);
    const { readable, unverified } = await this.sort(member, byCount, showing);
    const asked = byCount.filter((channelId) => unverified.has(channelId)).slice(0, OVERVIEW_THREAD_CHECKS);
    await Promise.all(asked.map(async (channelId) => {
      if (await this.verify(member, channelId, showing)) readable.add(channelId);
    }));
    return readable;
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
   * The channel a command option names, when it is a channel of this server that the invoker
   * can see; undefined otherwise, whatever the reason, so the answer says nothing of channels
   * they cannot see; null when the option was not given.
   */
  async channelOption(interaction: ChatInputCommandInteraction<'cached'>, name: string): Promise<GuildBasedChannel | undefined | null> {
    const value = interaction.options.get(name)?.value;
    if (value === undefined || value === null) return null;
    const channel = await channelOfGuild(interaction.guild, String(value));
    if (channel === undefined) return undefined;
    const verdict = memberVerdict(interaction.member, channel, PermissionFlagsBits.ViewChannel);
    if (verdict === 'no') return undefined;
    if (verdict === 'if-thread-member' && channel.isThread() && !(await this.membership.isMember(channel, interaction.user.id))) return undefined;
    return channel;
  }

  /** Splits channels into those readable by what is known, and those that need a question to Discord. */
  private async sort(member: GuildMember, channelIds: Iterable<string>, showing: Showing): Promise<{ readable: Set<string>; unverified: Set<string> }> {
    const readable = new Set<string>();
    const unverified = new Set<string>();
    for (const channelId of channelIds) {
      const channel = cachedChannelOfGuild(member.guild, channelId);
      if (channel === undefined) unverified.add(channelId);
      else {
        const verdict = this.verdict(member, channel, showing);
        if (verdict === 'yes') readable.add(channelId);
        else if (verdict === 'if-thread-member') unverified.add(channelId);
      }
    }
    return { readable, unverified };
  }

  private async verify(member: GuildMember, channelId: string, showing: Showing): Promise<boolean> {
    const channel = await channelOfGuild(member.guild, channelId);
    if (channel === undefined) return false;
    const verdict = this.verdict(member, channel, showing);
    if (verdict !== 'if-thread-member') return verdict === 'yes';
    return channel.isThread() && this.membership.isMember(channel, member.id);
  }

  private verdict(member: GuildMember, channel: GuildBasedChannel, showing: Showing): 'yes' | 'no' | 'if-thread-member' {
    if (isNsfwChannel(channel) && !showing.nsfwAllowed) return 'no';
    if (botReadBlockers(channel).length > 0) return 'no';
    return memberVerdict(member, channel, READ);
  }
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
