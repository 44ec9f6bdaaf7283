import { ChannelType, type GatewayGuildCreateDispatchData } from 'discord.js';
import type { Payloads } from './payloads.js';
import { channelPermissions } from './permissions.js';
import type { DiscordState, GuildRecord } from './state.js';

/** Guild objects: the REST guild, and GUILD_CREATE with channels, threads, roles and members. */
export class GuildPayloads {
  constructor(
    private readonly state: DiscordState,
    private readonly payloads: Payloads,
  ) {}

  /** GUILD_CREATE for one session; without GUILD_PRESENCES only the bot's own member is listed, as on Discord. */
  guildCreate(guild: GuildRecord, botId: string, withAllMembers: boolean): GatewayGuildCreateDispatchData {
    const channels = this.state.guildChannels(guild.id);
    const members = this.state.guildMembers(guild.id).filter((m) => withAllMembers || m.userId === botId);
    const threads = channels.filter((c) => c.thread && !c.thread.archived && channelPermissions(this.state, c, botId) !== 0n);
    return {
      ...this.guild(guild),
      joined_at: this.state.member(guild.id, botId)?.joinedAt ?? guild.joinedAt,
      large: false,
      unavailable: false,
      member_count: this.state.guildMembers(guild.id).length,
      voice_states: [],
      members: members.map((m) => this.payloads.member(m)),
      channels: channels.filter((c) => !c.thread).map((c) => this.payloads.channel(c)),
      threads: threads.map((c) => this.payloads.channel(c, botId)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    } as unknown as GatewayGuildCreateDispatchData;
  }

  guild(guild: GuildRecord): Record<string, unknown> {
    const systemChannel = this.state.guildChannels(guild.id).find((c) => c.type === ChannelType.GuildText);
    return {
      id: guild.id,
      name: guild.name,
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: guild.ownerId,
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.state.guildRoles(guild.id).map((r) => this.payloads.role(r)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: systemChannel?.id ?? null,
      system_channel_flags: 0,
      rules_channel_id: null,
      max_members: 500000,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      premium_subscription_count: 0,
      preferred_locale: guild.preferredLocale,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      hub_type: null,
      incidents_data: null,
      nsfw: false,
      region: 'deprecated',
      max_presences: null,
      home_header: null,
    };
  }
}
