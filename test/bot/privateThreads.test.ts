import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import type { Rgb } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, buttonId, findAll, indexChannel, postColours, shownChannels, shownNames, type SmallWorld } from './world.js';

const RED: Rgb = [220, 30, 30];
/** How long the bot trusts Discord's word that someone is in a private thread (THREAD_MEMBERSHIP_CACHE_SECONDS). */
const TRUSTED_SECONDS = 1;

/**
 * A private thread of an indexed channel holds red images; the channel holds more. Discord
 * tells the bot nothing when someone else leaves a private thread (no Server Members intent),
 * so membership must be asked of Discord, not remembered.
 */
describe('a member removed from a private thread', () => {
  let harness: BotUnderTest;
  let world: SmallWorld & { threadId: string };

  function build(discord: FakeDiscord): void {
    const small = buildSmallWorld(discord);
    const threadId = discord.createThread(small.channelId, {
      name: 'private red',
      private: true,
      members: [small.memberId, discord.botUser.id],
    }).id;
    world = { ...small, threadId };
  }

  async function postReds(channelId: string, prefix: string, count: number): Promise<void> {
    for (let n = 0; n < count; n += 10) {
      const names = Array.from({ length: Math.min(10, count - n) }, (_, i) => ({ name: `${prefix}-${n + i + 1}`, rgb: RED }));
      await postColours(harness, channelId, world.memberId, names);
    }
  }

  const fromThread = (reply: InteractionReply) => shownChannels(reply).filter((channelId) => channelId === world.threadId).length;

  before(async () => {
    harness = await startBotUnderTest({ setup: build, env: { THREAD_MEMBERSHIP_CACHE_SECONDS: String(TRUSTED_SECONDS) } });
    await indexChannel(harness, world);
    await postReds(world.threadId, 'thread', 15);
    await postReds(world.channelId, 'channel', 10);
  });
  after(() => harness.stop());

  test('sees its images while a member, and neither a new search nor Previous/Next shows them once removed (within the time an answer is trusted)', async () => {
    const where = { channelId: world.channelId, userId: world.memberId };
    const first = await findAll(harness, where, 'red');
    assert.equal(shownNames(first).length, 10);
    assert.ok(fromThread(first) > 0, 'precondition: as a member they see the thread images');
    const second = await harness.discord.pressButton({
      userId: world.memberId,
      messageId: first.original!.id,
      customId: buttonId(first, 'Next'),
    });
    assert.ok(fromThread(second) > 0, 'precondition: the next page shows thread images too');

    harness.discord.removeThreadMember(world.threadId, world.memberId);
    // Removal takes effect once the bot's last answer from Discord is older than it trusts answers.
    await sleep(TRUSTED_SECONDS * 1000);

    const again = await findAll(harness, where, 'red');
    assert.equal(fromThread(again), 0, 'a new search shows nothing of the thread');
    assert.ok(shownNames(again).length > 0, 'the channel images are still shown');
    const back = await harness.discord.pressButton({
      userId: world.memberId,
      messageId: first.original!.id,
      customId: buttonId(second, 'Previous'),
    });
    assert.equal(fromThread(back), 0, 'Previous on the old results shows nothing of the thread');
    assert.ok(!JSON.stringify([back.components, back.mediaUrls]).includes('thread-'));
  });
});
