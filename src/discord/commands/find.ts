import { ChannelType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { SlashCommand } from '../interactions/command.js';
import { replyWithResults } from '../results/searchReply.js';
import { UserFacingError } from '../interactions/userFacingError.js';

export const MAX_QUERY_CHARACTERS = 200;
const DEFAULT_COUNT = 20;

export default {
  kind: 'slash',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: new SlashCommandBuilder()
    .setName('find')
    .setDescription('Find images in this server that match a description')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) =>
      option.setName('query').setDescription('What the image shows, e.g. "a rainbow by the water"').setRequired(true).setMaxLength(MAX_QUERY_CHARACTERS),
    )
    .addChannelOption((option) =>
      option
        .setName('channel')
        .setDescription('Only images from this channel')
        .addChannelTypes(ChannelType.GuildText, ChannelType.GuildAnnouncement, ChannelType.PublicThread, ChannelType.PrivateThread),
    )
    .addUserOption((option) => option.setName('author').setDescription('Only images posted by this member'))
    .addStringOption((option) => option.setName('after').setDescription('Only images posted after this date (YYYY-MM-DD)'))
    .addStringOption((option) => option.setName('before').setDescription('Only images posted before this date (YYYY-MM-DD)'))
    .addIntegerOption((option) =>
      option.setName('count').setDescription(`How many results (1-25, default ${DEFAULT_COUNT})`).setMinValue(1).setMaxValue(25),
    )
    .toJSON(),

  async execute(interaction, context) {
    const query = interaction.options.getString('query', true).trim();
    if (query === '') throw new UserFacingError('Tell me what to look for, e.g. `/find a dog on a beach`.');
    if (query.length > MAX_QUERY_CHARACTERS || context.library.model.countTokens(query) > context.library.model.maxTokens) {
      throw new UserFacingError('That description is too long for me. Shorten it to a sentence and try again.');
    }
    const after = parseDate(interaction.options.getString('after'), 'after');
    const before = parseDate(interaction.options.getString('before'), 'before');
    if (after !== undefined && before !== undefined && after >= before) {
      throw new UserFacingError('The "after" date must come before the "before" date.');
    }
    await replyWithResults(interaction, context, {
      kind: 'text',
      title: `Results for "${query}"`,
      vector: await context.library.model.embedText(query),
      limit: interaction.options.getInteger('count') ?? DEFAULT_COUNT,
      channelId: interaction.options.getChannel('channel')?.id,
      authorId: interaction.options.getUser('author')?.id,
      after,
      before,
    });
  },
} satisfies SlashCommand;

function parseDate(text: string | null, name: string): number | undefined {
  if (text === null) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const time = match === null ? Number.NaN : Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  if (Number.isNaN(time) || new Date(time).getUTCDate() !== Number(match?.[3])) {
    throw new UserFacingError(`"${name}" must be a date like 2024-05-31.`);
  }
  return time;
}
