import {
  ChannelType,
  InteractionContextType,
  PermissionFlagsBits,
  SlashCommandBuilder,
  type ChatInputCommandInteraction,
  type GuildBasedChannel,
} from 'discord.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { BotContext } from '../botContext.js';
import { MAX_SAME_AUTHOR_HOURS, thresholdsOf, type RepostActions, type RepostPolicy } from '../guildState/repostPolicy.js';
import type { SlashCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { described } from '../messages/commandText.js';
import { messagesFor, type Messages } from '../messages/messages.js';
import { permissionsText } from '../messages/permissionNames.js';
import { HASH_BITS } from '../../reposts/repostMatcher.js';
import { showResults } from '../results/searchReply.js';
import { recentReposts } from '../reposts/recentReposts.js';
import { actionsText, exemptNames, repostStatusText } from '../reposts/repostStatus.js';
import { requireManageGuild } from './channels.js';

const THREADS = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread] as const;
/** Channels a repost can be posted in: a channel covers its threads and posts, a thread may have its own choice. */
const POSTING = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.GuildForum, ChannelType.GuildMedia, ...THREADS] as const;
const LOG = [ChannelType.GuildText, ChannelType.GuildAnnouncement, ...THREADS] as const;

type Interaction = ChatInputCommandInteraction<'cached'>;

/**
 * `/reposts` (Manage Server; all off until an admin watches a channel): what to do when an
 * image posted before is posted again in a channel (react, reply, log), the log channel,
 * exemptions, the same-author window and thresholds, the status, and the recent reposts.
 */
export default {
  kind: 'slash',
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.reposts')
    .setContexts(InteractionContextType.Guild)
    .setDefaultMemberPermissions(PermissionFlagsBits.ManageGuild)
    .addSubcommand((sub) =>
      described(sub, 'commands.reposts.channel')
        .addChannelOption((option) =>
          described(option, 'commands.reposts.channel.channel')
            .setRequired(true)
            .addChannelTypes(...POSTING),
        )
        .addBooleanOption((option) => described(option, 'commands.reposts.channel.react'))
        .addBooleanOption((option) => described(option, 'commands.reposts.channel.reply'))
        .addBooleanOption((option) => described(option, 'commands.reposts.channel.log')),
    )
    .addSubcommand((sub) =>
      described(sub, 'commands.reposts.logChannel').addChannelOption((option) =>
        described(option, 'commands.reposts.logChannel.channel').addChannelTypes(...LOG),
      ),
    )
    .addSubcommand((sub) =>
      described(sub, 'commands.reposts.exempt')
        .addChannelOption((option) => described(option, 'commands.reposts.exempt.channel').addChannelTypes(...POSTING))
        .addRoleOption((option) => described(option, 'commands.reposts.exempt.role'))
        .addBooleanOption((option) => described(option, 'commands.reposts.exempt.remove')),
    )
    .addSubcommand((sub) =>
      described(sub, 'commands.reposts.rules')
        .addIntegerOption((option) =>
          described(option, 'commands.reposts.rules.sameAuthorHours').setMinValue(0).setMaxValue(MAX_SAME_AUTHOR_HOURS),
        )
        .addIntegerOption((option) => described(option, 'commands.reposts.rules.maxDistance').setMinValue(0).setMaxValue(HASH_BITS))
        .addNumberOption((option) => described(option, 'commands.reposts.rules.minSimilarity').setMinValue(-1).setMaxValue(1))
        .addIntegerOption((option) => described(option, 'commands.reposts.rules.hashAloneDistance').setMinValue(0).setMaxValue(HASH_BITS))
        .addBooleanOption((option) => described(option, 'commands.reposts.rules.reset')),
    )
    .addSubcommand((sub) => described(sub, 'commands.reposts.status'))
    .addSubcommand((sub) => described(sub, 'commands.reposts.list'))
    .toJSON(),

  async execute(interaction, context) {
    requireManageGuild(interaction.memberPermissions);
    const messages = messagesFor(interaction.locale);
    const subcommand = interaction.options.getSubcommand();
    if (subcommand === 'list') return list(interaction, context, messages);
    const answer = SETTING_SUBCOMMANDS[subcommand];
    if (answer === undefined) throw new UserFacingError('errors.unknownCommand');
    const lines = await answer(interaction, context, messages);
    // Role and channel mentions name what was chosen; none of them may ping. Past Discord's 2000 characters, the end goes.
    await interaction.editReply({ content: lines.join('\n').slice(0, 2000), allowedMentions: { parse: [] } });
  },
} satisfies SlashCommand;

type Answer = (interaction: Interaction, context: BotContext, messages: Messages) => Promise<string[]>;

/** The subcommands that change or show the policy, each answering in lines of text. */
const SETTING_SUBCOMMANDS: Record<string, Answer> = {
  channel: (interaction, context, messages) => watch(interaction, context, messages),
  'log-channel': (interaction, context, messages) => chooseLogChannel(interaction, context, messages),
  exempt: (interaction, context, messages) => exempt(interaction, context, messages),
  rules: async (interaction, context, messages) => [
    messages.text('reposts.rulesSaved'),
    await status(interaction, context, messages, await changeRules(interaction, context)),
  ],
  status: async (interaction, context, messages) => [await status(interaction, context, messages)],
};

/** The channel option named, when the admin can see it in this server; a UserFacingError when it is not one. */
async function channelNamed(interaction: Interaction, context: BotContext, name: string): Promise<GuildBasedChannel | null> {
  const channel = await context.access.channelOption(interaction, name, PermissionFlagsBits.ViewChannel);
  if (channel === undefined) throw new UserFacingError('channels.noSuchChannel');
  return channel;
}

