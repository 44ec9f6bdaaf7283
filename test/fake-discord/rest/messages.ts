import { ChannelType, PermissionFlagsBits as P } from 'discord.js';
import { createBotMessage, editBotMessage } from '../botMessages.js';
import { ApiError, invalidFormBody, missingAccess, missingPermissions, unknownChannel, unknownMessage } from '../errors.js';
import { channelPermissions } from '../permissions.js';
import { noContent, ok, type RestRequest, type Router } from '../router.js';
import type { ChannelRecord, MessageRecord } from '../state.js';
import type { World } from '../world.js';

/** Channel messages: history paging as Discord pages it, single reads, and the bot's own create/edit/delete. */

export function registerMessageRoutes(router: Router, world: World): void {
  const channelFor = (req: RestRequest): ChannelRecord => {
    const channel = world.state.channels.get(req.params['channelId'] ?? '');
    if (!channel) throw unknownChannel();
    if (!world.botCanView(channel)) throw missingAccess();
    return channel;
  };
  const permissions = (channel: ChannelRecord) => channelPermissions(world.state, channel, world.botId);
  const asSeen = (message: MessageRecord) =>
    world.payloads.message(message, { stripContent: world.hidesContent(message, world.privileged.messageContent) });

  router.add('GET', '/channels/:channelId/messages', (req) => {
    const channel = channelFor(req);
    const limit = Number(req.query.get('limit') ?? '50');
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
      throw invalidFormBody({ limit: { _errors: [{ code: 'NUMBER_TYPE_MAX', message: 'int value should be between 1 and 100.' }] } });
    }
    if ((permissions(channel) & P.ReadMessageHistory) === 0n) return ok([]);
    const ids = pageOfHistory(world.state.channelHistory(channel.id), req.query, limit);
    return ok(ids.map((id) => asSeen(world.state.message(id))));
  });

  // Pins are not modelled: every channel has none.
  router.add('GET', '/channels/:channelId/messages/pins', (req) => {
    channelFor(req);
    return ok({ items: [], has_more: false });
  });
  router.add('GET', '/channels/:channelId/pins', (req) => {
    channelFor(req);
    return ok([]);
  });

  router.add('GET', '/channels/:channelId/messages/:messageId', (req) => {
    const channel = channelFor(req);
    if ((permissions(channel) & P.ReadMessageHistory) === 0n) throw missingAccess();
    const message = world.state.messages.get(req.params['messageId'] ?? '');
    if (!message || message.deleted || message.ephemeral || message.channelId !== channel.id) throw unknownMessage();
    return ok(asSeen(message));
  });

  router.add('POST', '/channels/:channelId/messages/bulk-delete', (req) => {
    const channel = channelFor(req);
    if ((permissions(channel) & P.ManageMessages) === 0n) throw missingPermissions();
    const ids = ((req.body ?? {}) as { messages?: string[] }).messages ?? [];
    if (ids.length < 2 || ids.length > 100) {
      throw invalidFormBody({ messages: { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 2 and 100 in length.' }] } });
    }
    world.bulkDelete(
      channel.id,
      ids.filter((id) => world.state.messages.get(id)?.channelId === channel.id),
    );
    return noContent();
  });

  router.add('POST', '/channels/:channelId/messages', (req) => {
    const channel = channelFor(req);
    if (channel.type === ChannelType.GuildCategory || channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia) {
      throw new ApiError(400, 50008, 'Cannot send messages in a non-text channel');
    }
    const perms = permissions(channel);
    const send = channel.thread ? P.SendMessagesInThreads : P.SendMessages;
    if (channel.guildId !== null && (perms & send) === 0n) throw missingPermissions();
    if (channel.thread?.archived || channel.thread?.locked) throw new ApiError(400, 50083, 'Thread is archived');
    if (req.files.length > 0 && channel.guildId !== null && (perms & P.AttachFiles) === 0n) throw missingPermissions();
    const reference = ((req.body ?? {}) as { message_reference?: { message_id?: string } }).message_reference?.message_id;
    if (reference) {
      const target = world.state.messages.get(reference);
      if (!target || target.deleted || target.channelId !== channel.id) {
        throw invalidFormBody({
          message_reference: { _errors: [{ code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }] },
        });
      }
    }
    const message = createBotMessage(world, {
      channelId: channel.id,
      body: req.body,
      files: req.files,
      allowEphemeral: false,
      origin: 'channel',
    });
    return ok(world.payloads.message(message));
  });

  router.add('PATCH', '/channels/:channelId/messages/:messageId', (req) => {
    const channel = channelFor(req);
    const message = world.state.messages.get(req.params['messageId'] ?? '');
    if (!message || message.deleted || message.channelId !== channel.id) throw unknownMessage();
    if (message.authorId !== world.botId) throw new ApiError(403, 50005, 'Cannot edit a message authored by another user');
    return ok(world.payloads.message(editBotMessage(world, message, req.body, req.files)));
  });

  router.add('DELETE', '/channels/:channelId/messages/:messageId', (req) => {
    const channel = channelFor(req);
    const message = world.state.messages.get(req.params['messageId'] ?? '');
    if (!message || message.deleted || message.channelId !== channel.id) throw unknownMessage();
    if (message.authorId !== world.botId && (permissions(channel) & P.ManageMessages) === 0n) throw missingPermissions();
    world.deleteMessage(message.id);
    return noContent();
  });

  router.add('POST', '/channels/:channelId/typing', (req) => {
    channelFor(req);
    return noContent();
  });
}

/**
 * Discord's paging over a channel's history (ids oldest first): `before` gives the newest `limit` older messages,
 * `after` the oldest `limit` newer ones, `around` about half each side (the message itself included); every page is
 * newest first. Only one of them applies, in the order around, before, after.
 */
export function pageOfHistory(ids: readonly string[], query: URLSearchParams, limit: number): string[] {
  const around = query.get('around');
  const before = query.get('before');
  const after = query.get('after');
  let page: string[];
  if (around) {
    const pivot = BigInt(around);
    const older = ids.filter((id) => BigInt(id) <= pivot);
    const newer = ids.filter((id) => BigInt(id) > pivot);
    const newerCount = Math.floor(limit / 2);
    page = [...older.slice(Math.max(0, older.length - (limit - newerCount))), ...newer.slice(0, newerCount)];
  } else if (before) {
    const older = ids.filter((id) => BigInt(id) < BigInt(before));
    page = older.slice(Math.max(0, older.length - limit));
  } else if (after) {
    page = ids.filter((id) => BigInt(id) > BigInt(after)).slice(0, limit);
  } else {
    page = ids.slice(Math.max(0, ids.length - limit));
  }
  return page.reverse();
}
