import { ChannelType, PermissionFlagsBits as P, type APIEmbed } from 'discord.js';
import { sanitizeFilename } from './cdn.js';
import { FakeDiscordUsageError } from './errors.js';
import { contentTypeFor, imageInfo } from './imageInfo.js';
import { parseMentions } from './messageInput.js';
import { channelPermissions } from './permissions.js';
import type { AttachmentRecord, ChannelRecord, MessageRecord } from './state.js';
import type { World } from './world.js';

/** What people do in channels: post, edit and delete messages, and open DMs with the bot. */

export interface FileSpec {
  filename: string;
  data: Buffer;
  contentType?: string;
  description?: string;
}

export interface PostSpec {
  content?: string;
  attachments?: FileSpec[];
  embeds?: APIEmbed[];
  /** The message this one replies to. */
  replyTo?: string;
}

/** What an author may change in a message: its text, its embeds, and which of its attachments stay (by id). */
export interface MessageEdit {
  content?: string;
  embeds?: APIEmbed[];
  keepAttachments?: string[];
}

export class UserActions {
  constructor(private readonly world: World) {}

  /** An attachment record served by the CDN once its message (or interaction) holds it. */
  makeAttachment(channelId: string, file: FileSpec, ephemeral = false): AttachmentRecord {
    const filename = sanitizeFilename(file.filename);
    const info = imageInfo(file.data);
    return {
      id: this.world.state.ids.next(),
      channelId,
      messageId: null,
      filename,
      contentType: contentTypeFor(filename, file.data, file.contentType ?? null),
      data: file.data,
      width: info?.width ?? null,
      height: info?.height ?? null,
      description: file.description ?? null,
      ephemeral,
    };
  }

  /** `id` is only for a forum post's starter message, which shares its thread's id. */
  post(channelId: string, userId: string, spec: PostSpec, id?: string): MessageRecord {
    const channel = this.world.state.channel(channelId);
    this.checkCanPost(channel, userId, (spec.attachments?.length ?? 0) > 0);
    if (!spec.content && !spec.attachments?.length && !spec.embeds?.length) {
      throw new FakeDiscordUsageError('a message needs content, attachments or embeds');
    }
    if (spec.replyTo && this.world.state.message(spec.replyTo).channelId !== channelId) {
      throw new FakeDiscordUsageError(`message ${spec.replyTo} is not in channel ${channelId}`);
    }
    const content = spec.content ?? '';
    const mentions = parseMentions(content);
    const message = this.world.newMessage({
      ...(id ? { id } : {}),
      channelId,
      authorId: userId,
      content,
      embeds: spec.embeds ?? [],
      attachments: (spec.attachments ?? []).map((f) => this.makeAttachment(channelId, f)),
      mentions: mentions.users.filter((id) => this.world.state.users.has(id)),
      mentionRoles: mentions.roles,
      mentionEveryone: mentions.everyone,
      referencedMessageId: spec.replyTo ?? null,
      type: spec.replyTo ? 19 : 0,
    });
    return this.world.addMessage(message);
  }

  edit(messageId: string, changes: MessageEdit): MessageRecord {
    const message = this.world.state.message(messageId);
    if (message.authorId === this.world.botId) throw new FakeDiscordUsageError('the bot edits its own messages through REST');
    if (changes.content !== undefined) {
      message.content = changes.content;
      const mentions = parseMentions(changes.content);
      message.mentions = mentions.users.filter((id) => this.world.state.users.has(id));
      message.mentionRoles = mentions.roles;
      message.mentionEveryone = mentions.everyone;
    }
    if (changes.embeds !== undefined) message.embeds = changes.embeds;
    if (changes.keepAttachments !== undefined) {
      const kept = new Set(changes.keepAttachments);
      // As on Discord, an attachment edited out is gone: its CDN URL stops working.
      for (const attachment of message.attachments) if (!kept.has(attachment.id)) attachment.messageId = null;
      message.attachments = message.attachments.filter((attachment) => kept.has(attachment.id));
    }
    message.editedAt = Date.now();
    this.world.updateMessage(message);
    return message;
  }

  /** The DM channel between the bot and a user (made on first use). */
  dmChannel(userId: string): ChannelRecord {
    this.world.state.user(userId);
    return this.world.state.dmChannel(userId);
  }

  private checkCanPost(channel: ChannelRecord, userId: string, withFiles: boolean): void {
    if (channel.guildId === null) {
      if (channel.recipientIds[0] !== userId) throw new FakeDiscordUsageError(`user ${userId} is not in DM ${channel.id}`);
      return;
    }
    if ([ChannelType.GuildCategory, ChannelType.GuildForum, ChannelType.GuildMedia].includes(channel.type)) {
      throw new FakeDiscordUsageError(`cannot post in channel ${channel.id} (category, forum or media): post in a thread of it`);
    }
    if (!this.world.state.member(channel.guildId, userId))
      throw new FakeDiscordUsageError(`user ${userId} is not a member of guild ${channel.guildId}`);
    const perms = channelPermissions(this.world.state, channel, userId);
    const send = channel.thread ? P.SendMessagesInThreads : P.SendMessages;
    if ((perms & P.ViewChannel) === 0n || (perms & send) === 0n) {
      throw new FakeDiscordUsageError(`user ${userId} may not post in channel ${channel.id} (permissions)`);
    }
    if (withFiles && (perms & P.AttachFiles) === 0n)
      throw new FakeDiscordUsageError(`user ${userId} may not attach files in ${channel.id}`);
  }
}
