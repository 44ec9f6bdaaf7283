import { ChannelType, MessageType, type APIEmbed, type APIApplicationCommand } from 'discord.js';
import { SnowflakeGenerator, compareSnowflakes } from './snowflake.js';
import { FakeDiscordUsageError } from './errors.js';

/** What the fake Discord knows: users, guilds, roles, members, channels, messages, attachments, commands. */

export interface UserRecord {
  id: string;
  username: string;
  globalName: string | null;
  bot: boolean;
  /** The language of their Discord client, sent with each of their interactions (`locale`). */
  locale: string;
}

export interface GuildRecord {
  id: string;
  name: string;
  ownerId: string;
  /** False while the guild is in an outage (GUILD_DELETE with unavailable: true). */
  available: boolean;
  joinedAt: string;
  /** The server's language (`preferred_locale`, and `guild_locale` on interactions). */
  preferredLocale: string;
}

export interface RoleRecord {
  id: string;
  guildId: string;
  name: string;
  permissions: bigint;
  position: number;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  /** Set for the bot's own managed role. */
  botId: string | null;
}

export interface MemberRecord {
  guildId: string;
  userId: string;
  roles: string[];
  nick: string | null;
  joinedAt: string;
}

export interface OverwriteRecord {
  id: string;
  type: 'role' | 'member';
  allow: bigint;
  deny: bigint;
}

export interface ChannelRecord {
  id: string;
  type: ChannelType;
  guildId: string | null;
  name: string;
  position: number;
  parentId: string | null;
  nsfw: boolean;
  topic: string | null;
  overwrites: OverwriteRecord[];
  lastMessageId: string | null;
  /** Threads only. */
  thread: ThreadState | null;
  /** DMs only: the user the bot talks to. */
  recipientIds: string[];
}

export interface ThreadState {
  ownerId: string;
  archived: boolean;
  locked: boolean;
  members: Set<string>;
  createdAt: string;
  /** When it was last archived (archived listings are ordered and paged by it). */
  archivedAt: string | null;
  messageCount: number;
}

export interface AttachmentRecord {
  id: string;
  channelId: string;
  /** Set when the message carrying it is stored; the CDN stops serving it once that message is deleted. */
  messageId: string | null;
  filename: string;
  contentType: string | null;
  data: Buffer;
  width: number | null;
  height: number | null;
  description: string | null;
  ephemeral: boolean;
}

export interface InteractionMetadataRecord {
  id: string;
  type: number;
  name: string;
  userId: string;
  /** For a component's interaction: the message the component was on. */
  interactedMessageId?: string | null;
}

/** One emoji on a message and who reacted with it, in the order they did. */
export interface ReactionRecord {
  /** A Unicode emoji (custom emojis are not modelled). */
  emoji: string;
  userIds: string[];
}

export interface MessageRecord {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: unknown[];
  attachments: AttachmentRecord[];
  flags: number;
  type: MessageType;
  createdAt: number;
  editedAt: number | null;
  mentions: string[];
  mentionRoles: string[];
  mentionEveryone: boolean;
  referencedMessageId: string | null;
  /** Interaction responses and follow-ups carry the application id as webhook id, as on Discord. */
  webhookId: string | null;
  applicationId: string | null;
  interaction: InteractionMetadataRecord | null;
  /** Emojis in the order they were first added. */
  reactions: ReactionRecord[];
  /** Ephemeral messages never enter channel history. */
  ephemeral: boolean;
  deleted: boolean;
}

export class DiscordState {
  readonly ids: SnowflakeGenerator;
  readonly users = new Map<string, UserRecord>();
  readonly guilds = new Map<string, GuildRecord>();
  readonly roles = new Map<string, RoleRecord>();
  readonly members = new Map<string, MemberRecord>();
  readonly channels = new Map<string, ChannelRecord>();
  readonly messages = new Map<string, MessageRecord>();
  readonly attachments = new Map<string, AttachmentRecord>();
  /** Message ids of each channel, oldest first (ids are made in time order, so appending keeps it sorted). */
  private readonly history = new Map<string, string[]>();
  readonly globalCommands = new Map<string, APIApplicationCommand>();
  readonly guildCommands = new Map<string, Map<string, APIApplicationCommand>>();

