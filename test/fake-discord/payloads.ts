import {
  ChannelType,
  EmbedType,
  type GuildMemberFlags,
  type RoleFlags,
  type UserFlags,
  type APIAttachment,
  type APIChannel,
  type APIEmbed,
  type APIGuildMember,
  type APIMessage,
  type APIOverwrite,
  type APIRole,
  type APIUser,
} from 'discord.js';
import type { Cdn } from './cdn.js';
import { answeredComponents, externalMediaId, type UnfurledMedia } from './answeredComponents.js';
import { GuildPayloads } from './guildPayloads.js';
import type {
  AttachmentRecord,
  ChannelRecord,
  DiscordState,
  MemberRecord,
  MessageRecord,
  ReactionRecord,
  RoleRecord,
  UserRecord,
} from './state.js';

/** Turns state records into the JSON Discord sends (discord-api-types shapes). */
export class Payloads {
  /** Guild objects (REST guild, GUILD_CREATE). */
  readonly guilds: GuildPayloads;

  constructor(
    private readonly state: DiscordState,
    private readonly cdn: Cdn,
    /** Whose `me` a reaction's count answers: the bot's, the one viewer of REST answers and gateway events. */
    private readonly viewerId: () => string,
  ) {
    this.guilds = new GuildPayloads(state, this);
  }

  user(user: UserRecord): APIUser {
    return {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.globalName,
      avatar: null,
      ...(user.bot ? { bot: true } : {}),
      public_flags: 0 as UserFlags,
      flags: 0 as UserFlags,
      primary_guild: null,
    };
  }

  role(role: RoleRecord): APIRole {
    return {
      id: role.id,
      name: role.name,
      color: role.color,
      colors: { primary_color: role.color, secondary_color: null, tertiary_color: null },
      hoist: role.hoist,
      icon: null,
      unicode_emoji: null,
      position: role.position,
      permissions: role.permissions.toString(),
      managed: role.botId !== null,
      mentionable: role.mentionable,
      ...(role.botId ? { tags: { bot_id: role.botId } } : {}),
      flags: 0 as RoleFlags,
    };
  }

  member(member: MemberRecord): APIGuildMember {
    return {
      user: this.user(this.state.user(member.userId)),
      nick: member.nick,
      avatar: null,
      banner: null,
      roles: [...member.roles],
      joined_at: member.joinedAt,
      premium_since: null,
      deaf: false,
      mute: false,
      flags: 0 as GuildMemberFlags,
      pending: false,
      communication_disabled_until: null,
    };
  }

  overwrite(overwrite: ChannelRecord['overwrites'][number]): APIOverwrite {
    return {
      id: overwrite.id,
      type: overwrite.type === 'role' ? 0 : 1,
      allow: overwrite.allow.toString(),
      deny: overwrite.deny.toString(),
    };
  }

  /** A channel; for threads `memberFor` adds the thread-member object of that user when it is a member. */
  channel(channel: ChannelRecord, memberFor?: string): APIChannel {
    if (channel.guildId === null) {
      return {
        id: channel.id,
        type: ChannelType.DM,
        last_message_id: channel.lastMessageId,
        recipients: channel.recipientIds.map((id) => this.user(this.state.user(id))),
        flags: 0,
      } as unknown as APIChannel;
    }
    const base = {
      id: channel.id,
      type: channel.type,
      guild_id: channel.guildId,
      name: channel.name,
      position: channel.position,
      parent_id: channel.parentId,
      nsfw: channel.nsfw,
      flags: 0,
    };
    const thread = channel.thread;
    if (thread) {
      return {
        ...base,
        owner_id: thread.ownerId,
        last_message_id: channel.lastMessageId,
        rate_limit_per_user: 0,
        message_count: thread.messageCount,
        total_message_sent: thread.messageCount,
        member_count: Math.min(thread.members.size, 50),
        thread_metadata: {
          archived: thread.archived,
          auto_archive_duration: 1440,
          archive_timestamp: thread.archivedAt ?? thread.createdAt,
          locked: thread.locked,
          create_timestamp: thread.createdAt,
          ...(channel.type === ChannelType.PrivateThread ? { invitable: true } : {}),
        },
        ...(memberFor && thread.members.has(memberFor)
          ? { member: { id: channel.id, user_id: memberFor, join_timestamp: thread.createdAt, flags: 0 } }
          : {}),
        applied_tags: [],
      } as unknown as APIChannel;
    }
    const guildChannel: Record<string, unknown> = {
      ...base,
      permission_overwrites: channel.overwrites.map((o) => this.overwrite(o)),
    };
    if (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement) {
      Object.assign(guildChannel, {
        topic: channel.topic,
        last_message_id: channel.lastMessageId,
        rate_limit_per_user: 0,
        default_auto_archive_duration: 1440,
      });
    } else if (channel.type === ChannelType.GuildForum || channel.type === ChannelType.GuildMedia) {
      Object.assign(guildChannel, {
        topic: channel.topic,
        last_message_id: channel.lastMessageId,
        rate_limit_per_user: 0,
        available_tags: [],
        default_reaction_emoji: null,
        default_thread_rate_limit_per_user: 0,
        default_sort_order: null,
        default_forum_layout: 0,
        default_auto_archive_duration: 1440,
      });
    } else if (channel.type === ChannelType.GuildVoice) {
      Object.assign(guildChannel, { bitrate: 64000, user_limit: 0, rtc_region: null, last_message_id: null });
    }
    return guildChannel as unknown as APIChannel;
  }

