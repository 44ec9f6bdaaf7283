import {
  MessageFlags,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { logger } from '../logger.js';
import type { BotContext } from './botContext.js';
import type { ButtonHandler, Command } from './command.js';
import { CommandRateLimiter } from './commandRateLimiter.js';
import { UserFacingError } from './userFacingError.js';

const APOLOGY = 'Something went wrong on my side. It has been logged; please try again in a moment.';

/**
 * The one entry point for interactions: checks where and how often a command is used,
 * defers within Discord's 3 seconds, runs the handler, and turns a UserFacingError
 * into a private reply while logging anything else once, with context.
 */
export function createInteractionHandler(
  commands: ReadonlyMap<string, Command>,
  buttons: readonly ButtonHandler[],
  context: BotContext,
): (interaction: Interaction) => Promise<void> {
  const limiter = new CommandRateLimiter(context.config.commandsPerMinute);

  return async (interaction) => {
    if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
      const command = commands.get(interaction.commandName);
      if (command === undefined) return;
      await runCommand(interaction, command, context, limiter);
    } else if (interaction.isButton()) {
      const handler = buttons.find((candidate) => interaction.customId.startsWith(`${candidate.prefix}:`));
      if (handler !== undefined) await runButton(interaction, handler, context);
    }
  };
}

async function runCommand(
  interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction,
  command: Command,
  context: BotContext,
  limiter: CommandRateLimiter,
): Promise<void> {
  if (!interaction.inCachedGuild()) {
    await replyPrivately(interaction, 'I only work inside a server, where there are images to search.');
    return;
  }
  const wait = limiter.take(interaction.user.id);
  if (wait > 0) {
    await replyPrivately(interaction, `You're searching very fast. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`);
    return;
  }
  const log = logger.child({ command: interaction.commandName, guildId: interaction.guildId, userId: interaction.user.id });
  try {
    await interaction.deferReply(command.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
    if (command.kind === 'slash' && interaction.isChatInputCommand()) await command.execute(interaction, context);
    else if (command.kind === 'message-menu' && interaction.isMessageContextMenuCommand()) await command.execute(interaction, context);
  } catch (error) {
    if (!(error instanceof UserFacingError)) context.metrics?.error('interaction');
    await reportFailure(interaction, error, log, command.ephemeral);
  }
}

async function runButton(interaction: ButtonInteraction, handler: ButtonHandler, context: BotContext): Promise<void> {
  if (!interaction.inCachedGuild()) return;
  const log = logger.child({ button: handler.prefix, guildId: interaction.guildId, userId: interaction.user.id });
  try {
    await handler.execute(interaction, context);
  } catch (error) {
    if (!(error instanceof UserFacingError)) context.metrics?.error('interaction');
    await reportFailure(interaction, error, log, true);
  }
}

/** Shows a UserFacingError to its user, privately; anything else is logged and apologised for. */
async function reportFailure(
  interaction: RepliableInteraction,
  error: unknown,
  log: typeof logger,
  replyIsPrivate: boolean,
): Promise<void> {
  const text = error instanceof UserFacingError ? error.message : APOLOGY;
  if (!(error instanceof UserFacingError)) log.error({ err: error }, 'interaction failed');
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
    } else if (replyIsPrivate) {
      await interaction.editReply({ content: text, embeds: [], components: [] });
    } else {
      // A public "thinking…" reply cannot turn private: remove it and answer privately.
      await interaction.deleteReply().catch(() => undefined);
      await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral });
    }
  } catch (replyError) {
    log.warn({ err: replyError }, 'could not tell the user about a failed interaction');
  }
}

async function replyPrivately(interaction: RepliableInteraction, content: string): Promise<void> {
  await interaction.reply({ content, flags: MessageFlags.Ephemeral });
}
