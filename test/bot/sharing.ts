import assert from 'node:assert/strict';
import type { BotMessageRecord, FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import type { BotUnderTest } from './botHarness.js';
import { buttonId, chooseResult, findAll, shownNames } from './world.js';

/** Share in end-to-end tests: turning it on, Show then Share as a member, and what the bot posted publicly. */

/** The admin switches Share on with /settings. */
export async function allowSharing(harness: BotUnderTest, world: { channelId: string; adminId: string }): Promise<void> {
  await harness.discord.invokeSlashCommand({
    channelId: world.channelId,
    userId: world.adminId,
    name: 'settings',
    options: { sharing: true },
  });
}

/** The bot's public follow-ups in a channel, which is how a shared result is posted, oldest first. */
export function publicFollowups(discord: FakeDiscord, channelId: string): BotMessageRecord[] {
  return discord.botMessagesIn(channelId).filter((message) => !message.ephemeral && message.origin === 'followup');
}

/** Show #n of the member's search for `query`: of the image named, else of the first result; with that image's name. */
export async function showResult(
  harness: BotUnderTest,
  where: { channelId: string; userId: string },
  query: string,
  name?: string,
): Promise<InteractionReply & { name: string }> {
  const results = await findAll(harness, where, query);
  const number = name === undefined ? 1 : shownNames(results).indexOf(name) + 1;
  assert.ok(number > 0, `precondition: ${name} is among the results`);
  const shown = await chooseResult(harness, results, { menu: 'Show', number, ...where });
  return Object.assign(shown, { name: shownNames(results)[number - 1]! });
}

/** Presses Share under a Show reply. */
export function pressShare(
  harness: BotUnderTest,
  shown: InteractionReply,
  where: { channelId: string; userId: string },
): Promise<InteractionReply> {
  return harness.discord.pressButton({ ...where, messageId: shown.original!.id, customId: buttonId(shown, 'Share') });
}