  attachment(attachment: AttachmentRecord): APIAttachment {
    const url = this.cdn.urlFor(attachment);
    return {
      id: attachment.id,
      filename: attachment.filename,
      size: attachment.data.length,
      url,
      proxy_url: url,
      ...(attachment.contentType ? { content_type: attachment.contentType } : {}),
      ...(attachment.width !== null ? { width: attachment.width, height: attachment.height } : {}),
      ...(attachment.description ? { description: attachment.description } : {}),
      ...(attachment.ephemeral ? { ephemeral: true } : {}),
    };
  }

  /**
   * A message as a viewer receives it. `stripContent` empties what the Message Content intent guards.
   * `gateway` adds guild_id and member, which only gateway events carry.
   */
  message(message: MessageRecord, options: { stripContent?: boolean; gateway?: boolean } = {}): APIMessage {
    const strip = options.stripContent === true;
    const author = this.state.user(message.authorId);
    const reference = message.referencedMessageId ? this.state.messages.get(message.referencedMessageId) : undefined;
    const payload: Record<string, unknown> = {
      id: message.id,
      channel_id: message.channelId,
      type: message.type,
      author: this.user(author),
      content: strip ? '' : message.content,
      timestamp: new Date(message.createdAt).toISOString(),
      edited_timestamp: message.editedAt === null ? null : new Date(message.editedAt).toISOString(),
      tts: false,
      mention_everyone: message.mentionEveryone,
      mentions: message.mentions.map((id) => this.user(this.state.user(id))),
      mention_roles: [...message.mentionRoles],
      attachments: strip ? [] : message.attachments.map((a) => this.attachment(a)),
      embeds: strip ? [] : message.embeds.map((e) => this.resolveEmbed(e, message)),
      components: strip ? [] : answeredComponents(message.components, (url) => this.unfurl(url, message)),
      pinned: false,
      flags: message.flags,
    };
    if (message.reactions.length > 0) payload['reactions'] = message.reactions.map((reaction) => this.reaction(reaction));
    if (message.webhookId) payload['webhook_id'] = message.webhookId;
    if (message.applicationId) payload['application_id'] = message.applicationId;
    if (message.interaction) {
      const user = this.user(this.state.user(message.interaction.userId));
      payload['interaction_metadata'] = {
        id: message.interaction.id,
        type: message.interaction.type,
        user,
        authorizing_integration_owners: message.guildId ? { '0': message.guildId } : { '1': user.id },
        ...(message.interaction.type === 2 ? { name: message.interaction.name } : {}),
        ...(message.interaction.interactedMessageId ? { interacted_message_id: message.interaction.interactedMessageId } : {}),
      };
      payload['interaction'] = { id: message.interaction.id, type: message.interaction.type, name: message.interaction.name, user };
    }
    if (reference) {
      payload['message_reference'] = {
        type: 0,
        message_id: reference.id,
        channel_id: reference.channelId,
        ...(reference.guildId ? { guild_id: reference.guildId } : {}),
      };
      payload['referenced_message'] = reference.deleted ? null : this.message(reference, { stripContent: strip });
    }
    // Gateway message events say what kind of channel they are in; discord.js needs it to build DM channels.
    if (options.gateway) payload['channel_type'] = this.state.channels.get(message.channelId)?.type;
    if (options.gateway && message.guildId) {
      payload['guild_id'] = message.guildId;
      const member = this.state.member(message.guildId, message.authorId);
      if (member && !message.webhookId) {
        const { user: _user, ...withoutUser } = this.member(member);
        payload['member'] = withoutUser;
      }
    }
    return payload as unknown as APIMessage;
  }

  reaction(reaction: ReactionRecord): Record<string, unknown> {
    const count = reaction.userIds.length;
    return {
      emoji: { id: null, name: reaction.emoji },
      count,
      count_details: { burst: 0, normal: count },
      burst_colors: [],
      me_burst: false,
      me: reaction.userIds.includes(this.viewerId()),
    };
  }

  /** A media URL of a component: `attachment://name` is the message's file of that name. */
  private unfurl(url: string, message: MessageRecord): UnfurledMedia {
    const file = url.startsWith('attachment://')
      ? message.attachments.find((a) => a.filename === url.slice('attachment://'.length))
      : undefined;
    if (!file) return { id: externalMediaId(url), url, proxy_url: url, width: null, height: null, content_type: null };
    const cdnUrl = this.cdn.urlFor(file);
    return {
      id: file.id,
      url: cdnUrl,
      proxy_url: cdnUrl,
      width: file.width,
      height: file.height,
      content_type: file.contentType,
      attachment_id: file.id,
    };
  }

  /** Embeds may point at the message's own files with attachment://name; Discord answers with the file's CDN URL. */
  private resolveEmbed(embed: APIEmbed, message: MessageRecord): APIEmbed {
    // Embeds a bot sends are rich embeds; Discord says so in its answer.
    const copy = { type: EmbedType.Rich, ...structuredClone(embed) };
    const resolve = (media: { url?: string; proxy_url?: string } | undefined): void => {
      if (!media?.url?.startsWith('attachment://')) return;
      const name = media.url.slice('attachment://'.length);
      const file = message.attachments.find((a) => a.filename === name);
      if (file) {
        const url = this.cdn.urlFor(file);
        media.url = url;
        media.proxy_url = url;
      }
    };
    resolve(copy.image);
    resolve(copy.thumbnail);
    if (copy.author?.icon_url?.startsWith('attachment://')) {
      const holder = { url: copy.author.icon_url };
      resolve(holder);
      copy.author.icon_url = holder.url;
    }
    if (copy.footer?.icon_url?.startsWith('attachment://')) {
      const holder = { url: copy.footer.icon_url };
      resolve(holder);
      copy.footer.icon_url = holder.url;
    }
    return copy;
  }
}
