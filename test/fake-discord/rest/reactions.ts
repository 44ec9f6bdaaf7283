import { PermissionFlagsBits as P } from 'discord.js';
import { ApiError, missingAccess, missingPermissions, unknownChannel, unknownMessage } from '../errors.js';
import { channelPermissions } from '../permissions.js';
import { noContent, type Router } from '../router.js';
import type { World } from '../world.js';

/** Discord keeps at most this many different emojis on a message. */
const MAX_EMOJIS = 20;
/**
 * One Unicode emoji (a pictograph, a flag or a keycap, with its variation selector, skin tone and joined parts), as a
 * person's client sends it; custom `name:id` emojis are not modelled, so they are unknown.
 */
const UNICODE_EMOJI =
  /^(\p{Extended_Pictographic}|\p{Regional_Indicator}{2}|[#*0-9]\uFE0F?\u20E3)(\uFE0F|\p{Emoji_Modifier}|\u200D\p{Extended_Pictographic})*$/u;

/**
 * The bot's own reactions (`PUT /channels/:id/messages/:id/reactions/:emoji/@me`), checked as Discord checks them: the
 * message must be there and readable (Read Message History), and an emoji nobody has used on it yet also takes Add
 * Reactions; 204 on success, also when the bot had already reacted so.
 */
export function registerReactionRoutes(router: Router, world: World): void {
  router.add('PUT', '/channels/:channelId/messages/:messageId/reactions/:emoji/@me', (req) => {
    const channel = world.state.channels.get(req.params['channelId'] ?? '');
    if (!channel) throw unknownChannel();
    if (!world.botCanView(channel)) throw missingAccess();
    const message = world.state.messages.get(req.params['messageId'] ?? '');
    if (!message || message.deleted || message.ephemeral || message.channelId !== channel.id) throw unknownMessage();
    const emoji = req.params['emoji'] ?? '';
    if (!UNICODE_EMOJI.test(emoji)) throw new ApiError(400, 10014, 'Unknown Emoji');
    const permissions = channelPermissions(world.state, channel, world.botId);
    if ((permissions & P.ReadMessageHistory) === 0n) throw missingPermissions();
    const used = message.reactions.some((reaction) => reaction.emoji === emoji);
    if (!used && (permissions & P.AddReactions) === 0n) throw missingPermissions();
    if (!used && message.reactions.length >= MAX_EMOJIS)
      throw new ApiError(400, 30010, `Maximum number of reactions reached (${MAX_EMOJIS})`);
    if (channel.thread?.archived) throw new ApiError(400, 50083, 'Thread is archived');
    world.addReaction(message, emoji, world.botId);
    return noContent();
  });
}
