import { ChannelType, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { MATCH_MODES, type MatchMode } from '../../search/rankFusion.js';
import type { SlashCommand } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { described } from '../messages/commandText.js';
import { en } from '../messages/en.js';
import { localizations, messagesFor } from '../messages/messages.js';
import { plainText } from '../messages/plainText.js';
import { replyWithResults } from '../results/searchReply.js';

export const MAX_QUERY_CHARACTERS = 200;
const DEFAULT_COUNT = 20;

export default {
  kind: 'slash',
  // Results are private: a public reply would show everyone in this channel images from
  // channels only the searcher can read.
  ephemeral: true,
  data: described(new SlashCommandBuilder(), 'commands.find')
    .setContexts(InteractionContextType.Guild)
    .addStringOption((option) => described(option, 'commands.find.query').setRequired(true).setMaxLength(MAX_QUERY_CHARACTERS))
    .addChannelOption((option) =>
      described(option, 'commands.find.channel').addChannelTypes(
        ChannelType.GuildText,
        ChannelType.GuildAnnouncement,
        ChannelType.PublicThread,
        ChannelType.PrivateThread,
        ChannelType.AnnouncementThread,
      ),
    )
    .addUserOption((option) => described(option, 'commands.find.author'))
    .addStringOption((option) => described(option, 'commands.find.after'))
    .addStringOption((option) => described(option, 'commands.find.before'))
    .addIntegerOption((option) => described(option, 'commands.find.count').setMinValue(1).setMaxValue(25))
    .addStringOption((option) =>
      described(option, 'commands.find.match').addChoices(
        ...MATCH_MODES.map((mode) => ({
          name: en[`commands.find.match.${mode}`],
          name_localizations: localizations(`commands.find.match.${mode}`),
          value: mode,
        })),
      ),
    )
    .toJSON(),

  async execute(interaction, context) {
    const query = interaction.options.getString('query', true).trim();
    if (query === '') throw new UserFacingError('find.emptyQuery');
    if (query.length > MAX_QUERY_CHARACTERS || context.library.model.countTokens(query) > context.library.model.maxTokens) {
      throw new UserFacingError('find.queryTooLong');
    }
    const after = parseDate(interaction.options.getString('after'), 'after');
    const before = parseDate(interaction.options.getString('before'), 'before');
    if (after !== undefined && before !== undefined && after >= before) throw new UserFacingError('find.datesReversed');
    await replyWithResults(interaction, context, messagesFor(interaction.locale).text('find.title', { query: plainText(query) }), {
      kind: 'text',
      vector: await context.library.model.embedText(query),
      words: { text: query, match: matchOf(interaction.options.getString('match')) },
      limit: interaction.options.getInteger('count') ?? DEFAULT_COUNT,
      channelId: interaction.options.getChannel('channel')?.id,
      authorId: interaction.options.getUser('author')?.id,
      after,
      before,
    });
  },
} satisfies SlashCommand;

/** By meaning and words unless the member chose one (Discord sends only the choices offered). */
function matchOf(chosen: string | null): MatchMode {
  return MATCH_MODES.find((mode) => mode === chosen) ?? 'both';
}

function parseDate(text: string | null, option: 'after' | 'before'): number | undefined {
  if (text === null) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  if (match === null) throw new UserFacingError('find.badDate', { option });
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month, day);
  // 2024-02-30 would roll over into March: a date that does not exist is refused.
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day)
    throw new UserFacingError('find.badDate', { option });
  return date.getTime();
}
