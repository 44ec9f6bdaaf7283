import { ChannelType, GatewayIntentBits as I, PermissionFlagsBits as P } from 'discord.js';
import { FakeDiscordUsageError } from './errors.js';
import type { ChannelRecord, GuildRecord, MemberRecord, OverwriteRecord, RoleRecord, UserRecord } from './state.js';
import type { World } from './world.js';

/** Building a test's Discord: users, guilds, roles, members, channels and threads, each change sent as Discord sends it. */

export interface OverwriteSpec {
  id: string;
  type: 'role' | 'member';
  allow?: bigint;
  deny?: bigint;
}

export type ChannelKind = 'text' | 'announcement' | 'voice' | 'category' | 'forum' | 'media';

export interface ChannelSpec {
  name: string;
  type?: ChannelKind;
  nsfw?: boolean;
  parentId?: string | null;
  topic?: string | null;
  permissionOverwrites?: OverwriteSpec[];
}

export interface UserSpec {
  username: string;
  bot?: boolean;
  globalName?: string | null;
  /** Their client's language (default `en-US`), e.g. `de`, `pt-BR`, `ja`. */
  locale?: string;
}

export interface GuildSpec {
  name: string;
  ownerId?: string;
  everyonePermissions?: bigint;
  botPermissions?: bigint;
  withBot?: boolean;
  /** The server's language (default `en-US`). */
  preferredLocale?: string;
}

export interface ThreadSpec {
  name: string;
  private?: boolean;
  /** Users in the thread (the owner is always one). Private threads are visible only to members and thread managers. */
  members?: string[];
  ownerId?: string;
  archived?: boolean;
  locked?: boolean;
}

/** What @everyone may do in a new Discord server. */
export const DEFAULT_EVERYONE_PERMISSIONS =
  P.ViewChannel |
  P.SendMessages |
  P.ReadMessageHistory |
  P.EmbedLinks |
  P.AttachFiles |
  P.AddReactions |
  P.UseApplicationCommands |
  P.SendMessagesInThreads |
  P.CreatePublicThreads |
  P.CreatePrivateThreads |
  P.ChangeNickname |
  P.CreateInstantInvite |
  P.UseExternalEmojis |
  P.Connect |
  P.Speak;

/** What the bot's managed role gets by default when it joins. */
export const DEFAULT_BOT_PERMISSIONS =
  P.ViewChannel | P.SendMessages | P.ReadMessageHistory | P.EmbedLinks | P.AttachFiles | P.UseApplicationCommands | P.SendMessagesInThreads;

const KINDS: Record<ChannelKind, ChannelType> = {
  text: ChannelType.GuildText,
  announcement: ChannelType.GuildAnnouncement,
  voice: ChannelType.GuildVoice,
  category: ChannelType.GuildCategory,
  forum: ChannelType.GuildForum,
  media: ChannelType.GuildMedia,
};

/** Channels whose threads are posts that open with a starter message (forum and media channels). */
export const POST_CHANNEL_TYPES: readonly ChannelType[] = [ChannelType.GuildForum, ChannelType.GuildMedia];

export class Scenario {
  private positions = new Map<string, number>();
  /** Archive times are made distinct (1 ms apart at least), so listings paged by them never skip a tie. */
  private lastArchivedAt = 0;

  constructor(private readonly world: World) {}

  private get state() {
    return this.world.state;
  }

  createUser(spec: UserSpec): UserRecord {
    const user: UserRecord = {
      id: this.state.ids.next(),
      username: spec.username,
      globalName: spec.globalName ?? null,
      bot: spec.bot ?? false,
      locale: spec.locale ?? 'en-US',
    };
    this.state.users.set(user.id, user);
    return user;
  }

  createGuild(spec: GuildSpec & { ownerId: string }): GuildRecord & { botRoleId: string | null } {
    const guild: GuildRecord = {
      id: this.state.ids.next(),
      name: spec.name,
      ownerId: spec.ownerId,
      available: true,
      joinedAt: new Date().toISOString(),
      preferredLocale: spec.preferredLocale ?? 'en-US',
    };
    this.state.user(spec.ownerId);
    this.state.guilds.set(guild.id, guild);
    this.state.roles.set(guild.id, this.role(guild.id, guild.id, '@everyone', spec.everyonePermissions ?? DEFAULT_EVERYONE_PERMISSIONS, 0));
    this.putMember(guild.id, spec.ownerId, []);
    let botRoleId: string | null = null;
    if (spec.withBot !== false) botRoleId = this.addBot(guild.id, spec.botPermissions ?? DEFAULT_BOT_PERMISSIONS);
    return { ...guild, botRoleId };
  }

