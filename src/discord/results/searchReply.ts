import type { CommandInteraction, StringSelectMenuInteraction } from 'discord.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { BotContext } from '../botContext.js';
import { messagesFor } from '../messages/messages.js';
import type { HitQuery } from './hitSearch.js';
import type { ResultSession } from './resultSessions.js';

/**
 * Runs a search for the member who asked (HitSearch: only what they may see) and edits the
 * deferred reply into the first gallery page of a new result session.
 */
export async function replyWithResults(
  interaction: CommandInteraction<'cached'> | StringSelectMenuInteraction<'cached'>,
  context: BotContext,
  title: string,
  query: HitQuery,
): Promise<void> {
  const nsfwAllowed = isNsfwChannel(interaction.channel);
  const groups = await context.hitSearch.search(interaction.member, { nsfwAllowed }, query);
  // Latency as the member feels it: from their command to ranked results.
  context.metrics?.observeQuery(query.kind, (Date.now() - interaction.createdTimestamp) / 1000);
  if (groups.length === 0) {
    // Nothing here tells whether channels the member cannot read hold images.
    await interaction.editReply({
      content: `${title}\n${messagesFor(interaction.locale).text('results.nothingFound')}`,
      allowedMentions: { parse: [] },
    });
    return;
  }
  await showResults(interaction, context, { title, kind: query.kind, groups, limit: query.limit, nsfwAllowed });
}

/** Edits the deferred reply into the first gallery page of a new result session over `groups` (what the member may see). */
export async function showResults(
  interaction: CommandInteraction<'cached'> | StringSelectMenuInteraction<'cached'>,
  context: BotContext,
  results: Pick<ResultSession, 'title' | 'kind' | 'groups' | 'limit' | 'nsfwAllowed'>,
): Promise<void> {
  const { guildId, member } = interaction;
  const { resultsPerPage } = await context.guildState.settings.preferences(guildId);
  const session = context.resultSessions.open({
    ...results,
    userId: interaction.user.id,
    guildId,
    locale: interaction.locale,
    perPage: resultsPerPage,
    retire: () => interaction.editReply(context.resultPages.retired(session)),
  });
  const reply = await interaction.editReply(await context.resultPages.render(session, 0, member));
  context.resultSessions.bindPages(session, reply.id);
}