  constructor(ids = new SnowflakeGenerator()) {
    this.ids = ids;
  }

  user(id: string): UserRecord {
    const user = this.users.get(id);
    if (!user) throw new FakeDiscordUsageError(`unknown user ${id}: create it with createUser() first`);
    return user;
  }

  /** The DM channel between the bot and a user, made on first use. */
  dmChannel(userId: string): ChannelRecord {
    const existing = [...this.channels.values()].find((c) => c.guildId === null && c.recipientIds[0] === userId);
    if (existing) return existing;
    const channel: ChannelRecord = {
      id: this.ids.next(),
      type: ChannelType.DM,
      guildId: null,
      name: '',
      position: 0,
      parentId: null,
      nsfw: false,
      topic: null,
      overwrites: [],
      lastMessageId: null,
      thread: null,
      recipientIds: [userId],
    };
    this.channels.set(channel.id, channel);
    return channel;
  }

  guild(id: string): GuildRecord {
    const guild = this.guilds.get(id);
    if (!guild) throw new FakeDiscordUsageError(`unknown guild ${id}: create it with createGuild() first`);
    return guild;
  }

  channel(id: string): ChannelRecord {
    const channel = this.channels.get(id);
    if (!channel) throw new FakeDiscordUsageError(`unknown channel ${id}: create it with createChannel() first`);
    return channel;
  }

  message(id: string): MessageRecord {
    const message = this.messages.get(id);
    if (!message || message.deleted) throw new FakeDiscordUsageError(`unknown message ${id}`);
    return message;
  }

  member(guildId: string, userId: string): MemberRecord | undefined {
    return this.members.get(`${guildId}:${userId}`);
  }

  setMember(member: MemberRecord): void {
    this.members.set(`${member.guildId}:${member.userId}`, member);
  }

  removeMember(guildId: string, userId: string): void {
    this.members.delete(`${guildId}:${userId}`);
  }

  guildRoles(guildId: string): RoleRecord[] {
    return [...this.roles.values()].filter((r) => r.guildId === guildId).sort((a, b) => a.position - b.position);
  }

  guildMembers(guildId: string): MemberRecord[] {
    return [...this.members.values()].filter((m) => m.guildId === guildId);
  }

  guildChannels(guildId: string): ChannelRecord[] {
    return [...this.channels.values()].filter((c) => c.guildId === guildId);
  }

  /** The @everyone role has the guild's id, as on Discord. */
  everyoneRole(guildId: string): RoleRecord {
    const role = this.roles.get(guildId);
    if (!role) throw new FakeDiscordUsageError(`guild ${guildId} has no @everyone role`);
    return role;
  }

  isThread(channel: ChannelRecord): boolean {
    return channel.thread !== null;
  }

  addMessage(message: MessageRecord): void {
    this.messages.set(message.id, message);
    for (const attachment of message.attachments) {
      attachment.messageId = message.id;
      this.attachments.set(attachment.id, attachment);
    }
    if (message.ephemeral) return;
    const list = this.history.get(message.channelId) ?? [];
    const last = list[list.length - 1];
    if (last === undefined || compareSnowflakes(last, message.id) < 0) list.push(message.id);
    else {
      list.push(message.id);
      list.sort(compareSnowflakes);
    }
    this.history.set(message.channelId, list);
    const channel = this.channels.get(message.channelId);
    if (channel) {
      channel.lastMessageId = list[list.length - 1] ?? null;
      if (channel.thread) channel.thread.messageCount += 1;
    }
  }

  removeMessage(id: string): MessageRecord | undefined {
    const message = this.messages.get(id);
    if (!message || message.deleted) return undefined;
    message.deleted = true;
    const list = this.history.get(message.channelId);
    if (list) {
      const index = list.indexOf(id);
      if (index >= 0) list.splice(index, 1);
    }
    return message;
  }

  /** Live message ids of a channel, oldest first. */
  channelHistory(channelId: string): readonly string[] {
    return this.history.get(channelId) ?? [];
  }
}
