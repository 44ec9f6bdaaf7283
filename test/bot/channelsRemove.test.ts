import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, findAll, indexChannel, indexedIn, postColours, shownChannels, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * `/channels remove` forgets a channel's images and its threads', archived ones included
 * (after a restart discord.js knows only active threads), and nothing of a channel no longer
 * indexed is shown, even what is still on its way out of the index.
 */
describe('/channels remove', () => {
  let harness: BotUnderTest | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  /** A small world whose indexed channel has a thread with a red image, archived, and the bot restarted since. */
  async function archivedThreadWorld(): Promise<{ harness: BotUnderTest; world: SmallWorld & { threadId: string } }> {
    let world!: SmallWorld & { threadId: string };
    const started = await startBotUnderTest({
      setup: (discord) => {
        const small = buildSmallWorld(discord);
        world = { ...small, threadId: discord.createThread(small.channelId, { name: 'old thread' }).id };
      },
    });
    harness = started;
    await indexChannel(started, world);
    await postColours(started, world.threadId, world.memberId, [{ name: 'thread-red', rgb: RED }]);
    await postColours(started, world.channelId, world.memberId, [{ name: 'channel-red', rgb: RED }]);
    started.discord.setThreadArchived(world.threadId, true);
    await started.restart();
    assert.equal(started.bot.client.channels.cache.has(world.threadId), false, 'precondition: the bot does not know the archived thread');
    return { harness: started, world };
  }

  const remove = (started: BotUnderTest, world: SmallWorld) =>
    started.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'channels',
      subcommand: 'remove',
      options: { channel: world.channelId },
    });

  test("forgets the images of the channel's archived threads too", async () => {
    const { harness: started, world } = await archivedThreadWorld();
    const reply = await remove(started, world);
    assert.match(reply.content, /Stopped indexing <#\d+> and forgot its 2 images\./);
    assert.deepEqual(indexedIn(started, world.guildId, world.threadId), []);
    assert.deepEqual(indexedIn(started, world.guildId, world.channelId), []);
  });

  test("what could not be forgotten yet is not shown: a thread of a channel no longer indexed is nobody's to see", async () => {
    const { harness: started, world } = await archivedThreadWorld();
    // Discord fails to list the archived threads: the thread's image stays in the index for now.
    started.discord.injectFault({ route: /\/threads\/archived\//, status: 500, times: 50 });
    try {
      await remove(started, world);
    } finally {
      started.discord.clearFaults();
    }
    assert.equal(indexedIn(started, world.guildId, world.threadId).length, 1, 'precondition: the thread image is still held');
    await indexChannel(started, world, started.discord.createChannel(world.guildId, { name: 'other' }).id);
    const found = await findAll(started, { channelId: world.channelId, userId: world.adminId }, 'red');
    assert.ok(!shownChannels(found).includes(world.threadId), 'not shown, even to the owner');
  });
});
