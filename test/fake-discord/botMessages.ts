import { MessageType } from 'discord.js';
import { assertComponentsV2Rules, IS_COMPONENTS_V2 } from './componentsV2Limits.js';
import type { BotMessageRecord } from './groundTruth.js';
import { assertNotEmpty, parseMentions, readMessageInput, type UploadedFile } from './messageInput.js';
import type { InteractionMetadataRecord, MessageRecord } from './state.js';
import type { World } from './world.js';

/** Messages the bot creates and edits, through channel routes and interaction webhooks alike. */

const EPHEMERAL = 64;
const LOADING = 128;
const KEPT_FLAGS = EPHEMERAL | IS_COMPONENTS_V2;

export interface BotMessageOptions {
  channelId: string;
  body: unknown;
  files: UploadedFile[];
  allowEphemeral: boolean;
  type?: MessageType;
  interaction?: InteractionMetadataRecord;
  origin: BotMessageRecord['origin'];
  /** Extra flags (e.g. LOADING for a deferred reply). */
  extraFlags?: number;
  /** Deferred replies start empty. */
  allowEmpty?: boolean;
}

export function createBotMessage(world: World, options: BotMessageOptions): MessageRecord {
  const input = readMessageInput(options.body, options.files, {
    channelId: options.channelId,
    newId: () => world.state.ids.next(),
    allowEphemeral: options.allowEphemeral,
  });
  const flags = (input.flags ?? 0) | (options.extraFlags ?? 0);
  const message = world.newMessage({
    channelId: options.channelId,
    authorId: world.botId,
    content: input.content ?? '',
    embeds: input.embeds ?? [],
    components: input.components ?? [],
    attachments: input.attachments ?? [],
    flags,
    type: options.type ?? (input.replyTo ? MessageType.Reply : MessageType.Default),
    ephemeral: (flags & EPHEMERAL) !== 0,
    referencedMessageId: input.replyTo ?? null,
    interaction: options.interaction ?? null,
    webhookId: options.interaction ? world.applicationId : null,
    applicationId: options.interaction ? world.applicationId : null,
  });
  for (const attachment of message.attachments) attachment.ephemeral = message.ephemeral;
  if (!options.allowEmpty) assertNotEmpty(message);
  assertComponentsV2Rules(message);
  const mentions = parseMentions(message.content);
  message.mentions = mentions.users.filter((id) => world.state.users.has(id));
  message.mentionRoles = mentions.roles;
  message.mentionEveryone = mentions.everyone;
  return world.addMessage(message, { kind: options.origin, interactionId: options.interaction?.id ?? null });
}

/** Apply an edit body (PATCH) to a message; absent fields stay as they were, as on Discord. */
export function editBotMessage(world: World, message: MessageRecord, body: unknown, files: UploadedFile[]): MessageRecord {
  const input = readMessageInput(body, files, {
    channelId: message.channelId,
    existing: message.attachments,
    newId: () => world.state.ids.next(),
    existingFlags: message.flags,
    // An edit cannot change whether a message is ephemeral; Discord ignores the bit, so do we.
    allowEphemeral: true,
  });
  const wasLoading = (message.flags & LOADING) !== 0;
  const raw = (body ?? {}) as Record<string, unknown>;
  const next: Pick<MessageRecord, 'content' | 'embeds' | 'components' | 'attachments' | 'flags'> = {
    content: raw['content'] === null ? '' : (input.content ?? message.content),
    embeds: raw['embeds'] === null ? [] : (input.embeds ?? message.embeds),
    components: raw['components'] === null ? [] : (input.components ?? message.components),
    attachments: input.attachments ?? message.attachments,
    // Neither ephemerality nor Components V2 can be undone by an edit.
    flags: ((input.flags === undefined ? message.flags : (message.flags & KEPT_FLAGS) | (input.flags & ~EPHEMERAL)) & ~LOADING) >>> 0,
  };
  // Validate before touching the stored message, so a refused edit changes nothing.
  assertNotEmpty(next);
  assertComponentsV2Rules(next);
  Object.assign(message, next);
  for (const attachment of message.attachments) {
    attachment.ephemeral = message.ephemeral;
    attachment.messageId = message.id;
    world.state.attachments.set(attachment.id, attachment);
  }
  if (!wasLoading) message.editedAt = Date.now();
  const mentions = parseMentions(message.content);
  message.mentions = mentions.users.filter((id) => world.state.users.has(id));
  message.mentionRoles = mentions.roles;
  world.updateMessage(message);
  return message;
}
