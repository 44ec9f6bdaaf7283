import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  StringSelectMenuInteraction,
  MessageContextMenuCommandInteraction,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { BotContext } from '../botContext.js';

/** A slash command or context-menu command: its definition beside its handler. */
export type Command = SlashCommand | MessageMenuCommand;

export interface SlashCommand {
  kind: 'slash';
  data: RESTPostAPIApplicationCommandsJSONBody;
  /** Replies only the invoker sees (admin tools) are deferred ephemerally. */
  ephemeral: boolean;
  execute(interaction: ChatInputCommandInteraction<'cached'>, context: BotContext): Promise<void>;
}

export interface MessageMenuCommand {
  kind: 'message-menu';
  data: RESTPostAPIApplicationCommandsJSONBody;
  ephemeral: boolean;
  execute(interaction: MessageContextMenuCommandInteraction<'cached'>, context: BotContext): Promise<void>;
}

/** Buttons and select menus route by the prefix of their custom id (`<prefix>:...`). */
export interface ComponentHandler {
  prefix: string;
  execute(interaction: ButtonInteraction<'cached'> | StringSelectMenuInteraction<'cached'>, context: BotContext): Promise<void>;
}
