import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { solidColourImage } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, indexedIn, postColours, progressMessageIn, until, type SmallWorld } from './world.js';

describe('/forget-me', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
  });
  after(() => harness.stop());

  const forgetMe = (options: Record<string, boolean> = {}) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.memberId, name: 'forget-me', options });
  const authorsIndexed = () => new Set([...harness.engine.library.images(world.guildId)].map((image) => image.authorId));

  /** Posts one image as `userId` and waits until the bot has handled the message (indexed it, or passed it over). */
  async function postAndSettle(userId: string, name: string): Promise<string> {
    const message = await harness.discord.postMessage(world.channelId, userId, {
      attachments: [{ filename: `${name}.png`, data: await solidColourImage([40, 200, 90]), contentType: 'image/png' }],
    });
    // The admin's image after it is indexed only once both were handled (the cursor passes them in order).
    const marker = await postColours(harness, world.channelId, world.adminId, [{ name: `${name}-marker`, rgb: [200, 200, 40] }]);
    await until(() => harness.engine.library.has(world.guildId, marker[0]!), 'the marker to be indexed');
    await harness.bot.context.live.flush();
    return `${message.id}:${message.attachments[0]!.id}`;
  }

  test("removes every image the member posted here, says how many, and keeps everyone else's", async () => {
    await postColours(harness, world.channelId, world.memberId, [
      { name: 'mine-1', rgb: [220, 30, 30] },
      { name: 'mine-2', rgb: [30, 60, 220] },
    ]);
    await postColours(harness, world.channelId, world.adminId, [{ name: 'theirs', rgb: [30, 160, 50] }]);
    assert.ok(authorsIndexed().has(world.memberId));
    const reply = await forgetMe();
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, /I removed 2 images you posted/);
    assert.match(reply.content, /won't index your uploads in this server any more/);
    assert.ok(!authorsIndexed().has(world.memberId));
    assert.ok(authorsIndexed().has(world.adminId));
  });

  test('their new uploads are not indexed while they are opted out, neither live nor by /reindex', async () => {
    await forgetMe();
    const live = await postAndSettle(world.memberId, 'after-opt-out');
    assert.equal(harness.engine.library.has(world.guildId, live), false, 'live indexing passed it over');

    await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'reindex',
      options: { channel: world.channelId },
    });
    const finished = () => /^Finished reindexing/.test(progressMessageIn(harness.discord, world.channelId, 'photos')?.content ?? '');
    await until(finished, 'the reindex to finish');
    const ids = indexedIn(harness, world.guildId, world.channelId);
    assert.ok(!ids.includes(live), 'the reindex passed it over too');
    assert.ok(!authorsIndexed().has(world.memberId));
  });

  test('undo: new uploads are indexed again, and the reply says removed images come back only through /reindex', async () => {
    await forgetMe();
    const reply = await forgetMe({ undo: true });
    assert.match(reply.content, /Your new uploads will be indexed again/);
    assert.match(reply.content, /come back only when an admin runs `\/reindex`/);
    const id = await postAndSettle(world.memberId, 'after-undo');
    assert.equal(harness.engine.library.has(world.guildId, id), true);
    assert.match((await forgetMe({ undo: true })).content, /You hadn't opted out/);
  });
});
