import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Events } from 'discord.js';
import { solidColourImage } from '../fixtures/images.js';
import type { FakeMessage, PostSpec } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildCommandsWorld, channelWithHistory, runReindex, type CommandsWorld } from './reindexing.js';
import { historyReads, indexChannel, indexedIn, lastRequestSeq, until } from './world.js';

const CDN = /^\/attachments\//;

/**
 * "A deleted message leaves the index", whatever the timing: a message, channel, thread or
 * server that goes while one of its images is still downloading leaves nothing behind once
 * that image arrives (the deletion found nothing to remove then), and a /reindex walk of what
 * went ends. The downloads are held by the fake CDN until the bot has heard of the deletion.
 */
describe('deletions that arrive while an image is on its way in', () => {
  let harness: BotUnderTest | undefined;
  afterEach(async () => {
    harness?.discord.clearFaults();
    await harness?.stop();
    harness = undefined;
  });

  async function start(): Promise<{ harness: BotUnderTest; world: CommandsWorld }> {
    let world!: CommandsWorld;
    const started = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)) });
    harness = started;
    await indexChannel(started, world);
    return { harness: started, world };
  }

  /** What the bot still holds of an image: its record (vector, perceptual hash) and its words (message text, file name). */
  function traces(started: BotUnderTest, guildId: string, id: string): string[] {
    const { library } = started.engine;
    return [...(library.get(guildId, id) === undefined ? [] : ['record']), ...(library.words.has(guildId, id) ? ['words'] : [])];
  }

  /**
   * Posts a message as the member while image downloads are held: it returns once the bot is
   * downloading the message's image, with `release`, which lets the downloads answer and waits
   * for the bot to be done with them.
   */
  async function postHeld(started: BotUnderTest, world: CommandsWorld, channelId: string, post: PostSpec) {
    const hold = started.discord.holdResponses(CDN);
    const message = await started.discord.postMessage(channelId, world.memberId, post);
    await until(() => started.bot.context.ingest.depthOf(world.guildId) > 0, 'the image to be on its way in');
    const release = async (): Promise<void> => {
      hold();
      await started.bot.context.ingest.idle();
      await started.bot.context.live.flush();
    };
    return { message, release };
  }

  async function postImageHeld(started: BotUnderTest, world: CommandsWorld, channelId: string, name: string) {
    const { message, release } = await postHeld(started, world, channelId, {
      content: `the ${name} picture`,
      attachments: [{ filename: `${name}.png`, data: await solidColourImage([200, 40, 40]), contentType: 'image/png' }],
    });
    return { id: `${message.id}:${message.attachments[0]!.id}`, release };
  }

  /** A message that shows another one's image by its link: the CDN keeps serving it when this message is deleted. */
  function linkTo(source: FakeMessage): PostSpec {
    const url = source.attachments[0]!.url;
    return { content: url, embeds: [{ type: 'image', url, thumbnail: { url } } as never] };
  }

  async function postIndexed(started: BotUnderTest, world: CommandsWorld, name: string): Promise<FakeMessage> {
    const source = await started.discord.postMessage(world.channelId, world.adminId, {
      attachments: [{ filename: `${name}.png`, data: await solidColourImage([40, 200, 40]), contentType: 'image/png' }],
    });
    await until(() => started.engine.library.has(world.guildId, `${source.id}:${source.attachments[0]!.id}`), 'the source image indexed');
    return source;
  }

  test('a message linking an image, deleted while that image downloads, leaves nothing of it behind', async () => {
    const { harness: started, world } = await start();
    const source = await postIndexed(started, world, 'linked');
    const { message, release } = await postHeld(started, world, world.channelId, linkTo(source));
    const heard = once(started.bot.client, Events.MessageDelete);
    await started.discord.deleteMessage(message.id);
    await heard;
    await release();
    assert.deepEqual(traces(started, world.guildId, `${message.id}:embed0`), []);
  });

  test('a message linking an image, deleted once that image is indexed, leaves the index', async () => {
    const { harness: started, world } = await start();
    const source = await postIndexed(started, world, 'linked-later');
    const linking = await started.discord.postMessage(world.channelId, world.memberId, linkTo(source));
    const id = `${linking.id}:embed0`;
    await until(() => started.engine.library.has(world.guildId, id), 'the linked image indexed');
    await started.discord.deleteMessage(linking.id);
    await until(() => traces(started, world.guildId, id).length === 0, 'the linked image forgotten');
  });

  test('a channel deleted while its images download leaves none of them behind', async () => {
    const { harness: started, world } = await start();
    const { id, release } = await postImageHeld(started, world, world.channelId, 'gone-channel');
    started.discord.deleteChannel(world.channelId);
    await until(() => !started.bot.client.channels.cache.has(world.channelId), 'the bot to hear of the deletion');
    await release();
    assert.deepEqual(traces(started, world.guildId, id), []);
  });

  test('a thread deleted while its images download leaves none of them behind', async () => {
    const { harness: started, world } = await start();
    const threadId = started.discord.createThread(world.channelId, { name: 'short-lived' }).id;
    await until(() => started.bot.client.channels.cache.has(threadId), 'the bot to know the thread');
    const { id, release } = await postImageHeld(started, world, threadId, 'gone-thread');
    started.discord.deleteChannel(threadId);
    await until(() => !started.bot.client.channels.cache.has(threadId), 'the bot to hear of the deletion');
    await release();
    assert.deepEqual(traces(started, world.guildId, id), []);
  });

  test('a server that removed the bot while an image downloaded keeps nothing in the store', async () => {
    const { harness: started, world } = await start();
    const { id, release } = await postImageHeld(started, world, world.channelId, 'gone-server');
    started.discord.removeBotFromGuild(world.guildId);
    await until(() => !started.bot.client.guilds.cache.has(world.guildId), 'the bot to hear it was removed');
    await release();
    assert.deepEqual(traces(started, world.guildId, id), []);
    assert.ok(!(await started.engine.store.collections()).includes(world.guildId), 'no collection of the server is stored');
    assert.deepEqual(await started.engine.store.cursors(world.guildId), {}, 'no cursor or failure of the server is stored');
  });

  test('a server that removed the bot and invited it back has its new images indexed', async () => {
    const { harness: started, world } = await start();
    started.discord.removeBotFromGuild(world.guildId);
    await until(() => !started.bot.client.guilds.cache.has(world.guildId), 'the bot to hear it was removed');
    await started.bot.context.live.flush();
    started.discord.addBotToGuild(world.guildId);
    await until(() => started.bot.client.guilds.cache.has(world.guildId), 'the bot to be back');
    await indexChannel(started, world);
    await postIndexed(started, world, 'welcome-back');
  });

  test('the /reindex walk of a channel deleted meanwhile ends, and none of its images stay', async () => {
    const { harness: started, world } = await start();
    const { discord } = started;
    const walked = await channelWithHistory(started, world, 'walked-then-deleted', 150);
    const release = discord.holdResponses(CDN);
    await runReindex(discord, world, walked.channelId);
    await until(() => started.bot.context.ingest.depthOf(world.guildId) > 0, 'the images of the first page to be on their way in');
    discord.deleteChannel(walked.channelId);
    await until(() => !started.bot.client.channels.cache.has(walked.channelId), 'the bot to hear of the deletion');
    const deletedAt = lastRequestSeq(discord);
    release();
    await until(() => !started.bot.context.reindex.isRunning(world.guildId, walked.channelId), 'the walk to end');
    await started.bot.context.ingest.idle();
    await started.bot.context.live.flush();
    assert.deepEqual(historyReads(discord, walked.channelId, deletedAt), [], 'no page is asked for after the one under way');
    assert.deepEqual(indexedIn(started, world.guildId, walked.channelId), []);
  });

  test('the /reindex walk in a server that removed the bot ends, and leaves no state of the server stored', async () => {
    const { harness: started, world } = await start();
    const { discord } = started;
    const walked = await channelWithHistory(started, world, 'walked-then-left', 150);
    const release = discord.holdResponses(CDN);
    await runReindex(discord, world, walked.channelId);
    await until(() => started.bot.context.ingest.depthOf(world.guildId) > 0, 'the images of the first page to be on their way in');
    discord.removeBotFromGuild(world.guildId);
    await until(() => !started.bot.client.guilds.cache.has(world.guildId), 'the bot to hear it was removed');
    const removedAt = lastRequestSeq(discord);
    release();
    await until(() => !started.bot.context.reindex.isRunning(world.guildId, walked.channelId), 'the walk to end');
    await started.bot.context.ingest.idle();
    await started.bot.context.live.flush();
    assert.deepEqual(historyReads(discord, walked.channelId, removedAt), [], 'no page is asked for after the one under way');
    assert.deepEqual(indexedIn(started, world.guildId, walked.channelId), []);
    assert.ok(!(await started.engine.store.collections()).includes(world.guildId), 'no collection of the server is stored');
    assert.deepEqual(await started.engine.store.cursors(world.guildId), {}, 'no walk or cursor of the server is stored');
  });
});
