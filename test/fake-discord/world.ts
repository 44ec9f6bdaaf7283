import { GatewayIntentBits as I, MessageType, PermissionFlagsBits as P } from 'discord.js';
import type { Cdn } from './cdn.js';
import type { Gateway, Session } from './gateway.js';
import type { BotMessageRecord, GroundTruth } from './groundTruth.js';
import type { Payloads } from './payloads.js';
import { channelPermissions } from './permissions.js';
import type { ChannelRecord, DiscordState, MessageRecord } from './state.js';
import { snowflakeTimestamp } from './snowflake.js';

/** The shared pieces every route and test action works with, and the few operations they all need. */

export interface PrivilegedIntents {
  messageContent: boolean;
  guildMembers: boolean;
  presences: boolean;
}

export class World {
  constructor(
    readonly state: DiscordState,
    readonly cdn: Cdn,
    readonly payloads: Payloads,
    readonly gateway: Gateway,
    readonly truth: GroundTruth,
    readonly botId: string,
    readonly applicationId: string,
    readonly privileged: PrivilegedIntents,
  ) {}

  botCanView(channel: ChannelRecord): boolean {
    return (channelPermissions(this.state, channel, this.botId) & P.ViewChannel) !== 0n;
  }

  /**
   * Discord empties content, embeds, attachments and components without the Message Content intent, except in DMs,
   * in messages that mention the bot, and in the bot's own messages.
   */
  hidesContent(message: MessageRecord, hasIntent: boolean): boolean {
    if (hasIntent || message.guildId === null) return false;
    return message.authorId !== this.botId && !message.mentions.includes(this.botId);
  }

  private messageTarget(message: MessageRecord): { guildId: string | null; intent: number } | null {
    if (message.ephemeral) return null;
    const channel = this.state.channels.get(message.channelId);
    if (!channel) return null;
    if (message.guildId !== null && !this.botCanView(channel)) return null;
    return { guildId: message.guildId, intent: message.guildId === null ? I.DirectMessages : I.GuildMessages };
  }

  private messageFor(message: MessageRecord) {
    return (session: Session) =>
      this.payloads.message(message, {
        gateway: true,
        stripContent: this.hidesContent(message, (session.intents & I.MessageContent) !== 0),
      });
  }

  /** Store a message and send MESSAGE_CREATE; the bot's own messages also enter the ground truth. */
  addMessage(message: MessageRecord, origin?: { kind: BotMessageRecord['origin']; interactionId: string | null }): MessageRecord {
    this.state.addMessage(message);
    if (message.authorId === this.botId) this.truth.recordCreate(message, origin?.kind ?? 'channel', origin?.interactionId ?? null);
    const target = this.messageTarget(message);
    if (target) this.gateway.dispatch('MESSAGE_CREATE', target, this.messageFor(message));
    return message;
  }

  updateMessage(message: MessageRecord): void {
    if (message.authorId === this.botId) this.truth.recordEdit(message);
    const target = this.messageTarget(message);
    if (target) this.gateway.dispatch('MESSAGE_UPDATE', target, this.messageFor(message));
  }

  deleteMessage(messageId: string): void {
    const message = this.state.removeMessage(messageId);
    if (!message) return;
    this.truth.recordDelete(messageId);
    const target = this.messageTarget(message);
    if (!target) return;
    this.gateway.dispatch('MESSAGE_DELETE', target, () => ({
      id: message.id,
      channel_id: message.channelId,
      ...(message.guildId ? { guild_id: message.guildId } : {}),
    }));
  }

  bulkDelete(channelId: string, messageIds: string[]): void {
    const removed = messageIds.map((id) => this.state.removeMessage(id)).filter((m) => m !== undefined);
    for (const message of removed) this.truth.recordDelete(message.id);
    const channel = this.state.channel(channelId);
    if (removed.length === 0 || (channel.guildId !== null && !this.botCanView(channel))) return;
    this.gateway.dispatch('MESSAGE_DELETE_BULK', { guildId: channel.guildId, intent: I.GuildMessages }, () => ({
      ids: removed.map((m) => m.id),
      channel_id: channelId,
      ...(channel.guildId ? { guild_id: channel.guildId } : {}),
    }));
  }

  /** Someone reacts to a message; MESSAGE_REACTION_ADD goes to sessions with the reactions intent. */
  addReaction(message: MessageRecord, emoji: string, userId: string): void {
    let reaction = message.reactions.find((candidate) => candidate.emoji === emoji);
    if (reaction === undefined) message.reactions.push((reaction = { emoji, userIds: [] }));
    if (reaction.userIds.includes(userId)) return;
    reaction.userIds.push(userId);
    const channel = this.state.channel(message.channelId);
    if (message.guildId !== null && !this.botCanView(channel)) return;
    const intent = message.guildId === null ? I.DirectMessageReactions : I.GuildMessageReactions;
    const member = message.guildId === null ? undefined : this.state.member(message.guildId, userId);
    this.gateway.dispatch('MESSAGE_REACTION_ADD', { guildId: message.guildId, intent }, () => ({
      user_id: userId,
      channel_id: message.channelId,
      message_id: message.id,
      message_author_id: message.authorId,
      emoji: { id: null, name: emoji },
      burst: false,
      burst_colors: [],
      type: 0,
      ...(message.guildId === null ? {} : { guild_id: message.guildId }),
      ...(member === undefined ? {} : { member: this.payloads.member(member) }),
    }));
  }

  /** A new message record with Discord's defaults. */
  newMessage(fields: Partial<MessageRecord> & Pick<MessageRecord, 'channelId' | 'authorId'>): MessageRecord {
    const channel = this.state.channel(fields.channelId);
    const id = fields.id ?? this.state.ids.next();
    return {
      id,
      guildId: channel.guildId,
      content: '',
      embeds: [],
      components: [],
      attachments: [],
      flags: 0,
      type: MessageType.Default,
      createdAt: snowflakeTimestamp(id),
      editedAt: null,
      mentions: [],
      mentionRoles: [],
      mentionEveryone: false,
      referencedMessageId: null,
      webhookId: null,
      applicationId: null,
      interaction: null,
      reactions: [],
      ephemeral: false,
      deleted: false,
      ...fields,
    };
  }

  /** Send a guild-scoped event (channels, threads, roles, members) to sessions with `intent`. */
  dispatchGuildEvent(t: string, guildId: string, intent: number, build: (session: Session) => object | null): void {
    const guild = this.state.guilds.get(guildId);
    if (!guild || !guild.available || !this.state.member(guildId, this.botId)) return;
    this.gateway.dispatch(t, { guildId, intent }, build);
  }
}