async function watch(interaction: Interaction, context: BotContext, messages: Messages): Promise<string[]> {
  const channel = await channelNamed(interaction, context, 'channel');
  if (channel === null) throw new UserFacingError('channels.noSuchChannel');
  const { guildId } = interaction;
  const { settings } = context.guildState;
  const policy = await settings.changeRepostPolicy(guildId, (now) => {
    const was = now.channels[channel.id];
    // An action not given stays as it was.
    const chosen = (action: keyof RepostActions) => interaction.options.getBoolean(action) ?? was?.[action] ?? false;
    return { ...now, channels: { ...now.channels, [channel.id]: { react: chosen('react'), reply: chosen('reply'), log: chosen('log') } } };
  });
  const mention = `<#${channel.id}>`;
  const actions = policy.channels[channel.id];
  if (actions === undefined) return [messages.text('reposts.channelUnwatched', { channel: mention })];
  const lines = [messages.text('reposts.channelWatched', { channel: mention, actions: actionsText(actions, messages) })];
  if (!(await settings.isIndexed(guildId, channel.id, channel.isThread() ? channel.parentId : null)))
    lines.push(messages.text('reposts.channelNotIndexed', { channel: mention }));
  if (actions.log && policy.logChannelId === null) lines.push(messages.text('reposts.noLogChannel'));
  return lines;
}

async function chooseLogChannel(interaction: Interaction, context: BotContext, messages: Messages): Promise<string[]> {
  const channel = await channelNamed(interaction, context, 'channel');
  await context.guildState.settings.changeRepostPolicy(interaction.guildId, (now) => ({ ...now, logChannelId: channel?.id ?? null }));
  if (channel === null) return [messages.text('reposts.logChannelCleared')];
  const mention = `<#${channel.id}>`;
  const lines = [messages.text('reposts.logChannelSet', { channel: mention })];
  const missing = cannotPostIn(channel);
  if (missing.length > 0)
    lines.push(messages.text('reposts.logChannelCannotPost', { channel: mention, permissions: permissionsText(missing, messages) }));
  return lines;
}

/** What keeps the bot from posting in a channel, as the permissions to give it. */
function cannotPostIn(channel: GuildBasedChannel): string[] {
  const me = channel.guild.members.me;
  const permissions = me === null ? null : channel.permissionsFor(me);
  const send = channel.isThread() ? PermissionFlagsBits.SendMessagesInThreads : PermissionFlagsBits.SendMessages;
  return [
    ...(permissions?.has(PermissionFlagsBits.ViewChannel) === true ? [] : ['View Channel']),
    ...(permissions?.has(send) === true ? [] : ['Send Messages']),
  ];
}

async function exempt(interaction: Interaction, context: BotContext, messages: Messages): Promise<string[]> {
  const channel = await channelNamed(interaction, context, 'channel');
  const role = interaction.options.getRole('role');
  if (channel === null && role === null) throw new UserFacingError('reposts.exemptNothing');
  const remove = interaction.options.getBoolean('remove') === true;
  const change = (ids: readonly string[], id: string | undefined) =>
    id === undefined ? ids : remove ? ids.filter((other) => other !== id) : [...new Set([...ids, id])];
  await context.guildState.settings.changeRepostPolicy(interaction.guildId, (now) => ({
    ...now,
    exemptChannels: change(now.exemptChannels, channel?.id),
    exemptRoles: change(now.exemptRoles, role?.id),
  }));
  const names = exemptNames(
    { exemptChannels: channel === null ? [] : [channel.id], exemptRoles: role === null ? [] : [role.id] },
    messages,
  );
  return [messages.text(remove ? 'reposts.unexempted' : 'reposts.exempted', { names })];
}

async function changeRules(interaction: Interaction, context: BotContext): Promise<RepostPolicy> {
  const { options } = interaction;
  const given = {
    maxDistance: options.getInteger('max-distance'),
    minSimilarity: options.getNumber('min-similarity'),
    hashAloneDistance: options.getInteger('hash-alone-distance'),
  };
  const chosen = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== null));
  const reset = options.getBoolean('reset') === true;
  return context.guildState.settings.changeRepostPolicy(interaction.guildId, (now) => ({
    ...now,
    sameAuthorHours: options.getInteger('same-author-hours') ?? now.sameAuthorHours,
    thresholds: { ...(reset ? {} : now.thresholds), ...chosen },
  }));
}

async function status(interaction: Interaction, context: BotContext, messages: Messages, known?: RepostPolicy): Promise<string> {
  const { guildId } = interaction;
  const policy = known ?? (await context.guildState.settings.repostPolicy(guildId));
  const facts = {
    policy,
    defaults: context.config.reposts,
    refusals: await context.guildState.reposts.refusals(guildId),
    unhashed: context.library.imagesWithoutHash(guildId),
    wordsRead: context.library.ocr.isOn(guildId),
  };
  return repostStatusText(interaction.guild, facts, context.access, messages);
}

async function list(interaction: Interaction, context: BotContext, messages: Messages): Promise<void> {
  const { guildId, member } = interaction;
  const policy = await context.guildState.settings.repostPolicy(guildId);
  const nsfwAllowed = isNsfwChannel(interaction.channel);
  const noticed = await context.guildState.reposts.recent(guildId);
  const groups = await recentReposts(
    context.library,
    context.access,
    member,
    { nsfwAllowed },
    noticed,
    policy,
    thresholdsOf(policy, context.config.reposts),
  );
  if (groups.length === 0) {
    await interaction.editReply(messages.text('reposts.listEmpty'));
    return;
  }
  await showResults(interaction, context, {
    title: messages.text('reposts.listTitle'),
    kind: 'image',
    groups,
    limit: groups.length,
    nsfwAllowed,
  });
}
