import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type GuildBasedChannel,
} from 'discord.js';
import { audienceContains, botReadBlockers, READ } from '../access/memberAccess.js';
import type { BotContext } from '../botContext.js';
import { walkableThreads } from '../indexing/channelThreads.js';
import type { SlashCommand } from '../interactions/command.js';
import { ReplyProgressView } from '../indexing/reindexProgress.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { requireManageGuild } from './channels.js';
import { described } from '../messages/commandText.js';
import { messagesFor } from '../messages/messages.js';
import { permissionsText } from '../messages/permissionNames.js';

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
  data: described(new SlashCommandBuilder(), 'commands.reindex')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addChannelOption((option) => described(option, 'commands.reindex.channel').addChannelTypes(...WALKABLE))
    .addBooleanOption((option) => described(option, 'commands.reindex.stop'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const messages = messagesFor(interaction.locale);
    // Its progress tells what the channel's history holds: only for admins who may read that history.
    const named = await context.access.channelOption(interaction, 'channel', READ);
    if (named === undefined) throw new UserFacingError('channels.noSuchChannel');
    const target = named ?? interaction.channel;
    if (target === null || !(WALKABLE as readonly ChannelType[]).includes(target.type)) throw new UserFacingError('reindex.wrongType');
    if (named === null && !(await context.access.memberHas(interaction.member, target, READ))) {
      throw new UserFacingError('reindex.needsHistory', { channel: `<#${target.id}>` });
    }
    const { guildId } = interaction;
    const channel = `<#${target.id}>`;
    const parentId = target.isThread() ? target.parentId : null;
    if (!(await context.guildState.settings.isIndexed(guildId, target.id, parentId)))
      throw new UserFacingError('reindex.notIndexed', { channel });
    if (interaction.options.getBoolean('stop') === true) {
      const stopped = await context.reindex.stop(guildId, target.id);
      await interaction.editReply(
        stopped === undefined
          ? messages.text('reindex.noneRunning', { channel })
          : messages.text('reindex.stopped', { channel, count: stopped.scanned }),
      );
      return;
    }
    const missing = botReadBlockers(target);
    if (missing.length > 0) {
      // Without them Discord answers with an empty history: the walk would "finish" having read nothing.
      throw new UserFacingError('reindex.cannotRead', { channel, permissions: permissionsText(missing, messages), count: missing.length });
    }
    if (context.reindex.isRunning(guildId, target.id)) {
      await context.reindex.watch(target, new ReplyProgressView(interaction, messages.text('reindex.alreadyRunning', { channel })));
      return;
    }
    await startWalk(interaction, context, target);
  },
} satisfies SlashCommand;

async function startWalk(
  interaction: ChatInputCommandInteraction<'cached'>,
  context: BotContext,
  target: GuildBasedChannel,
): Promise<void> {
  const messages = messagesFor(interaction.locale);
  const { threads, privateThreadsLeftOut } = target.isThread()
    ? { threads: [], privateThreadsLeftOut: false }
    : await walkableThreads(target);
  // The progress names the channel and counts the messages of all it walks: public only where all who see it may
  // read every one of them (never with a private thread, whose members only Discord knows).
  const here = interaction.channel;
  const publicIn = here !== null && [target, ...threads].every((walked) => audienceContains(here, walked)) ? here : undefined;
  const { resumed, posted } = await context.reindex.start(
    target,
    threads.map((thread) => thread.id),
    publicIn,
  );
  const posts = (POST_CHANNELS as readonly ChannelType[]).includes(target.type);
  const channel = `<#${target.id}>`;
  const started =
    threads.length === 0
      ? messages.text(resumed ? 'reindex.resumed' : 'reindex.started', { channel })
      : messages.text(
          resumed
            ? posts
              ? 'reindex.resumedWithPosts'
              : 'reindex.resumedWithThreads'
            : posts
              ? 'reindex.startedWithPosts'
              : 'reindex.startedWithThreads',
          {
            channel,
            count: threads.length,
          },
        );
  const header = [started, ...(privateThreadsLeftOut ? [messages.text('reindex.privateThreadsLeftOut')] : [])].join('\n');
  if (posted) {
    await interaction.editReply(`${header}\n${messages.text('reindex.progressPosted')}`);
  } else {
    await context.reindex.watch(target, new ReplyProgressView(interaction, `${header}\n${messages.text('reindex.progressPrivate')}`));
  }
}
