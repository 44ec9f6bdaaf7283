import type { Guild } from 'discord.js';
import type { MemberAccess } from '../access/memberAccess.js';
import type { RepostAction } from '../guildState/repostHistory.js';
import { REPOST_ACTIONS, type RepostActions, type RepostPolicy } from '../guildState/repostPolicy.js';
import type { Messages } from '../messages/messages.js';
import { permissionsText } from '../messages/permissionNames.js';
import type { RepostThresholds } from '../../reposts/repostMatcher.js';

/** What each action needs of the bot in the channel it acts in. */
const NEEDED: Record<RepostAction, readonly string[]> = {
  react: ['Add Reactions', 'Read Message History'],
  reply: ['Send Messages', 'Read Message History'],
  log: ['View Channel', 'Send Messages'],
};

const LISTED_CHANNELS = 20;

export interface RepostStatusFacts {
  policy: RepostPolicy;
  /** The operator's thresholds, for what the server did not set. */
  defaults: RepostThresholds;
  /** Per channel, the actions Discord refused there. */
  refusals: ReadonlyMap<string, readonly RepostAction[]>;
  /** Indexed images without a perceptual hash (no repost of them can be noticed). */
  unhashed: number;
  /** Whether the words in this server's images are read (OCR), which tells captions on one meme template apart. */
  wordsRead: boolean;
}

/** The actions, in words ("react ♻️ and reply with a link to the earliest copy"). */
export function actionsText(actions: RepostActions, messages: Messages): string {
  return messages.list(REPOST_ACTIONS.filter((action) => actions[action]).map((action) => messages.text(`reposts.action.${action}`)));
}

/** `/reposts status`: the watched channels and their actions, the log channel, exemptions, rules, and what keeps them from working. */
export async function repostStatusText(guild: Guild, facts: RepostStatusFacts, access: MemberAccess, messages: Messages): Promise<string> {
  const { policy } = facts;
  const watched = Object.entries(policy.channels);
  if (watched.length === 0) return messages.text('reposts.status.off');
  const lines = [
    messages.text('reposts.status.header'),
    ...watched
      .slice(0, LISTED_CHANNELS)
      .map(
        ([channelId, actions]) =>
          `• ${messages.text('reposts.status.channel', { channel: `<#${channelId}>`, actions: actionsText(actions, messages) })}`,
      ),
    ...(watched.length > LISTED_CHANNELS ? [`• ${messages.text('stats.moreChannels', { count: watched.length - LISTED_CHANNELS })}`] : []),
    policy.logChannelId === null
      ? messages.text('reposts.status.noLogChannel')
      : messages.text('reposts.status.logChannel', { channel: `<#${policy.logChannelId}>` }),
    ...(policy.exemptChannels.length + policy.exemptRoles.length > 0
      ? [messages.text('reposts.status.exempt', { names: exemptNames(policy, messages) })]
      : []),
    policy.sameAuthorHours === 0
      ? messages.text('reposts.status.sameAuthorOff')
      : messages.text('reposts.status.sameAuthor', { count: policy.sameAuthorHours }),
    thresholdsText(policy, facts.defaults, messages),
    ...(facts.wordsRead ? [] : [messages.text('reposts.status.wordsOff')]),
    ...(facts.unhashed > 0 ? [messages.text('reposts.status.unhashed', { count: facts.unhashed })] : []),
  ];
  const problems = [...refusalLines(facts.refusals, messages), ...(await logProblems(guild, policy, access, messages))];
  if (problems.length > 0) lines.push(messages.text('reposts.status.problems'), ...problems.map((line) => `• ${line}`));
  return lines.join('\n');
}

export function exemptNames(policy: Pick<RepostPolicy, 'exemptChannels' | 'exemptRoles'>, messages: Messages): string {
  return messages.list([...policy.exemptChannels.map((id) => `<#${id}>`), ...policy.exemptRoles.map((id) => `<@&${id}>`)]);
}

function thresholdsText(policy: RepostPolicy, defaults: RepostThresholds, messages: Messages): string {
  const { maxDistance, minSimilarity, hashAloneDistance } = { ...defaults, ...policy.thresholds };
  const own = Object.keys(policy.thresholds).length > 0;
  return messages.text('reposts.status.thresholds', {
    maxDistance,
    minSimilarity: messages.number(minSimilarity, { maximumFractionDigits: 3 }),
    hashAloneDistance,
    source: messages.text(own ? 'reposts.status.ownThresholds' : 'reposts.status.defaultThresholds'),
  });
}

function refusalLines(refusals: ReadonlyMap<string, readonly RepostAction[]>, messages: Messages): string[] {
  return [...refusals].flatMap(([channelId, actions]) =>
    actions.map((action) =>
      messages.text(`reposts.status.refused.${action}`, {
        channel: `<#${channelId}>`,
        permissions: permissionsText(NEEDED[action], messages),
      }),
    ),
  );
}

/** A log channel that is gone, and watched channels whose reposts it may not hear of (its readers cannot all read them). */
async function logProblems(guild: Guild, policy: RepostPolicy, access: MemberAccess, messages: Messages): Promise<string[]> {
  const logged = Object.entries(policy.channels)
    .filter(([, actions]) => actions.log)
    .map(([channelId]) => channelId);
  if (policy.logChannelId === null || logged.length === 0) return [];
  const log = guild.channels.cache.get(policy.logChannelId);
  if (log === undefined) return [messages.text('reposts.status.logChannelGone', { channel: `<#${policy.logChannelId}>` })];
  const hidden = await Promise.all(logged.map(async (channelId) => ((await access.mayShowPublicly(log, channelId)) ? [] : [channelId])));
  return hidden
    .flat()
    .map((channelId) => messages.text('reposts.status.logUnreadable', { channel: `<#${channelId}>`, log: `<#${log.id}>` }));
}