  /** The bot joins (or rejoins) a guild with a managed role, and receives GUILD_CREATE. */
  addBot(guildId: string, permissions: bigint = DEFAULT_BOT_PERMISSIONS): string {
    const bot = this.state.user(this.world.botId);
    let role = this.state.guildRoles(guildId).find((r) => r.botId === bot.id);
    if (!role) {
      role = this.role(this.state.ids.next(), guildId, bot.username, permissions, this.state.guildRoles(guildId).length);
      role.botId = bot.id;
      this.state.roles.set(role.id, role);
    }
    this.putMember(guildId, bot.id, [role.id]);
    this.sendGuildCreate(guildId);
    return role.id;
  }

  sendGuildCreate(guildId: string): void {
    const guild = this.state.guild(guildId);
    this.world.gateway.dispatch('GUILD_CREATE', { guildId, intent: I.Guilds }, (session) =>
      this.world.payloads.guilds.guildCreate(guild, this.world.botId, (session.intents & I.GuildPresences) !== 0),
    );
  }

  /** The bot is removed (GUILD_DELETE without `unavailable`). */
  removeBot(guildId: string): void {
    this.state.removeMember(guildId, this.world.botId);
    this.world.gateway.dispatch('GUILD_DELETE', { guildId, intent: I.Guilds }, () => ({ id: guildId }));
  }

  /** An outage: GUILD_DELETE with `unavailable: true`, then GUILD_CREATE when it is back. */
  setGuildAvailable(guildId: string, available: boolean): void {
    const guild = this.state.guild(guildId);
    if (guild.available === available) return;
    guild.available = available;
    if (available) this.sendGuildCreate(guildId);
    else this.world.gateway.dispatch('GUILD_DELETE', { guildId, intent: I.Guilds }, () => ({ id: guildId, unavailable: true }));
  }

  createRole(
    guildId: string,
    spec: { name: string; permissions: bigint; color?: number; hoist?: boolean; mentionable?: boolean },
  ): RoleRecord {
    this.state.guild(guildId);
    const role = this.role(this.state.ids.next(), guildId, spec.name, spec.permissions, this.state.guildRoles(guildId).length);
    Object.assign(role, { color: spec.color ?? 0, hoist: spec.hoist ?? false, mentionable: spec.mentionable ?? false });
    this.state.roles.set(role.id, role);
    this.world.dispatchGuildEvent('GUILD_ROLE_CREATE', guildId, I.Guilds, () => ({
      guild_id: guildId,
      role: this.world.payloads.role(role),
    }));
    return role;
  }

  updateRole(guildId: string, roleId: string, changes: { name?: string; permissions?: bigint }): RoleRecord {
    const role = this.state.roles.get(roleId);
    if (!role || role.guildId !== guildId) throw new FakeDiscordUsageError(`unknown role ${roleId} in guild ${guildId}`);
    Object.assign(role, changes);
    this.world.dispatchGuildEvent('GUILD_ROLE_UPDATE', guildId, I.Guilds, () => ({
      guild_id: guildId,
      role: this.world.payloads.role(role),
    }));
    return role;
  }

  addMember(guildId: string, userId: string, spec: { roles?: string[]; nick?: string | null } = {}): MemberRecord {
    const member = this.putMember(guildId, userId, spec.roles ?? [], spec.nick ?? null);
    this.world.dispatchGuildEvent('GUILD_MEMBER_ADD', guildId, I.GuildMembers, () => ({
      ...this.world.payloads.member(member),
      guild_id: guildId,
    }));
    return member;
  }

  setMemberRoles(guildId: string, userId: string, roles: string[]): MemberRecord {
    const member = this.state.member(guildId, userId);
    if (!member) throw new FakeDiscordUsageError(`user ${userId} is not a member of guild ${guildId}`);
    this.checkRoles(guildId, roles);
    member.roles = [...roles];
    // The bot hears about its own member changes even without the Server Members intent.
    const intent = userId === this.world.botId ? null : I.GuildMembers;
    this.world.gateway.dispatch('GUILD_MEMBER_UPDATE', { guildId, intent }, () => ({
      ...this.world.payloads.member(member),
      guild_id: guildId,
    }));
    return member;
  }

  removeMember(guildId: string, userId: string): void {
    this.state.removeMember(guildId, userId);
    const user = this.world.payloads.user(this.state.user(userId));
    this.world.dispatchGuildEvent('GUILD_MEMBER_REMOVE', guildId, I.GuildMembers, () => ({ guild_id: guildId, user }));
  }

