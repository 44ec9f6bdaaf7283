import { MessageType } from 'discord.js';
import { createBotMessage, editBotMessage } from '../botMessages.js';
import { ApiError, unknownInteraction, unknownMessage, unknownWebhook } from '../errors.js';
import type { InteractionRecord, Interactions } from '../interactions.js';
import { noContent, ok, type RestRequest, type Router } from '../router.js';
import type { InteractionMetadataRecord } from '../state.js';
import type { World } from '../world.js';

/** Interaction callbacks and the interaction webhook (`@original`, follow-ups). */

const LOADING = 128;
const EPHEMERAL = 64;
const TOKEN_LIFETIME_MS = 15 * 60 * 1000;

export function registerInteractionRoutes(router: Router, world: World, interactions: Interactions, deadlineMs: () => number): void {
  const metadata = (record: InteractionRecord): InteractionMetadataRecord => ({
    id: record.id,
    type: record.type,
    name: record.name ?? '',
    userId: record.userId,
    interactedMessageId: record.sourceMessageId,
  });

  router.add(
    'POST',
    '/interactions/:interactionId/:token/callback',
    (req) => {
      const record = interactions.get(req.params['interactionId'] ?? '');
      if (!record || record.token !== req.params['token']) throw unknownInteraction();
      if (Date.now() - record.createdAt > deadlineMs()) {
        record.expired = true;
        interactions.touch(record, false);
        throw unknownInteraction();
      }
      if (record.callbacks.length > 0) throw new ApiError(400, 40060, 'Interaction has already been acknowledged.');
      const body = (req.body ?? {}) as { type?: number; data?: Record<string, unknown> };
      const type = Number(body.type);
      const isComponent = record.type === 3;
      let answered = true;
      switch (type) {
        case 4: {
          const message = createBotMessage(world, {
            channelId: record.channelId,
            body: body.data,
            files: req.files,
            allowEphemeral: true,
            type: replyType(record),
            interaction: metadata(record),
            origin: 'interaction-response',
          });
          record.originalMessageId = message.id;
          break;
        }
        case 5: {
          const flags = Number(body.data?.['flags'] ?? 0) & EPHEMERAL;
          const message = createBotMessage(world, {
            channelId: record.channelId,
            body: { flags },
            files: [],
            allowEphemeral: true,
            type: replyType(record),
            interaction: metadata(record),
            origin: 'interaction-response',
            extraFlags: LOADING,
            allowEmpty: true,
          });
          record.originalMessageId = message.id;
          answered = false;
          break;
        }
        case 6:
          if (!isComponent) throw new ApiError(400, 40047, 'Interaction callback type 6 is only valid for components');
          answered = false;
          break;
        case 7: {
          if (!isComponent || !record.sourceMessageId)
            throw new ApiError(400, 40047, 'Interaction callback type 7 is only valid for components');
          editBotMessage(world, world.state.message(record.sourceMessageId), body.data, req.files);
          break;
        }
        case 8:
          answered = false;
          break;
        case 9:
          record.modal = body.data ?? null;
          break;
        default:
          throw new ApiError(400, 50035, 'Invalid Form Body', {
            type: { _errors: [{ code: 'BASE_TYPE_CHOICES', message: `Value must be one of {4, 5, 6, 7, 8, 9}.` }] },
          });
      }
      record.callbacks.push({ type, at: Date.now(), data: body.data ?? null });
      interactions.touch(record, answered);
      if (req.query.get('with_response') !== 'true') return noContent();
      const message = record.originalMessageId ? world.state.messages.get(record.originalMessageId) : undefined;
      return ok({
        interaction: {
          id: record.id,
          type: record.type,
          response_message_id: message?.id,
          response_message_loading: message ? (message.flags & LOADING) !== 0 : undefined,
          response_message_ephemeral: message ? message.ephemeral : undefined,
        },
        resource: { type, ...(message && (type === 4 || type === 7) ? { message: world.payloads.message(message) } : {}) },
      });
    },
    { auth: false },
  );

  const interactionFor = (req: RestRequest): InteractionRecord => {
    if (req.params['applicationId'] !== world.applicationId) throw unknownWebhook();
    const record = interactions.byToken(req.params['token'] ?? '');
    if (!record || Date.now() - record.createdAt > TOKEN_LIFETIME_MS) throw unknownWebhook();
    if (record.callbacks.length === 0) throw unknownWebhook();
    return record;
  };
  const messageFor = (record: InteractionRecord, id: string) => {
    const messageId = id === '@original' ? record.originalMessageId : id;
    if (!messageId || (messageId !== record.originalMessageId && !record.followupIds.includes(messageId))) throw unknownMessage();
    const message = world.state.messages.get(messageId);
    if (!message || message.deleted) throw unknownMessage();
    return message;
  };

  router.add(
    'POST',
    '/webhooks/:applicationId/:token',
    (req) => {
      const record = interactionFor(req);
      const original = record.originalMessageId ? world.state.messages.get(record.originalMessageId) : undefined;
      // The first follow-up after a deferred reply fills in the "thinking…" message instead of adding one, as on Discord.
      if (original && !original.deleted && (original.flags & LOADING) !== 0) {
        const edited = editBotMessage(world, original, req.body, req.files);
        interactions.touch(record, true);
        return ok(world.payloads.message(edited));
      }
      const message = createBotMessage(world, {
        channelId: record.channelId,
        body: req.body,
        files: req.files,
        allowEphemeral: true,
        type: MessageType.Default,
        interaction: metadata(record),
        origin: 'followup',
      });
      record.followupIds.push(message.id);
      interactions.touch(record, true);
      return req.query.get('wait') === 'false' ? noContent() : ok(world.payloads.message(message));
    },
    { auth: false },
  );

  router.add(
    'GET',
    '/webhooks/:applicationId/:token/messages/:messageId',
    (req) => {
      const record = interactionFor(req);
      return ok(world.payloads.message(messageFor(record, req.params['messageId'] ?? '')));
    },
    { auth: false },
  );

  router.add(
    'PATCH',
    '/webhooks/:applicationId/:token/messages/:messageId',
    (req) => {
      const record = interactionFor(req);
      const message = editBotMessage(world, messageFor(record, req.params['messageId'] ?? ''), req.body, req.files);
      interactions.touch(record, true);
      return ok(world.payloads.message(message));
    },
    { auth: false },
  );

  router.add(
    'DELETE',
    '/webhooks/:applicationId/:token/messages/:messageId',
    (req) => {
      const record = interactionFor(req);
      const message = messageFor(record, req.params['messageId'] ?? '');
      world.deleteMessage(message.id);
      interactions.touch(record, true);
      return noContent();
    },
    { auth: false },
  );
}

function replyType(record: InteractionRecord): MessageType {
  if (record.type !== 2) return MessageType.Default;
  return record.commandType === 1 ? MessageType.ChatInputCommand : MessageType.ContextMenuCommand;
}
