import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, postImageMessages, until, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * /forget-me holds on every path an image can come in by, and reaches every image already in:
 * archived threads the bot has not cached, catch-up after downtime, edits, and images that were
 * already queued when the member opted out.
 */
describe('/forget-me, everywhere', () => {
  let harness: BotUnderTest | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  async function start(): Promise<{ harness: BotUnderTest; world: SmallWorld }> {
    let world!: SmallWorld;
    const started = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    harness = started;
    return { harness: started, world };
  }

  const forgetMe = (started: BotUnderTest, world: SmallWorld) =>
    started.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.memberId, name: 'forget-me' });
  const imagesOf = (started: BotUnderTest, world: SmallWorld, userId: string) =>
    [...started.engine.library.images(world.guildId)].filter((image) => image.authorId === userId).map((image) => image.id);

  test('reaches images in an archived thread the bot no longer has cached', async () => {
    const { harness: started, world } = await start();
    await indexChannel(started, world);
    const threadId = started.discord.createThread(world.channelId, { name: 'old' }).id;
    await postColours(started, threadId, world.memberId, [{ name: 'in-thread', rgb: RED }]);
    started.discord.setThreadArchived(threadId, true);
    await started.restart();
    assert.match((await forgetMe(started, world)).content, /I removed 1 image you posted/);
    assert.deepEqual(imagesOf(started, world, world.memberId), []);
  });

  test('holds for what is caught up after downtime, and for edits of old messages', async () => {
    const { harness: started, world } = await start();
    await indexChannel(started, world);
    const [old] = await postColours(started, world.channelId, world.memberId, [{ name: 'old', rgb: RED }]);
    await forgetMe(started, world);
    await started.stopBot();
    await postImageMessages(started.discord, world.channelId, world.memberId, 2);
    const [marker] = await postImageMessages(started.discord, world.channelId, world.adminId, 1, { first: 5 });
    await started.startBotAgain();
    await until(() => started.engine.library.has(world.guildId, marker!), 'the catch-up to reach the last message');
    await started.discord.editMessage(old!.split(':')[0]!, { content: 'edited after opting out' });
    const [after] = await postColours(started, world.channelId, world.adminId, [{ name: 'after-edit', rgb: RED }]);
    await until(() => started.engine.library.has(world.guildId, after!), 'the messages after the edit to be handled');
    await started.bot.context.live.flush();
    assert.deepEqual(imagesOf(started, world, world.memberId), []);
  });

  test('outlives the bot being removed from the server and invited again', async () => {
    const { harness: started, world } = await start();
    await indexChannel(started, world);
    await forgetMe(started, world);
    started.discord.removeBotFromGuild(world.guildId);
    await until(() => !started.bot.client.guilds.cache.has(world.guildId), 'the bot to be out');
    started.discord.addBotToGuild(world.guildId);
    await until(() => started.bot.client.guilds.cache.has(world.guildId), 'the bot to be back');
    await indexChannel(started, world);
    await postImageMessages(started.discord, world.channelId, world.memberId, 1);
    const [marker] = await postColours(started, world.channelId, world.adminId, [{ name: 'marker', rgb: RED }]);
    await until(() => started.engine.library.has(world.guildId, marker!), 'the messages to be handled');
    await started.bot.context.live.flush();
    assert.deepEqual(imagesOf(started, world, world.memberId), []);
    assert.match(
      (
        await started.discord.invokeSlashCommand({
          channelId: world.channelId,
          userId: world.memberId,
          name: 'forget-me',
          options: { undo: true },
        })
      ).content,
      /Your new uploads will be indexed again/,
    );
  });

  test('takes back images that were already queued when the member opted out', async () => {
    const { harness: started, world } = await start();
    const images = await postImageMessages(started.discord, world.channelId, world.memberId, 30);
    await indexChannel(started, world);
    // Downloads are slow, so a /reindex holds most of the member's images in the queue for a while.
    started.discord.delayResponses(300, /^\/attachments\//);
    try {
      await started.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'reindex' });
      await until(() => images.some((id) => started.engine.library.has(world.guildId, id)), 'the walk to index the first images');
      assert.ok(!images.every((id) => started.engine.library.has(world.guildId, id)), 'precondition: images are still queued');
      await forgetMe(started, world);
    } finally {
      started.discord.delayResponses(0);
    }
    await until(() => !started.bot.context.reindex.isRunning(world.guildId, world.channelId), 'the walk to end');
    await started.bot.context.ingest.idle();
    assert.deepEqual(imagesOf(started, world, world.memberId), []);
  });
});
