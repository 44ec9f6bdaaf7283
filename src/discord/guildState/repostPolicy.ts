import { z } from 'zod';
import { HASH_BITS, type RepostThresholds } from '../../reposts/repostMatcher.js';

/** What the bot does when a repost arrives in a watched channel. */
export interface RepostActions {
  /** React ♻️ to the new message. */
  react: boolean;
  /** Reply with a link to the earliest copy everyone there can read. */
  reply: boolean;
  /** Post to the moderators' log channel. */
  log: boolean;
}

export const REPOST_ACTIONS = ['react', 'reply', 'log'] as const satisfies ReadonlyArray<keyof RepostActions>;

/** The longest same-author window: a year. */
export const MAX_SAME_AUTHOR_HOURS = 24 * 365;

/**
 * What an admin chose with /reposts (all off by default): which channels are watched and what
 * is done there, where the log goes, what is exempt, and this server's thresholds.
 */
export interface RepostPolicy {
  /** Watched channels (their threads and posts too), each with at least one action on. */
  channels: Readonly<Record<string, RepostActions>>;
  /** Where `log` posts; none until an admin names one. */
  logChannelId: string | null;
  /** Left out altogether: nothing posted there is called a repost, nor makes a later post one. */
  exemptChannels: readonly string[];
  /** Members with any of these roles are never told they reposted. */
  exemptRoles: readonly string[];
  /** Posting again what you posted yourself within this many hours is not a repost (0: it always is). */
  sameAuthorHours: number;
  /** This server's own thresholds; each one missing is the operator's default (REPOST_* variables). */
  thresholds: Partial<RepostThresholds>;
}

const bits = z.number().int().min(0).max(HASH_BITS);
const Actions = z.object({ react: z.boolean().catch(false), reply: z.boolean().catch(false), log: z.boolean().catch(false) });
const Ids = z.array(z.string().regex(/^\d+$/)).catch([]).default([]);

/** The stored shape; anything missing or broken (a store written by an earlier version) reads as its default. */
const StoredPolicy = z.object({
  channels: z.record(z.string(), Actions).catch({}).default({}),
  logChannelId: z.string().regex(/^\d+$/).nullable().catch(null).default(null),
  exemptChannels: Ids,
  exemptRoles: Ids,
  sameAuthorHours: z.number().int().min(0).max(MAX_SAME_AUTHOR_HOURS).catch(24).default(24),
  thresholds: z
    .object({
      maxDistance: bits.optional().catch(undefined),
      minSimilarity: z.number().min(-1).max(1).optional().catch(undefined),
      hashAloneDistance: bits.optional().catch(undefined),
    })
    .catch({})
    .default({}),
});

export function readRepostPolicy(stored: unknown): RepostPolicy {
  const policy = StoredPolicy.parse(stored ?? {});
  const thresholds = Object.fromEntries(
    Object.entries(policy.thresholds).filter(([, value]) => value !== undefined),
  ) as Partial<RepostThresholds>;
  return { ...policy, channels: watchedOnly(policy.channels), thresholds };
}

/** The actions for a message in `channelId` (a thread's own entry first, else its parent's); undefined when not watched. */
export function actionsIn(policy: RepostPolicy, channelId: string, parentId: string | null): RepostActions | undefined {
  return policy.channels[channelId] ?? (parentId === null ? undefined : policy.channels[parentId]);
}

/** Whether a channel (or the channel a thread is in) is exempt. */
export function isExemptChannel(policy: RepostPolicy, channelId: string, parentId: string | null): boolean {
  return policy.exemptChannels.includes(channelId) || (parentId !== null && policy.exemptChannels.includes(parentId));
}

/** The thresholds this server uses: its own, else the operator's. */
export function thresholdsOf(policy: RepostPolicy, defaults: RepostThresholds): RepostThresholds {
  return { ...defaults, ...policy.thresholds };
}

/** A channel whose every action is off is simply not watched. */
function watchedOnly(channels: Readonly<Record<string, RepostActions>>): Record<string, RepostActions> {
  return Object.fromEntries(Object.entries(channels).filter(([, actions]) => REPOST_ACTIONS.some((action) => actions[action])));
}
