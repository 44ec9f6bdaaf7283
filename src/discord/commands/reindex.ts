import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type GuildBasedChannel,
} from 'discord.js';
import { audienceContains, botReadBlockers } from '../access/memberAccess.js';
import type { BotContext } from '../botContext.js';
import { walkableThreads } from '../indexing/channelThreads.js';
import type { SlashCommand } from '../interactions/command.js';
import { ReplyProgressView } from '../indexing/reindexProgress.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { NO_SUCH_CHANNEL, requireManageGuild } from './channels.js';

/** Channels whose posts are threads: walking one means walking its posts. */
const POST_CHANNELS = [ChannelType.GuildForum, ChannelType.GuildMedia] as const;
const WALKABLE = [
  ChannelType.GuildText,
  ChannelType.GuildAnnouncement,
  ChannelType.PublicThread,
  ChannelType.PrivateThread,
  ChannelType.AnnouncementThread,
  ...POST_CHANNELS,
] as const;

export default {
  kind: 'slash',
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('reindex')
    .setDescription("Index a channel's past images, with its threads or posts (resumable)")
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addChannelOption((option) =>
      option.setName('channel').setDescription('The channel, thread, forum or media channel (default: this one)').addChannelTypes(...WALKABLE),
    )
    .addBooleanOption((option) => option.setName('stop').setDescription('Stop a reindex that is running'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const named = await context.access.channelOption(interaction, 'channel');
    if (named === undefined) throw new UserFacingError(NO_SUCH_CHANNEL);
    const target = named ?? interaction.channel;
    if (target === null || !(WALKABLE as readonly ChannelType[]).includes(target.type)) {
      throw new UserFacingError('Pick a text channel, thread, forum or media channel to reindex.');
    }
    const { guildId } = interaction;
    const parentId = target.isThread() ? target.parentId : null;
    if (!(await context.guildState.settings.isIndexed(guildId, target.id, parentId))) {
      throw new UserFacingError(`<#${target.id}> is not indexed. Add it first with \`/channels add\`.`);
    }
    if (interaction.options.getBoolean('stop') === true) {
      const stopped = await context.reindex.stop(guildId, target.id);
      await interaction.editReply(
        stopped === undefined
          ? `No reindex is running in <#${target.id}>.`
          : `Stopped reindexing <#${target.id}> after ${stopped.scanned} messages. Run /reindex again to continue from there.`,
      );
      return;
    }
    const missing = botReadBlockers(target);
    if (missing.length > 0) {
      // Without them Discord answers with an empty history: the walk would "finish" having read nothing.
      throw new UserFacingError(
        `I can't read the history of <#${target.id}>: I need ${missing.join(' and ')} there. Give my role ${missing.length === 1 ? 'that permission' : 'those permissions'} and run /reindex again.`,
      );
    }
    if (context.reindex.isRunning(guildId, target.id)) {
      const header = `<#${target.id}> is already being reindexed (\`/reindex stop:True\` stops it):`;
      await context.reindex.watch(target, new ReplyProgressView(interaction, header));
      return;
    }
    await startWalk(interaction, context, target);
  },
} satisfies SlashCommand;

async function startWalk(interaction: ChatInputCommandInteraction<'cached'>, context: BotContext, target: GuildBasedChannel): Promise<void> {
  const { threads, note } = target.isThread() ? { threads: [], note: undefined } : await walkableThreads(target);
  // The progress names the channel and counts its messages: public only where all who see it may read that channel.
  const here = interaction.channel;
  const publicIn = here !== null && audienceContains(here, target) ? here : undefined;
  const { resumed, posted } = await context.reindex.start(target, threads.map((thread) => thread.id), publicIn);
  const posts = (POST_CHANNELS as readonly ChannelType[]).includes(target.type);
  const what = threads.length === 0 ? '' : ` and its ${threads.length} ${posts ? 'post' : 'thread'}${threads.length === 1 ? '' : 's'}`;
  const header = [`${resumed ? 'Resumed' : 'Started'} reindexing <#${target.id}>${what}.`, ...(note === undefined ? [] : [note])].join('\n');
  if (posted) {
    await interaction.editReply(`${header}\nProgress is shown in the message I posted in this channel.`);
  } else {
    const privately = `${header}\nProgress is shown here, to you only (run /reindex on the channel again to see it after 15 minutes):`;
    await context.reindex.watch(target, new ReplyProgressView(interaction, privately));
  }
}
