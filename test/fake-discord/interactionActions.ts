import { ApplicationCommandType } from 'discord.js';
import { FakeDiscordUsageError } from './errors.js';
import { findCommand, interactionBase, slashCommandData, type OptionValue } from './interactionPayloads.js';
import type { InteractionRecord, InteractionReply, Interactions, WaitOptions } from './interactions.js';
import type { FileSpec, UserActions } from './userActions.js';
import type { AttachmentRecord } from './state.js';
import type { World } from './world.js';

/** What people do with the bot's commands and components: each sends INTERACTION_CREATE and awaits the answer. */

interface Where {
  channelId: string;
  /** Optional: checked against the channel's guild when given. */
  guildId?: string | null;
  userId: string;
  /** How to wait for the answer; `false` returns as soon as the interaction was sent (the reply is then still empty). */
  wait?: WaitOptions | false;
}

export interface SlashCommandSpec extends Where {
  name: string;
  subcommandGroup?: string;
  subcommand?: string;
  /** String, number (integer or not) and boolean options; user/channel/role options take ids. */
  options?: Record<string, OptionValue>;
  /** Attachment options, by option name. */
  attachments?: Record<string, FileSpec>;
}

export interface ContextMenuSpec extends Where {
  name: string;
  targetMessageId: string;
}

export interface ComponentSpec extends Where {
  messageId: string;
  customId: string;
  /** For select menus: the chosen values. */
  values?: string[];
  /**
   * Sends `customId` whether or not the message carries it, as a modified client can: Discord does not promise that a
   * component interaction's custom id comes from the message it names. A button press, or a string select when
   * `values` are given. Off by default, so that a test pressing a control that is not there fails loudly.
   */
  forged?: boolean;
}

export class InteractionActions {
  constructor(
    private readonly world: World,
    private readonly interactions: Interactions,
    private readonly users: UserActions,
  ) {}

  slashCommand(spec: SlashCommandSpec): Promise<InteractionReply> {
    const channel = this.world.state.channel(spec.channelId);
    const attachments: Record<string, AttachmentRecord> = {};
    for (const [name, file] of Object.entries(spec.attachments ?? {})) {
      const attachment = this.users.makeAttachment(channel.id, file, true);
      this.world.state.attachments.set(attachment.id, attachment);
      attachments[name] = attachment;
    }
    const record = this.start(spec, 2, 1, spec.name, null, null);
    const data = slashCommandData(this.world, channel.guildId, {
      name: spec.name,
      ...(spec.subcommand ? { subcommand: spec.subcommand } : {}),
      ...(spec.subcommandGroup ? { subcommandGroup: spec.subcommandGroup } : {}),
      options: spec.options ?? {},
      attachments,
    });
    return this.send(record, data, spec.wait);
  }

  messageContextMenu(spec: ContextMenuSpec): Promise<InteractionReply> {
    const channel = this.world.state.channel(spec.channelId);
    const target = this.world.state.message(spec.targetMessageId);
    if (target.channelId !== channel.id) throw new FakeDiscordUsageError(`message ${target.id} is not in channel ${channel.id}`);
    const command = findCommand(this.world, channel.guildId, spec.name, ApplicationCommandType.Message);
    const record = this.start(spec, 2, 3, spec.name, null, null);
    // Interactions carry the target's full content whatever the bot's intents.
    const data = {
      id: command?.id ?? this.world.state.ids.next(),
      name: spec.name,
      type: 3,
      target_id: target.id,
      resolved: { messages: { [target.id]: this.world.payloads.message(target) } },
      ...(command?.guild_id ? { guild_id: command.guild_id } : {}),
    };
    return this.send(record, data, spec.wait);
  }

  /** Press a button (or choose in a select menu) on a message; it must really carry that component, unless `forged`. */
  component(spec: ComponentSpec): Promise<InteractionReply> {
    const message = this.world.state.message(spec.messageId);
    const component = spec.forged === true ? { type: spec.values === undefined ? 2 : 3 } : findComponent(message.components, spec.customId);
    if (!component) throw new FakeDiscordUsageError(`message ${message.id} has no component with custom_id ${spec.customId}`);
    if (component['disabled'] === true) throw new FakeDiscordUsageError(`component ${spec.customId} is disabled; a person cannot use it`);
    if (message.ephemeral && this.interactions.get(message.interaction?.id ?? '')?.userId !== spec.userId) {
      throw new FakeDiscordUsageError(`message ${message.id} is ephemeral: only the user it was shown to can use it`);
    }
    if (spec.channelId !== message.channelId) throw new FakeDiscordUsageError(`message ${message.id} is not in channel ${spec.channelId}`);
    const record = this.start(spec, 3, null, null, spec.customId, message.id);
    const data = {
      custom_id: spec.customId,
      component_type: component['type'],
      ...(spec.values ? { values: spec.values } : {}),
    };
    return this.send(record, data, spec.wait, { message: this.world.payloads.message(message) });
  }

  private start(
    where: Where,
    type: number,
    commandType: number | null,
    name: string | null,
    customId: string | null,
    sourceMessageId: string | null,
  ): InteractionRecord {
    const channel = this.world.state.channel(where.channelId);
    if (where.guildId !== undefined && where.guildId !== channel.guildId) {
      throw new FakeDiscordUsageError(`channel ${channel.id} is in guild ${channel.guildId}, not ${where.guildId}`);
    }
    this.world.state.user(where.userId);
    return this.interactions.create({
      id: this.world.state.ids.next(),
      type,
      commandType,
      name,
      customId,
      guildId: channel.guildId,
      channelId: channel.id,
      userId: where.userId,
      sourceMessageId,
    });
  }

  private send(
    record: InteractionRecord,
    data: unknown,
    wait: WaitOptions | false | undefined,
    extra: Record<string, unknown> = {},
  ): Promise<InteractionReply> {
    const payload = { ...interactionBase(this.world, record), data, ...extra };
    const delivered = this.world.gateway.dispatch('INTERACTION_CREATE', { guildId: record.guildId, intent: null }, () => payload);
    if (delivered === 0) {
      throw new FakeDiscordUsageError('no gateway session would receive this interaction: is the bot logged in (and on the right shard)?');
    }
    if (wait === false) return Promise.resolve(this.interactions.reply(record));
    return this.interactions.wait(record, wait);
  }
}

function findComponent(components: unknown[], customId: string): Record<string, unknown> | undefined {
  for (const node of components as Array<Record<string, unknown>>) {
    if (node['custom_id'] === customId) return node;
    const children = [...((node['components'] as unknown[]) ?? []), ...(node['accessory'] ? [node['accessory']] : [])];
    const found = findComponent(children, customId);
    if (found) return found;
  }
  return undefined;
}
