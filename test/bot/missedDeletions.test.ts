import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  findAll,
  historyReads,
  indexChannel,
  lastRequestSeq,
  postColours,
  shownNames,
  until,
  type SmallWorld,
} from './world.js';

const RED = [220, 30, 30] as const;

/**
 * Deletions the bot could miss: discord.js drops MESSAGE_DELETE, MESSAGE_DELETE_BULK and
 * THREAD_DELETE for a channel it has not cached (an archived thread, after a restart, is one),
 * and an image edited out of a message while the bot was offline sends nothing it will see.
 */
describe('deletions in channels the bot has not cached, and edits made while it was away', () => {
  let harness: BotUnderTest | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  /** An indexed channel whose thread holds three images in two messages, the thread archived and the bot restarted since. */
  async function archivedThread(env: Record<string, string> = {}) {
    let world!: SmallWorld & { threadId: string };
    const started = await startBotUnderTest({
      env,
      setup: (discord) => {
        const small = buildSmallWorld(discord);
        world = { ...small, threadId: discord.createThread(small.channelId, { name: 'archived later' }).id };
      },
    });
    harness = started;
    await indexChannel(started, world);
    const first = await postColours(started, world.threadId, world.memberId, [
      { name: 'a', rgb: RED },
      { name: 'b', rgb: RED },
    ]);
    const second = await postColours(started, world.threadId, world.memberId, [{ name: 'c', rgb: RED }]);
    started.discord.setThreadArchived(world.threadId, true);
    await started.restart();
    assert.equal(started.bot.client.channels.cache.has(world.threadId), false, 'precondition: the bot does not know the archived thread');
    return { harness: started, world, first, second, messageOf: (id: string) => id.split(':')[0]! };
  }

  /** The bot in a small world, its channel indexed, re-checking indexed messages about once a second. */
  async function recheckingBot() {
    let world!: SmallWorld;
    const started = await startBotUnderTest({
      env: { RECHECK_PERIOD_HOURS: '0.0003', RECHECK_REQUESTS_PER_MINUTE: '600' },
      setup: (discord) => (world = buildSmallWorld(discord)),
    });
    harness = started;
    await indexChannel(started, world);
    return { harness: started, world };
  }

  const indexed = (started: BotUnderTest, guildId: string, ids: readonly string[]) =>
    ids.filter((id) => started.engine.library.has(guildId, id));

  test('a message deleted in an archived thread leaves the index', async () => {
    const { harness: started, world, first, second, messageOf } = await archivedThread();
    await started.discord.deleteMessage(messageOf(first[0]!));
    await until(() => indexed(started, world.guildId, first).length === 0, 'the deleted message to leave the index');
    assert.deepEqual(indexed(started, world.guildId, second), second, 'the other message stays');
  });

  test('messages bulk-deleted in an archived thread leave the index', async () => {
    const { harness: started, world, first, second, messageOf } = await archivedThread();
    await started.discord.bulkDelete(world.threadId, [messageOf(first[0]!), messageOf(second[0]!)]);
    await until(() => indexed(started, world.guildId, [...first, ...second]).length === 0, 'the deleted messages to leave the index');
  });

  test('an archived thread deleted leaves the index with its images', async () => {
    const { harness: started, world, first, second } = await archivedThread();
    started.discord.deleteChannel(world.threadId);
    await until(() => indexed(started, world.guildId, [...first, ...second]).length === 0, 'the thread images to leave the index');
  });

  test('an image edited out of a message while the bot was offline leaves the index when the re-check reads that message', async () => {
    const { harness: started, world } = await recheckingBot();
    const [kept, removed] = await postColours(started, world.channelId, world.memberId, [
      { name: 'kept', rgb: RED },
      { name: 'removed', rgb: RED },
    ]);
    await started.stopBot();
    const [messageId, keptAttachment] = kept!.split(':');
    await started.discord.editMessage(messageId!, { keepAttachments: [keptAttachment!] });
    await started.startBotAgain();
    await until(() => !started.engine.library.has(world.guildId, removed!), 'the re-check to notice the image edited out');
    assert.ok(started.engine.library.has(world.guildId, kept!), 'the image still in the message stays');
  });

  test('without the Message Content intent, messages read again show no images, and nothing is taken for edited out (re-check, results)', async () => {
    const { harness: started, world } = await recheckingBot();
    const images = await postColours(started, world.channelId, world.memberId, [
      { name: 'a', rgb: RED },
      { name: 'b', rgb: RED },
    ]);
    started.discord.setPrivilegedIntents({ messageContent: false });
    const since = lastRequestSeq(started.discord);
    await until(
      () => historyReads(started.discord, world.channelId, since).filter((read) => read.query['after'] !== undefined).length >= 3,
      'several re-check passes',
      30_000,
    );
    assert.deepEqual(indexed(started, world.guildId, images), images);
    const found = await findAll(started, { channelId: world.channelId, userId: world.memberId }, 'red');
    assert.equal(shownNames(found).length, 2, 'the results are shown');
    assert.deepEqual(indexed(started, world.guildId, images), images, 'and stay indexed');
  });
});
