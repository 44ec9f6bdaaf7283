import { MessageFlags, type ButtonInteraction, type CommandInteraction } from 'discord.js';
import type { SearchFilter } from '../search/vectorIndex.js';
import type { BotContext } from './botContext.js';
import { isNsfwChannel, readableChannelIds } from './readableChannels.js';
import { PAGE_BUTTON_PREFIX } from './resultPages.js';
import { UserFacingError } from './userFacingError.js';

export interface SearchRequest {
  kind: 'text' | 'image';
  /** The line above the results, e.g. `Results for "red car"`. */
  title: string;
  vector: Float32Array;
  limit: number;
  /** Narrowing the member asked for; channel access is added here. */
  channelId?: string;
  authorId?: string;
  after?: number;
  before?: number;
}

/**
 * Runs a search for the member who asked, over only the channels they can read, and
 * edits the deferred reply into the first page of results.
 */
export async function replyWithResults(
  interaction: CommandInteraction<'cached'>,
  context: BotContext,
  request: SearchRequest,
): Promise<void> {
  const { guildId, member } = interaction;
  const searchedFromNsfw = isNsfwChannel(interaction.channel);
  const candidates = request.channelId === undefined
    ? context.library.imagesPerChannel(guildId).keys()
    : [request.channelId];
  const channelIds = await readableChannelIds(member, candidates, { searchedFromNsfw });
  if (request.channelId !== undefined && channelIds.size === 0) {
    throw new UserFacingError('There are no images you can see in that channel.');
  }
  const filter: SearchFilter = {
    channelIds,
    ...(request.authorId === undefined ? {} : { authorId: request.authorId }),
    ...(request.after === undefined ? {} : { after: request.after }),
    ...(request.before === undefined ? {} : { before: request.before }),
  };
  const hits = channelIds.size === 0 ? [] : await context.library.searchVector(guildId, request.vector, { limit: request.limit, filter });
  // Latency as the member feels it: from their command to ranked results.
  context.metrics?.observeQuery(request.kind, (Date.now() - interaction.createdTimestamp) / 1000);
  if (hits.length === 0) {
    await interaction.editReply({ content: `${request.title}\nNo matching images found${context.library.imagesPerChannel(guildId).size === 0 ? ': nothing is indexed in this server yet (an admin can run /channels add and /reindex).' : '.'}` });
    return;
  }
  const session = context.resultPages.open({
    userId: interaction.user.id,
    guildId,
    title: request.title,
    hits,
    searchedFromNsfw,
    retire: () => interaction.editReply({ components: [] }),
  });
  await interaction.editReply(await context.resultPages.render(session, 0, member));
}

/** Prev/Next: only the member who searched may turn pages; others are told so, privately. */
export async function turnResultPage(interaction: ButtonInteraction<'cached'>, context: BotContext): Promise<void> {
  const [, sessionId, pageText] = interaction.customId.split(':');
  const session = context.resultPages.get(sessionId ?? '');
  if (session === undefined) {
    await interaction.update({ components: [] });
    await interaction.followUp({ content: 'These results have expired. Run the search again.', flags: MessageFlags.Ephemeral });
    return;
  }
  if (session.userId !== interaction.user.id) {
    await interaction.reply({ content: 'Only the person who ran this search can turn its pages.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferUpdate();
  // The results stay in the channel they were asked in: once it is no longer age-restricted, neither are they.
  if (!isNsfwChannel(interaction.channel)) session.searchedFromNsfw = false;
  await interaction.editReply(await context.resultPages.render(session, Number(pageText), interaction.member));
}

export const pageButtonHandler = { prefix: PAGE_BUTTON_PREFIX, execute: turnResultPage };
