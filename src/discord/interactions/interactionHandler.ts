import {
  MessageFlags,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { logger } from '../../logger.js';
import type { BotContext } from '../botContext.js';
import type { ButtonHandler, Command } from './command.js';
import { CommandRateLimiter } from './commandRateLimiter.js';
import { UserFacingError } from './userFacingError.js';

const APOLOGY = 'Something went wrong on my side. It has been logged; please try again in a moment.';

/**
 * The one entry point for interactions: checks where and how often a command is used,
 * defers within Discord's 3 seconds, runs the handler, and turns a UserFacingError
 * into a private reply while logging anything else once, with context. It never
 * rejects: whatever fails, even answering, is logged here, and every command gets an
 * answer, so nobody is left looking at "thinking…".
 */
export function createInteractionHandler(
  commands: ReadonlyMap<string, Command>,
  buttons: readonly ButtonHandler[],
  context: BotContext,
): (interaction: Interaction) => Promise<void> {
  const limiter = new CommandRateLimiter(context.config.commandsPerMinute);

  return async (interaction) => {
    if (!interaction.isRepliable()) return;
    const log = logger.child({ interaction: describe(interaction), guildId: interaction.guildId, userId: interaction.user.id });
    try {
      await route(interaction, commands, buttons, context, limiter, log);
    } catch (error) {
      if (!(error instanceof UserFacingError)) context.metrics?.error('interaction');
      await reportFailure(interaction, error, log);
    }
  };
}

async function route(
  interaction: RepliableInteraction,
  commands: ReadonlyMap<string, Command>,
  buttons: readonly ButtonHandler[],
  context: BotContext,
  limiter: CommandRateLimiter,
  log: typeof logger,
): Promise<void> {
  if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
    const command = commands.get(interaction.commandName);
    const kind = interaction.isChatInputCommand() ? 'slash' : 'message-menu';
    if (command === undefined || command.kind !== kind) {
      // A command this version of the bot no longer has (or has as another kind), still registered with Discord.
      log.warn('interaction for a command this bot does not have; deploy the commands again');
      throw new UserFacingError("I don't know that command (it may have been changed or removed). Please try again in a while.");
    }
    await runCommand(interaction, command, context, limiter);
  } else if (interaction.isButton()) {
    const handler = buttons.find((candidate) => interaction.customId.startsWith(`${candidate.prefix}:`));
    if (handler === undefined) throw new UserFacingError('This button no longer works. Run the command again.');
    if (!interaction.inCachedGuild()) throw new UserFacingError(OUTSIDE_A_SERVER);
    await handler.execute(interaction, context);
  } else {
    throw new UserFacingError("I can't handle that here.");
  }
}

async function runCommand(
  interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction,
  command: Command,
  context: BotContext,
  limiter: CommandRateLimiter,
): Promise<void> {
  if (!interaction.inCachedGuild()) throw new UserFacingError(OUTSIDE_A_SERVER);
  const wait = limiter.take(interaction.user.id);
  if (wait > 0) throw new UserFacingError(`You're searching very fast. Please wait ${wait} second${wait === 1 ? '' : 's'} and try again.`);
  await interaction.deferReply(command.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  if (command.kind === 'slash' && interaction.isChatInputCommand()) await command.execute(interaction, context);
  else if (command.kind === 'message-menu' && interaction.isMessageContextMenuCommand()) await command.execute(interaction, context);
}

const OUTSIDE_A_SERVER = 'I only work inside a server, where there are images to search.';

function describe(interaction: RepliableInteraction): string {
  if (interaction.isCommand()) return interaction.commandName;
  if (interaction.isMessageComponent()) return interaction.customId.split(':')[0] ?? 'component';
  return `type ${interaction.type}`;
}

/** Shows a UserFacingError to its user, privately; anything else is logged and apologised for. */
async function reportFailure(interaction: RepliableInteraction, error: unknown, log: typeof logger): Promise<void> {
  const text = error instanceof UserFacingError ? error.message : APOLOGY;
  if (!(error instanceof UserFacingError)) log.error({ err: error }, 'interaction failed');
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content: text, flags: MessageFlags.Ephemeral });
    } else if (interaction.ephemeral === true || interaction.isMessageComponent()) {
      // A private reply, or the bot's own (private) results message under a pressed button.
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
