import {
  ApplicationCommandOptionType as O,
  ApplicationCommandType,
  type APIApplicationCommand,
  type APIApplicationCommandOption,
} from 'discord.js';
import { FakeDiscordUsageError } from './errors.js';
import type { InteractionRecord } from './interactions.js';
import { channelPermissions } from './permissions.js';
import type { AttachmentRecord } from './state.js';
import type { World } from './world.js';

/** INTERACTION_CREATE payloads as Discord builds them: the user, the channel, permissions, data and resolved objects. */

export type OptionValue = string | number | boolean;

export function interactionBase(world: World, record: InteractionRecord): Record<string, unknown> {
  const { state, payloads } = world;
  const channel = state.channel(record.channelId);
  const guildId = channel.guildId;
  const base: Record<string, unknown> = {
    id: record.id,
    application_id: world.applicationId,
    type: record.type,
    token: record.token,
    version: 1,
    channel_id: channel.id,
    channel: payloads.channel(channel),
    app_permissions: channelPermissions(state, channel, world.botId).toString(),
    locale: state.user(record.userId).locale,
    entitlements: [],
    attachment_size_limit: 10 * 1024 * 1024,
    context: guildId ? 0 : 1,
    authorizing_integration_owners: guildId ? { '0': guildId } : { '1': record.userId },
  };
  if (guildId) {
    const member = state.member(guildId, record.userId);
    if (!member) throw new FakeDiscordUsageError(`user ${record.userId} is not a member of guild ${guildId}: addMember() first`);
    base['guild_id'] = guildId;
    const guild = state.guild(guildId);
    base['guild_locale'] = guild.preferredLocale;
    base['guild'] = { id: guildId, locale: guild.preferredLocale, features: [] };
    base['member'] = { ...payloads.member(member), permissions: channelPermissions(state, channel, record.userId).toString() };
  } else {
    base['user'] = payloads.user(state.user(record.userId));
  }
  return base;
}

/** The registered command of that name and type (guild commands first), if the bot registered one. */
export function findCommand(
  world: World,
  guildId: string | null,
  name: string,
  type: ApplicationCommandType,
): APIApplicationCommand | undefined {
  const scopes = [...(guildId ? [world.state.guildCommands.get(guildId)] : []), world.state.globalCommands];
  for (const scope of scopes) {
    for (const command of scope?.values() ?? []) if (command.name === name && command.type === type) return command;
  }
  return undefined;
}

export interface SlashData {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  options: Record<string, OptionValue>;
  attachments: Record<string, AttachmentRecord>;
}

/** `data` of a chat-input command; option types come from the registered command, else from the values given. */
export function slashCommandData(world: World, guildId: string | null, spec: SlashData): Record<string, unknown> {
  const command = findCommand(world, guildId, spec.name, ApplicationCommandType.ChatInput);
  let definitions: readonly APIApplicationCommandOption[] = command?.options ?? [];
  const pick = (name: string) => definitions.find((o) => o.name === name) as { options?: APIApplicationCommandOption[] } | undefined;
  if (spec.subcommandGroup) definitions = pick(spec.subcommandGroup)?.options ?? [];
  if (spec.subcommand) definitions = pick(spec.subcommand)?.options ?? [];
  const resolved: Record<string, Record<string, unknown>> = {};
  const add = (kind: string, id: string, value: unknown) => ((resolved[kind] ??= {})[id] = value);
  let options: Array<Record<string, unknown>> = [];
  for (const [name, value] of Object.entries(spec.options)) {
    const type = definitions.find((o) => o.name === name)?.type ?? inferType(value);
    options.push({ name, type, value });
    if (type === O.User || type === O.Mentionable) {
      const user = world.state.users.get(String(value));
      if (user) add('users', user.id, world.payloads.user(user));
      const member = guildId && user ? world.state.member(guildId, user.id) : undefined;
      if (member) {
        const { user: _user, ...rest } = world.payloads.member(member);
        add('members', member.userId, { ...rest, permissions: '0' });
      }
    }
    if (type === O.Role || type === O.Mentionable) {
      const role = world.state.roles.get(String(value));
      if (role) add('roles', role.id, world.payloads.role(role));
    }
    if (type === O.Channel) {
      const channel = world.state.channels.get(String(value));
      if (channel)
        add('channels', channel.id, {
          ...world.payloads.channel(channel),
          permissions: channelPermissions(world.state, channel, world.botId).toString(),
        });
    }
  }
  for (const [name, attachment] of Object.entries(spec.attachments)) {
    options.push({ name, type: O.Attachment, value: attachment.id });
    add('attachments', attachment.id, world.payloads.attachment(attachment));
  }
  if (spec.subcommand) options = [{ name: spec.subcommand, type: O.Subcommand, options }];
  if (spec.subcommandGroup) options = [{ name: spec.subcommandGroup, type: O.SubcommandGroup, options }];
  return {
    id: command?.id ?? world.state.ids.next(),
    name: spec.name,
    type: 1,
    ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    options,
    ...(Object.keys(resolved).length > 0 ? { resolved } : {}),
  };
}

function inferType(value: OptionValue): O {
  if (typeof value === 'boolean') return O.Boolean;
  if (typeof value === 'number') return Number.isInteger(value) ? O.Integer : O.Number;
  return O.String;
}