  createChannel(guildId: string, spec: ChannelSpec): ChannelRecord {
    this.state.guild(guildId);
    if (spec.parentId && this.state.channel(spec.parentId).type !== ChannelType.GuildCategory) {
      throw new FakeDiscordUsageError(`parent ${spec.parentId} is not a category`);
    }
    const position = this.positions.get(guildId) ?? 0;
    this.positions.set(guildId, position + 1);
    const channel: ChannelRecord = {
      id: this.state.ids.next(),
      type: KINDS[spec.type ?? 'text'],
      guildId,
      name: spec.name,
      position,
      parentId: spec.parentId ?? null,
      nsfw: spec.nsfw ?? false,
      topic: spec.topic ?? null,
      overwrites: this.overwrites(guildId, spec.permissionOverwrites ?? []),
      lastMessageId: null,
      thread: null,
      recipientIds: [],
    };
    this.state.channels.set(channel.id, channel);
    this.world.dispatchGuildEvent('CHANNEL_CREATE', guildId, I.Guilds, () => this.world.payloads.channel(channel));
    return channel;
  }

  updateChannel(channelId: string, changes: Partial<Omit<ChannelSpec, 'type'>>): ChannelRecord {
    const channel = this.state.channel(channelId);
    if (!channel.guildId || channel.thread)
      throw new FakeDiscordUsageError(`${channelId} is not a guild channel; use archiveThread for threads`);
    if (changes.name !== undefined) channel.name = changes.name;
    if (changes.nsfw !== undefined) channel.nsfw = changes.nsfw;
    if (changes.topic !== undefined) channel.topic = changes.topic;
    if (changes.parentId !== undefined) channel.parentId = changes.parentId;
    if (changes.permissionOverwrites) channel.overwrites = this.overwrites(channel.guildId, changes.permissionOverwrites);
    this.world.dispatchGuildEvent('CHANNEL_UPDATE', channel.guildId, I.Guilds, () => this.world.payloads.channel(channel));
    return channel;
  }

  deleteChannel(channelId: string): void {
    const channel = this.state.channel(channelId);
    if (!channel.guildId) throw new FakeDiscordUsageError(`${channelId} is not a guild channel`);
    const payload = this.world.payloads.channel(channel);
    const visible = this.world.botCanView(channel);
    this.state.channels.delete(channelId);
    if (channel.thread) {
      if (!visible) return;
      this.world.dispatchGuildEvent('THREAD_DELETE', channel.guildId, I.Guilds, () => ({
        id: channel.id,
        guild_id: channel.guildId,
        parent_id: channel.parentId,
        type: channel.type,
      }));
    } else {
      this.world.dispatchGuildEvent('CHANNEL_DELETE', channel.guildId, I.Guilds, () => payload);
    }
  }

  createThread(parentId: string, spec: ThreadSpec, starter?: (thread: ChannelRecord) => void): ChannelRecord {
    const parent = this.state.channel(parentId);
    if (!parent.guildId || ![ChannelType.GuildText, ChannelType.GuildAnnouncement, ...POST_CHANNEL_TYPES].includes(parent.type)) {
      throw new FakeDiscordUsageError(`threads need a text, announcement, forum or media parent; ${parentId} is not one`);
    }
    const guild = this.state.guild(parent.guildId);
    const ownerId = spec.ownerId ?? guild.ownerId;
    const isPrivate = spec.private === true;
    if (isPrivate && POST_CHANNEL_TYPES.includes(parent.type))
      throw new FakeDiscordUsageError('forum and media posts cannot be private threads');
    if (isPrivate && parent.type === ChannelType.GuildAnnouncement)
      throw new FakeDiscordUsageError('announcement channels have no private threads');
    const publicType = parent.type === ChannelType.GuildAnnouncement ? ChannelType.AnnouncementThread : ChannelType.PublicThread;
    const thread: ChannelRecord = {
      id: this.state.ids.next(),
      type: isPrivate ? ChannelType.PrivateThread : publicType,
      guildId: parent.guildId,
      name: spec.name,
      position: 0,
      parentId,
      nsfw: parent.nsfw,
      topic: null,
      overwrites: [],
      lastMessageId: null,
      thread: {
        ownerId,
        archived: spec.archived ?? false,
        locked: spec.locked ?? false,
        members: new Set([ownerId, ...(spec.members ?? [])]),
        createdAt: new Date().toISOString(),
        archivedAt: spec.archived === true ? this.archiveTime() : null,
        messageCount: 0,
      },
      recipientIds: [],
    };
    this.state.channels.set(thread.id, thread);
    this.world.dispatchGuildEvent('THREAD_CREATE', parent.guildId, I.Guilds, () =>
      this.world.botCanView(thread) ? { ...this.world.payloads.channel(thread, this.world.botId), newly_created: true } : null,
    );
    starter?.(thread);
    return thread;
  }

