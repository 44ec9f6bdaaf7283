import { GatewayIntentBits as I } from 'discord.js';
import { invalidFormBody, missingAccess, unknownChannel, unknownGuild, unknownMember, unknownUser } from '../errors.js';
import { noContent, ok, type RestRequest, type Router } from '../router.js';
import type { ChannelRecord } from '../state.js';
import type { World } from '../world.js';

/** The guild, channel, member, role and user reads discord.js makes, and the bot leaving a guild. */

export function registerGuildRoutes(router: Router, world: World): void {
  const { state, payloads } = world;
  const guildFor = (req: RestRequest) => {
    const guild = state.guilds.get(req.params['guildId'] ?? '');
    if (!guild) throw unknownGuild();
    if (!state.member(guild.id, world.botId)) throw missingAccess();
    return guild;
  };
  const threadMember = (channel: ChannelRecord) => ({
    id: channel.id,
    user_id: world.botId,
    join_timestamp: channel.thread?.createdAt,
    flags: 0,
  });

  router.add('GET', '/guilds/:guildId', (req) => {
    const guild = guildFor(req);
    const counts =
      req.query.get('with_counts') === 'true'
        ? { approximate_member_count: state.guildMembers(guild.id).length, approximate_presence_count: 0 }
        : {};
    return ok({ ...payloads.guilds.guild(guild), ...counts });
  });

  router.add('GET', '/guilds/:guildId/channels', (req) => {
    const guild = guildFor(req);
    return ok(
      state
        .guildChannels(guild.id)
        .filter((c) => !c.thread)
        .map((c) => payloads.channel(c)),
    );
  });

  router.add('GET', '/guilds/:guildId/threads/active', (req) => {
    const guild = guildFor(req);
    const threads = state.guildChannels(guild.id).filter((c) => c.thread && !c.thread.archived && world.botCanView(c));
    return ok({
      threads: threads.map((c) => payloads.channel(c)),
      members: threads.filter((c) => c.thread?.members.has(world.botId)).map(threadMember),
      // The spec's ThreadsResponse requires it here too; all active threads come in one answer.
      has_more: false,
    });
  });

  router.add('GET', '/guilds/:guildId/roles', (req) => ok(state.guildRoles(guildFor(req).id).map((r) => payloads.role(r))));

  router.add('GET', '/guilds/:guildId/roles/:roleId', (req) => {
    const guild = guildFor(req);
    const role = state.roles.get(req.params['roleId'] ?? '');
    if (!role || role.guildId !== guild.id) throw unknownGuild();
    return ok(payloads.role(role));
  });

  router.add('GET', '/guilds/:guildId/members/search', (req) => {
    const guild = guildFor(req);
    const query = (req.query.get('query') ?? '').toLowerCase();
    const limit = Math.min(Number(req.query.get('limit') ?? '1'), 1000);
    const found = state
      .guildMembers(guild.id)
      .filter((m) => state.user(m.userId).username.toLowerCase().startsWith(query) || (m.nick ?? '').toLowerCase().startsWith(query));
    return ok(found.slice(0, limit).map((m) => payloads.member(m)));
  });

  router.add('GET', '/guilds/:guildId/members/:userId', (req) => {
    const guild = guildFor(req);
    const member = state.member(guild.id, req.params['userId'] ?? '');
    if (!member) throw unknownMember();
    return ok(payloads.member(member));
  });

  router.add('GET', '/guilds/:guildId/members', (req) => {
    const guild = guildFor(req);
    // Listing members is reserved to apps with the Server Members intent switched on.
    if (!world.privileged.guildMembers) throw missingAccess();
    const limit = Number(req.query.get('limit') ?? '1');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw invalidFormBody({ limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 1000.' }] } });
    }
    const after = BigInt(req.query.get('after') ?? '0');
    const members = state
      .guildMembers(guild.id)
      .filter((m) => BigInt(m.userId) > after)
      .sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
    return ok(members.slice(0, limit).map((m) => payloads.member(m)));
  });

  router.add('GET', '/channels/:channelId', (req) => {
    const channel = state.channels.get(req.params['channelId'] ?? '');
    if (!channel) throw unknownChannel();
    if (channel.guildId !== null && !world.botCanView(channel)) throw missingAccess();
    return ok(payloads.channel(channel, world.botId));
  });

  router.add('DELETE', '/users/@me/guilds/:guildId', (req) => {
    const guild = guildFor(req);
    state.removeMember(guild.id, world.botId);
    world.gateway.dispatch('GUILD_DELETE', { guildId: guild.id, intent: I.Guilds }, () => ({ id: guild.id }));
    return noContent();
  });

  router.add('GET', '/users/@me/guilds', () =>
    ok(
      [...state.guilds.values()]
        .filter((g) => state.member(g.id, world.botId))
        .map((g) => ({
          id: g.id,
          name: g.name,
          icon: null,
          banner: null,
          owner: g.ownerId === world.botId,
          permissions: '0',
          features: [],
        })),
    ),
  );

  router.add('POST', '/users/@me/channels', (req) => {
    const recipientId = ((req.body ?? {}) as { recipient_id?: string }).recipient_id ?? '';
    if (!state.users.has(recipientId)) throw unknownUser();
    return ok(payloads.channel(state.dmChannel(recipientId)));
  });
}
