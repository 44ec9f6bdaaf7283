import path from 'node:path';
import { InteractionContextType, PermissionFlagsBits, SlashCommandBuilder } from 'discord.js';
import type { Config } from '../../config.js';
import type { IngestFailure } from '../../ingest/ingestQueue.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { SlashCommand } from '../interactions/command.js';
import { described } from '../messages/commandText.js';
import { messagesFor, type Messages } from '../messages/messages.js';

const LISTED_CHANNELS = 20;

/**
 * The model as people in a server may know it: its hub id, or for a directory given with
 * MODEL_DIR only the folder's name (the path is the host's business, not the server's).
 */
function modelName(config: Config, label: string): string {
  return config.model.dir === undefined ? label : path.basename(label);
}

/**
 * Why the last image failed: in English the image's own precise sentence, in other languages
 * what kind of problem it is (as for an image given to /similar); a failure on the bot's side is
 * only said to be one, its text is in the log. Failures stored before `problem` was kept have
 * their sentence, or raw text after "internal error".
 */
function failureText(failure: Omit<IngestFailure, 'problem'> & Partial<Pick<IngestFailure, 'problem'>>, messages: Messages): string {
  const problem = failure.problem ?? (failure.reason.startsWith('internal error') ? 'internal' : undefined);
  if (problem === 'internal') return messages.text('imageProblem.internal');
  return messages.language === 'en' || problem === undefined ? failure.reason : messages.text(`imageProblem.${problem}`);
}

export default {
  kind: 'slash',
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.stats').setContexts(InteractionContextType.Guild).toJSON(),

  async execute(interaction, context) {
    const { guildId, member } = interaction;
    const messages = messagesFor(interaction.locale);
    const perChannel = context.library.imagesPerChannel(guildId);
    const admin = member.permissions.has(PermissionFlagsBits.ManageGuild);
    // A member learns nothing (names, counts, totals) of channels they cannot read.
    const listed = await context.access.overviewChannels(member, perChannel, { nsfwAllowed: isNsfwChannel(interaction.channel) });
    const counts = [...listed].map((channelId) => [channelId, perChannel.get(channelId) ?? 0] as const).sort((a, b) => b[1] - a[1]);
    const total = counts.reduce((sum, [, count]) => sum + count, 0);
    // Counted over the whole server, so only admins see it (it could count hidden channels' images).
    const other = admin ? context.library.statsOf(guildId).otherModel : 0;
    const { model } = context.library;
    const lines = [
      messages.text(admin ? 'stats.totalServer' : 'stats.totalReadable', { count: total }),
      ...counts.slice(0, LISTED_CHANNELS).map(([channelId, count]) => `• <#${channelId}>: ${messages.number(count)}`),
      ...(counts.length > LISTED_CHANNELS ? [`• ${messages.text('stats.moreChannels', { count: counts.length - LISTED_CHANNELS })}`] : []),
      messages.text('stats.model', { model: modelName(context.config, model.label), dimensions: model.dimensions }) +
        (other > 0 ? `; ${messages.text('stats.otherModel', { count: other })}` : ''),
    ];
    if (admin) {
      // Failures are kept in the store, so the count survives restarts. They may come from any channel: admins only.
      const failures = await context.guildState.failures(guildId);
      lines.push(
        messages.text('stats.store', { backend: context.store.backend }),
        messages.text('stats.queue', { count: context.ingest.depthOf(guildId) }),
        messages.text('stats.failed', { count: failures.count }) +
          (failures.last === undefined ? '' : ` ${messages.text('stats.lastFailure', { reason: failureText(failures.last, messages) })}`),
      );
    }
    await interaction.editReply({ content: lines.join('\n'), allowedMentions: { parse: [] } });
  },
} satisfies SlashCommand;