  setThreadArchived(threadId: string, archived: boolean): ChannelRecord {
    const thread = this.state.channel(threadId);
    if (!thread.thread || !thread.guildId) throw new FakeDiscordUsageError(`${threadId} is not a thread`);
    thread.thread.archived = archived;
    if (archived) thread.thread.archivedAt = this.archiveTime();
    this.world.dispatchGuildEvent('THREAD_UPDATE', thread.guildId, I.Guilds, () =>
      this.world.botCanView(thread) ? this.world.payloads.channel(thread, this.world.botId) : null,
    );
    return thread;
  }

  /**
   * Someone joins a thread (or is added to it). THREAD_MEMBERS_UPDATE reaches the bot only with the Server Members
   * intent, except when the bot itself is the one added, which it always hears (with THREAD_CREATE for a thread it
   * could not see before).
   */
  addThreadMember(threadId: string, userId: string): ChannelRecord {
    const thread = this.threadRecord(threadId);
    this.state.user(userId);
    const couldSee = this.world.botCanView(thread);
    thread.thread!.members.add(userId);
    if (userId === this.world.botId && !couldSee) {
      this.world.dispatchGuildEvent('THREAD_CREATE', thread.guildId!, I.Guilds, () =>
        this.world.payloads.channel(thread, this.world.botId),
      );
    }
    this.dispatchMembersUpdate(thread, { added: userId });
    return thread;
  }

  /** Someone leaves a thread (or is removed). As on Discord, the bot is told only about itself without the Server Members intent. */
  removeThreadMember(threadId: string, userId: string): ChannelRecord {
    const thread = this.threadRecord(threadId);
    if (!thread.thread!.members.delete(userId)) throw new FakeDiscordUsageError(`user ${userId} is not in thread ${threadId}`);
    this.dispatchMembersUpdate(thread, { removed: userId });
    return thread;
  }

  private dispatchMembersUpdate(thread: ChannelRecord, change: { added?: string; removed?: string }): void {
    const userId = change.added ?? change.removed!;
    const intent = userId === this.world.botId ? I.Guilds : I.GuildMembers;
    this.world.gateway.dispatch('THREAD_MEMBERS_UPDATE', { guildId: thread.guildId, intent }, () => ({
      id: thread.id,
      guild_id: thread.guildId,
      member_count: Math.min(thread.thread!.members.size, 50),
      ...(change.added
        ? { added_members: [{ id: thread.id, user_id: change.added, join_timestamp: new Date().toISOString(), flags: 0 }] }
        : {}),
      ...(change.removed ? { removed_member_ids: [change.removed] } : {}),
    }));
  }

  private threadRecord(threadId: string): ChannelRecord {
    const thread = this.state.channel(threadId);
    if (!thread.thread || !thread.guildId) throw new FakeDiscordUsageError(`${threadId} is not a thread`);
    return thread;
  }

  private archiveTime(): string {
    this.lastArchivedAt = Math.max(Date.now(), this.lastArchivedAt + 1);
    return new Date(this.lastArchivedAt).toISOString();
  }

  private role(id: string, guildId: string, name: string, permissions: bigint, position: number): RoleRecord {
    return { id, guildId, name, permissions, position, color: 0, hoist: false, mentionable: false, botId: null };
  }

  private putMember(guildId: string, userId: string, roles: string[], nick: string | null = null): MemberRecord {
    this.state.user(userId);
    this.checkRoles(guildId, roles);
    const member: MemberRecord = { guildId, userId, roles: [...roles], nick, joinedAt: new Date().toISOString() };
    this.state.setMember(member);
    return member;
  }

  private checkRoles(guildId: string, roles: string[]): void {
    for (const id of roles) {
      if (this.state.roles.get(id)?.guildId !== guildId) throw new FakeDiscordUsageError(`role ${id} is not a role of guild ${guildId}`);
    }
  }

  private overwrites(guildId: string, specs: OverwriteSpec[]): OverwriteRecord[] {
    return specs.map((o) => {
      if (o.type === 'role' && this.state.roles.get(o.id)?.guildId !== guildId)
        throw new FakeDiscordUsageError(`overwrite for unknown role ${o.id}`);
      if (o.type === 'member') this.state.user(o.id);
      return { id: o.id, type: o.type, allow: o.allow ?? 0n, deny: o.deny ?? 0n };
    });
  }
}
