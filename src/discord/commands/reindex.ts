import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type GuildBasedChannel,
  type ThreadChannel,
} from 'discord.js';
import type { SlashCommand } from '../command.js';
import { UserFacingError } from '../userFacingError.js';
import { requireManageGuild } from './channels.js';

const HISTORY_PERMISSIONS = [
  ['View Channel', PermissionFlagsBits.ViewChannel],
  ['Read Message History', PermissionFlagsBits.ReadMessageHistory],
] as const;

export default {
  kind: 'slash',
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription("Index a channel's past images (resumable)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addChannelOption((option) =>
      option
        .setName('channel')
        .setDescription('The channel (default: this one)')
        .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.PublicThread, ChannelType.PrivateThread),
    )
    .addBooleanOption((option) => option.setName('stop').setDescription('Stop a reindex that is running'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const target = interaction.options.getChannel('channel') ?? interaction.channel;
    if (target === null || !('messages' in target) || !target.isTextBased()) {
      throw new UserFacingError('Pick a text channel or thread to reindex.');
    }
    const parentId = target.isThread() ? target.parentId : null;
    if (!(await context.settings.isIndexed(interaction.guildId, target.id, parentId))) {
      throw new UserFacingError(`<#${target.id}> is not indexed. Add it first with \`/channels add\`.`);
    }
    const threads = target.isThread() ? [] : await threadsOf(target);
    if (interaction.options.getBoolean('stop') === true) {
      for (const thread of threads) await context.reindex.stop(interaction.guildId, thread.id);
      const stopped = await context.reindex.stop(interaction.guildId, target.id);
      await interaction.editReply(
        stopped === undefined
          ? `No reindex is running in <#${target.id}>.`
          : `Stopped reindexing <#${target.id}> after ${stopped.scanned} messages. Run /reindex again to continue from there.`,
      );
      return;
    }
    const me = interaction.guild.members.me;
    const missing = me === null ? HISTORY_PERMISSIONS : HISTORY_PERMISSIONS.filter(([, flag]) => !target.permissionsFor(me).has(flag));
    if (missing.length > 0) {
      // Without them Discord answers with an empty history: the walk would "finish" having read nothing.
      const names = missing.map(([name]) => name).join(' and ');
      throw new UserFacingError(
        `I can't read the history of <#${target.id}>: I need ${names} there. Give my role ${missing.length === 1 ? 'that permission' : 'those permissions'} and run /reindex again.`,
      );
    }
    if (context.reindex.isRunning(interaction.guildId, target.id)) {
      throw new UserFacingError(`<#${target.id}> is already being reindexed. Use \`/reindex stop:True\` to stop it.`);
    }
    const progressChannel = interaction.channel?.isTextBased() ? interaction.channel : undefined;
    const { state, resumed } = await context.reindex.start(target, progressChannel ?? undefined);
    // Threads are indexed with their channel; their walks run quietly beside the channel's.
    const readable = threads.filter((thread) => me !== null && HISTORY_PERMISSIONS.every(([, flag]) => thread.permissionsFor(me).has(flag)));
    for (const thread of readable) {
      if (thread.isTextBased() && !context.reindex.isRunning(interaction.guildId, thread.id)) await context.reindex.start(thread, undefined);
    }
    await interaction.editReply(
      `${resumed ? 'Resumed' : 'Started'} reindexing <#${target.id}>` +
        (readable.length === 0 ? '.' : ` and its ${readable.length} thread${readable.length === 1 ? '' : 's'}.`) +
        (state.progressMessage === undefined ? '' : ' Progress is shown in the message I posted in this channel.'),
    );
  },
} satisfies SlashCommand;

/** A channel's threads: the active ones the bot has cached and the archived public ones. */
async function threadsOf(channel: GuildBasedChannel): Promise<ThreadChannel[]> {
  const threads = new Map<string, ThreadChannel>();
  for (const cached of channel.guild.channels.cache.values()) {
    if (cached.isThread() && cached.parentId === channel.id) threads.set(cached.id, cached);
  }
  if ('threads' in channel) {
    try {
      const archived = await channel.threads.fetchArchived({ type: 'public', fetchAll: true });
      for (const thread of archived.threads.values()) threads.set(thread.id, thread);
    } catch {
      // Listing archived threads needs Read Message History; without it only the active ones are walked.
    }
  }
  return [...threads.values()];
}
