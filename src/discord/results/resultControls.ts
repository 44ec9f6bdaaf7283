import { MessageFlags, type StringSelectMenuInteraction } from 'discord.js';
import { isNsfwChannel } from '../access/memberAccess.js';
import type { BotContext } from '../botContext.js';
import type { ComponentHandler } from '../interactions/command.js';
import { UserFacingError } from '../interactions/userFacingError.js';
import { messagesFor } from '../messages/messages.js';
import type { ResultGroup } from './hitSearch.js';
import { jumpLink } from './resultLine.js';
import { RESULTS_PREFIX, type ResultSession } from './resultSessions.js';
import { replyWithResults } from './searchReply.js';
import { share, show } from './showAndShare.js';

/**
 * Every control on a results message: Previous/Next, More like #n, Show #n, and Share on a
 * shown image. Only the member who searched gets anywhere (ResultSessions.claim), and each
 * re-checks what they may see now.
 */
export const resultControls: ComponentHandler = {
  prefix: RESULTS_PREFIX,
  async execute(interaction, context) {
    const { session, action } = context.resultSessions.claim(interaction);
    // The results stay in the channel they were asked in: once it is no longer age-restricted, neither are they.
    if (!isNsfwChannel(interaction.channel)) session.nsfwAllowed = false;
    if (action.kind === 'page') {
      await interaction.deferUpdate();
      await interaction.editReply(await context.resultPages.render(session, action.page, interaction.member));
    } else if (action.kind === 'share') {
      if (!interaction.isButton()) throw new UserFacingError('results.controlUnknown');
      await share(interaction, context, session, resultOf(session, action.result));
    } else {
      if (!interaction.isStringSelectMenu()) throw new UserFacingError('results.controlUnknown');
      const group = resultOf(session, Number(interaction.values[0]));
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      if (action.kind === 'show') await show(interaction, context, session, group);
      else await moreLike(interaction, context, session, group);
    }
  },
};

/** A result of the session by its key; a UserFacingError when it has dropped out (gone, or no longer visible). */
function resultOf(session: ResultSession, key: number): ResultGroup {
  const group = session.groups.find((candidate) => candidate.key === key);
  if (group === undefined) throw new UserFacingError('results.resultGone');
  return group;
}

/** More like #n: a search from that result's stored vector (nothing downloaded or encoded), in a new private reply. */
async function moreLike(
  interaction: StringSelectMenuInteraction<'cached'>,
  context: BotContext,
  session: ResultSession,
  group: ResultGroup,
): Promise<void> {
  const [visible] = await context.hitSearch.recheck(interaction.member, { nsfwAllowed: session.nsfwAllowed }, [group]);
  const hit = visible?.hits[0];
  const vector = hit === undefined ? undefined : context.hitSearch.vectorOf(hit);
  if (hit === undefined || vector === undefined) throw new UserFacingError('results.resultGone');
  const title = messagesFor(interaction.locale).text('results.moreLikeTitle', { link: jumpLink(hit.image) });
  await replyWithResults(interaction, context, title, {
    kind: 'image',
    vector,
    limit: session.limit,
    excludeContentHash: hit.image.contentHash,
  });
}
