import {
  MessageFlags,
  type ChatInputCommandInteraction,
  type Interaction,
  type MessageContextMenuCommandInteraction,
  type RepliableInteraction,
} from 'discord.js';
import { logger } from '../../logger.js';
import { isStoreUnavailable } from '../../store/storeUnavailable.js';
import type { BotContext } from '../botContext.js';
import { messagesFor } from '../messages/messages.js';
import type { Command, ComponentHandler } from './command.js';
import { CommandRateLimiter } from './commandRateLimiter.js';
import { UserFacingError } from './userFacingError.js';

/**
 * The one entry point for interactions: checks where and how often a command is used,
 * defers within Discord's 3 seconds, runs the handler, and turns a UserFacingError
 * into a private reply in the member's language while logging anything else once, with
 * context. It never rejects: whatever fails, even answering, is logged here, and every
 * command gets an answer, so nobody is left looking at "thinking…". A store that is
 * unavailable is said so (try again in a minute); once the bot is stopping, new
 * interactions are told it is restarting, and stopping can wait for those under way.
 */
export interface InteractionHandler {
  handle(interaction: Interaction): Promise<void>;
  /** From now on, answers every interaction with "restarting" instead of running it. */
  stopAccepting(): void;
  /** Resolves when the interactions under way have finished, or after `limitMs`; false if some were still running. */
  finished(limitMs: number): Promise<boolean>;
}

export function createInteractionHandler(
  commands: ReadonlyMap<string, Command>,
  components: readonly ComponentHandler[],
  context: BotContext,
): InteractionHandler {
  const limiters: Limiters = {
    commands: new CommandRateLimiter(context.config.commandsPerMinute),
    controls: new CommandRateLimiter(context.config.controlsPerMinute),
  };
  const running = new Set<Promise<void>>();
  let stopping = false;

  const handleOne = async (interaction: Interaction): Promise<void> => {
    if (!interaction.isRepliable()) return;
    const log = logger.child({ interaction: describe(interaction), guildId: interaction.guildId, userId: interaction.user.id });
    try {
      if (stopping) throw new UserFacingError('errors.restarting');
      await route(interaction, commands, components, context, limiters, log);
    } catch (error) {
      if (!(error instanceof UserFacingError) && !isStoreUnavailable(error)) context.metrics?.error('interaction');
      await reportFailure(interaction, error, log);
    }
  };

  return {
    handle(interaction) {
      const work = handleOne(interaction);
      running.add(work);
      const done = (): void => void running.delete(work);
      work.then(done, done);
      return work;
    },
    stopAccepting() {
      stopping = true;
    },
    async finished(limitMs) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), limitMs)));
      try {
        return await Promise.race([Promise.all(running).then(() => true), limit]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

async function route(
  interaction: RepliableInteraction,
  commands: ReadonlyMap<string, Command>,
  components: readonly ComponentHandler[],
  context: BotContext,
  limiters: Limiters,
  log: typeof logger,
): Promise<void> {
  if (interaction.isChatInputCommand() || interaction.isMessageContextMenuCommand()) {
    const command = commands.get(interaction.commandName);
    const kind = interaction.isChatInputCommand() ? 'slash' : 'message-menu';
    if (command === undefined || command.kind !== kind) {
      // A command this version of the bot no longer has (or has as another kind), still registered with Discord.
      log.warn('interaction for a command this bot does not have; deploy the commands again');
      throw new UserFacingError('errors.unknownCommand');
    }
    await runCommand(interaction, command, context, limiters.commands);
  } else if (interaction.isButton() || interaction.isStringSelectMenu()) {
    const handler = components.find((candidate) => interaction.customId.startsWith(`${candidate.prefix}:`));
    if (handler === undefined) throw new UserFacingError('errors.staleControl');
    if (!interaction.inCachedGuild()) throw new UserFacingError('errors.outsideServer');
    // Each press re-checks access and re-reads messages: one member must not be able to flood Discord through the bot.
    const wait = limiters.controls.take(interaction.user.id);
    if (wait > 0) throw new UserFacingError('errors.pressingTooFast', { count: wait });
    await handler.execute(interaction, context);
  } else {
    throw new UserFacingError('errors.cannotHandle');
  }
}

/** Per member: commands (searches cost CPU) and presses of controls (each asks Discord again). */
interface Limiters {
  commands: CommandRateLimiter;
  controls: CommandRateLimiter;
}

async function runCommand(
  interaction: ChatInputCommandInteraction | MessageContextMenuCommandInteraction,
  command: Command,
  context: BotContext,
  limiter: CommandRateLimiter,
): Promise<void> {
  if (!interaction.inCachedGuild()) throw new UserFacingError('errors.outsideServer');
  const wait = limiter.take(interaction.user.id);
  if (wait > 0) throw new UserFacingError('errors.tooFast', { count: wait });
  await interaction.deferReply(command.ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  if (command.kind === 'slash' && interaction.isChatInputCommand()) await command.execute(interaction, context);
  else if (command.kind === 'message-menu' && interaction.isMessageContextMenuCommand()) await command.execute(interaction, context);
}

function describe(interaction: RepliableInteraction): string {
  if (interaction.isCommand()) return interaction.commandName;
  if (interaction.isMessageComponent()) return interaction.customId.split(':')[0] ?? 'component';
  return `type ${interaction.type}`;
}

/**
 * Shows a UserFacingError to its user, privately; a store that is unavailable is said so (the
 * store's own log tells the operator, once per outage); anything else is logged and apologised for.
 */
async function reportFailure(interaction: RepliableInteraction, failure: unknown, log: typeof logger): Promise<void> {
  const messages = messagesFor(interaction.locale);
  const error = isStoreUnavailable(failure) ? new UserFacingError('errors.storeUnavailable').because(failure) : failure;
  const text = error instanceof UserFacingError ? error.textIn(messages) : messages.text('errors.apology');
  if (error !== failure) log.warn({ reason: (failure as Error).message }, 'interaction failed: the store is unavailable');
  else if (!(error instanceof UserFacingError)) log.error({ err: error }, 'interaction failed');
  try {
    if (!interaction.deferred && !interaction.replied) {
      await interaction.reply({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    } else if (interaction.isMessageComponent() && !interaction.ephemeral) {
      // A control on a results message was acknowledged: the results stay, the answer comes beside them.
      await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    } else if (interaction.ephemeral === true) {
      await interaction.editReply({ content: text, embeds: [], components: [], allowedMentions: { parse: [] } });
    } else {
      // A public "thinking…" reply cannot turn private: remove it and answer privately.
      await interaction.deleteReply().catch(() => undefined);
      await interaction.followUp({ content: text, flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
    }
  } catch (replyError) {
    log.warn({ err: replyError }, 'could not tell the user about a failed interaction');
  }
}
