import { GatewayIntentBits as I } from 'discord.js';
import type { Session } from './gateway.js';
import { shardForGuild } from './snowflake.js';
import type { PrivilegedIntents, World } from './world.js';

/** READY and GUILD_MEMBERS_CHUNK, built for one session. */

export function readyPayload(world: World, session: Session): unknown {
  const guilds = [...world.state.guilds.values()].filter(
    (g) => world.state.member(g.id, world.botId) && shardForGuild(g.id, session.shardCount) === session.shardId,
  );
  return {
    v: 10,
    user: { ...world.payloads.user(world.state.user(world.botId)), verified: true, mfa_enabled: false, flags: 0, email: null },
    guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
    session_id: session.id,
    session_type: 'normal',
    resume_gateway_url: world.gateway.resumeUrl(),
    shard: [session.shardId, session.shardCount],
    application: { id: world.applicationId, flags: (1 << 19) | (1 << 15) | (1 << 13) },
    user_settings: {},
    relationships: [],
    private_channels: [],
    presences: [],
    guild_join_requests: [],
    geo_ordered_rtc_regions: [],
    auth: {},
    _trace: [],
  };
}

/** Intents an app may identify with: privileged ones only when switched on (as in the developer portal). */
export function allowedIntents(privileged: PrivilegedIntents): number {
  return ~(
    (privileged.messageContent ? 0 : I.MessageContent) |
    (privileged.guildMembers ? 0 : I.GuildMembers) |
    (privileged.presences ? 0 : I.GuildPresences)
  );
}

/**
 * What follows READY for each guild of the session's shard (only with the Guilds intent): GUILD_CREATE, or for a guild
 * in an outage GUILD_DELETE with `unavailable: true`, as Discord backfills READY's unavailable guilds.
 */
export function initialGuildEvents(world: World, session: Session): { t: string; d: unknown }[] {
  if ((session.intents & I.Guilds) === 0) return [];
  return [...world.state.guilds.values()]
    .filter((g) => world.state.member(g.id, world.botId) && shardForGuild(g.id, session.shardCount) === session.shardId)
    .map((g) =>
      g.available
        ? { t: 'GUILD_CREATE', d: world.payloads.guilds.guildCreate(g, world.botId, (session.intents & I.GuildPresences) !== 0) }
        : { t: 'GUILD_DELETE', d: { id: g.id, unavailable: true } },
    );
}

/** Answer to op 8 (Request Guild Members), in one chunk. */
export function memberChunk(world: World, session: Session, request: Record<string, unknown>): object | null {
  const guildId = typeof request['guild_id'] === 'string' ? request['guild_id'] : '';
  if (!world.state.guilds.has(guildId) || !world.state.member(guildId, world.botId)) return null;
  const userIds = request['user_ids'];
  const wanted = Array.isArray(userIds) ? userIds.map(String) : typeof userIds === 'string' ? [userIds] : null;
  // Listing all members needs the Server Members intent; asking for given ids does not.
  if (!wanted && (session.intents & I.GuildMembers) === 0) return null;
  const query = typeof request['query'] === 'string' ? request['query'].toLowerCase() : '';
  const limit = Number(request['limit'] ?? 0) || Infinity;
  const members = world.state
    .guildMembers(guildId)
    .filter((m) => (wanted ? wanted.includes(m.userId) : world.state.user(m.userId).username.toLowerCase().startsWith(query)))
    .slice(0, limit);
  const notFound = wanted ? wanted.filter((id) => !world.state.member(guildId, id)) : [];
  return {
    guild_id: guildId,
    members: members.map((m) => world.payloads.member(m)),
    chunk_index: 0,
    chunk_count: 1,
    ...(notFound.length ? { not_found: notFound } : {}),
    ...(request['nonce'] !== undefined ? { nonce: request['nonce'] } : {}),
  };
}
