import { MessageFlags, type ButtonInteraction, type CommandInteraction } from 'discord.js';
import type { SearchHit } from '../../library/imageLibrary.js';
import type { SearchFilter } from '../../search/vectorIndex.js';
import type { BotContext } from '../botContext.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import { PAGE_BUTTON_PREFIX } from './resultPages.js';
import { UserFacingError } from '../interactions/userFacingError.js';

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

const NOTHING_FOUND =
  'No matching images found in the channels you can read. (Only channels an admin has indexed with `/channels add` are searched.)';

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
  const showing = { nsfwAllowed: isNsfwChannel(interaction.channel) };
  if (request.channelId !== undefined && (await context.access.readableChannels(member, [request.channelId], showing)).size === 0) {
    // The same answer for a channel that is hidden, empty, elsewhere or not there at all.
    throw new UserFacingError('There are no images you can see in that channel.');
  }
  const candidates = request.channelId === undefined ? context.library.imagesPerChannel(guildId).keys() : [request.channelId];
  const filter: Omit<SearchFilter, 'channelIds'> = {
    ...(request.authorId === undefined ? {} : { authorId: request.authorId }),
    ...(request.after === undefined ? {} : { after: request.after }),
    ...(request.before === undefined ? {} : { before: request.before }),
  };
  const hits = await context.access.searchReadable<SearchHit>(
    member,
    candidates,
    showing,
    (hit) => hit.image.channelId,
    (channelIds) => context.library.searchVector(guildId, request.vector, { limit: request.limit, filter: { ...filter, channelIds } }),
  );
  // Latency as the member feels it: from their command to ranked results.
  context.metrics?.observeQuery(request.kind, (Date.now() - interaction.createdTimestamp) / 1000);
  if (hits.length === 0) {
    // Nothing here tells whether channels the member cannot read hold images.
    await interaction.editReply({ content: `${request.title}\n${NOTHING_FOUND}` });
    return;
  }
  const session = context.resultPages.open({
    userId: interaction.user.id,
    guildId,
    title: request.title,
    hits,
    nsfwAllowed: showing.nsfwAllowed,
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
  if (session.userId !== interaction.user.id || session.guildId !== interaction.guildId) {
    await interaction.reply({ content: 'Only the person who ran this search can turn its pages.', flags: MessageFlags.Ephemeral });
    return;
  }
  await interaction.deferUpdate();
  // The results stay in the channel they were asked in: once it is no longer age-restricted, neither are they.
  if (!isNsfwChannel(interaction.channel)) session.nsfwAllowed = false;
  const page = Number.parseInt(pageText ?? '', 10);
  await interaction.editReply(await context.resultPages.render(session, Number.isSafeInteger(page) ? page : 0, interaction.member));
}

export const pageButtonHandler = { prefix: PAGE_BUTTON_PREFIX, execute: turnResultPage };
