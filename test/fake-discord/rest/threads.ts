import { ChannelType, PermissionFlagsBits as P } from 'discord.js';
import { invalidFormBody, missingAccess, missingPermissions, unknownChannel, unknownMember } from '../errors.js';
import { channelPermissions } from '../permissions.js';
import { ok, type RestRequest, type Router } from '../router.js';
import type { ChannelRecord } from '../state.js';
import type { World } from '../world.js';

/**
 * Thread reads: one member of a thread, and the three archived-thread listings with Discord's permission rules
 * (public: Read Message History; every private one: also Manage Threads; the private ones the bot joined: Read
 * Message History), newest archive first, paged by `limit` and `before`.
 */

const PUBLIC_THREAD_TYPES: readonly ChannelType[] = [ChannelType.PublicThread, ChannelType.AnnouncementThread];

export function registerThreadRoutes(router: Router, world: World): void {
  const { state, payloads } = world;
  const viewable = (req: RestRequest): ChannelRecord => {
    const channel = state.channels.get(req.params['channelId'] ?? '');
    if (!channel) throw unknownChannel();
    if (!world.botCanView(channel)) throw missingAccess();
    return channel;
  };
  const requireBot = (channel: ChannelRecord, bit: bigint, error: () => Error): void => {
    if ((channelPermissions(state, channel, world.botId) & bit) === 0n) throw error();
  };
  const threadMember = (thread: ChannelRecord, userId: string) => ({
    id: thread.id,
    user_id: userId,
    join_timestamp: thread.thread?.createdAt,
    flags: 0,
  });
  /** One page of archived threads of `parent` that pass `include`, as Discord pages them. */
  const archivedPage = (req: RestRequest, parent: ChannelRecord, include: (thread: ChannelRecord) => boolean, beforeIsId: boolean) => {
    const limit = Number(req.query.get('limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 2 || limit > 100) {
      throw invalidFormBody({ limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be between 2 and 100.' }] } });
    }
    const before = req.query.get('before');
    const archivedAt = (thread: ChannelRecord) => Date.parse(thread.thread!.archivedAt ?? thread.thread!.createdAt);
    const threads = [...state.channels.values()]
      .filter((c) => c.parentId === parent.id && c.thread?.archived === true && include(c))
      .filter((c) => before === null || (beforeIsId ? BigInt(c.id) < BigInt(before) : archivedAt(c) < Date.parse(before)))
      .sort((a, b) =>
        beforeIsId ? Number(BigInt(b.id) - BigInt(a.id)) : archivedAt(b) - archivedAt(a) || Number(BigInt(b.id) - BigInt(a.id)),
      );
    const page = threads.slice(0, limit);
    return ok({
      threads: page.map((c) => payloads.channel(c)),
      members: page.filter((c) => c.thread!.members.has(world.botId)).map((c) => threadMember(c, world.botId)),
      has_more: threads.length > limit,
    });
  };

  router.add('GET', '/channels/:channelId/thread-members/:userId', (req) => {
    const channel = viewable(req);
    const userId = req.params['userId'] ?? '';
    if (channel.thread === null || !channel.thread.members.has(userId)) throw unknownMember();
    return ok(threadMember(channel, userId));
  });

  router.add('GET', '/channels/:channelId/threads/archived/public', (req) => {
    const parent = viewable(req);
    requireBot(parent, P.ReadMessageHistory, missingAccess);
    return archivedPage(req, parent, (thread) => PUBLIC_THREAD_TYPES.includes(thread.type), false);
  });

  router.add('GET', '/channels/:channelId/threads/archived/private', (req) => {
    const parent = viewable(req);
    requireBot(parent, P.ReadMessageHistory, missingAccess);
    requireBot(parent, P.ManageThreads, missingPermissions);
    return archivedPage(req, parent, (thread) => thread.type === ChannelType.PrivateThread, false);
  });

  router.add('GET', '/channels/:channelId/users/@me/threads/archived/private', (req) => {
    const parent = viewable(req);
    requireBot(parent, P.ReadMessageHistory, missingAccess);
    return archivedPage(
      req,
      parent,
      (thread) => thread.type === ChannelType.PrivateThread && thread.thread!.members.has(world.botId),
      true,
    );
  });
}
