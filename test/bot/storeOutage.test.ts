import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';
import { solidColourImage } from '../fixtures/images.js';
import { startTcpProxy, type TcpProxy } from '../fixtures/tcpProxy.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildCommandsWorld, channelWithHistory, runReindex, untilReindexEnded, type CommandsWorld } from './reindexing.js';
import { indexChannel, indexedIn, postColours, privateText, until } from './world.js';

/**
 * The bot on a Redis store that goes away while it runs (through a relay the test can cut):
 * members are told the index is unavailable, and images posted meanwhile are indexed once
 * the store is back.
 */

/** A Redis database of this file's own (see redisDatabase.ts). */
const REDIS_URL = 'redis://127.0.0.1:6379/10';
const skip = skipUnlessRedis(await emptyRedisDatabase(REDIS_URL));

describe('the bot while its store is unreachable', { skip }, () => {
  let proxy: TcpProxy;
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    proxy = await startTcpProxy(6379);
    harness = await startBotUnderTest({
      // One attempt: an image that fails for any other reason is given up at once.
      env: { STORE_URL: proxy.urlFor(REDIS_URL), INGEST_MAX_ATTEMPTS: '1' },
      setup: (discord) => (world = buildCommandsWorld(discord)),
    });
    await indexChannel(harness, world);
  });
  after(async () => {
    await proxy.restore();
    await harness.stop();
    await proxy.close();
  });

  test('a member whose command needs the store is told privately that the index is unavailable, in their language', async () => {
    const german = harness.discord.createUser({ username: 'leser', locale: 'de' }).id;
    harness.discord.addMember(world.guildId, german);
    await proxy.cut();
    try {
      const reply = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.memberId, name: 'forget-me' });
      assert.equal(privateText(reply), 'The image index is unavailable right now. Please try again in a minute.');
      const inGerman = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: german, name: 'forget-me' });
      assert.match(privateText(inGerman), /Bildindex ist gerade nicht erreichbar/);
    } finally {
      await proxy.restore();
    }
  });

  test('an image posted while the store is unreachable is indexed once it is back', async () => {
    await proxy.cut();
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'teal.png', data: await solidColourImage([20, 160, 150]), contentType: 'image/png' }],
    });
    const id = `${message.id}:${message.attachments[0]!.id}`;
    const { ingest } = harness.bot.context;
    await until(() => ingest.waitingForStore === 1, 'the image to wait for the store');
    assert.equal(ingest.failures(world.guildId).count, 0, 'not given up as failed');
    await proxy.restore();
    await until(() => harness.engine.library.has(world.guildId, id), 'the image to be indexed', 60_000);
    await until(() => ingest.waitingForStore === 0, 'the image to stop waiting (its words are stored after it)');
    assert.equal(ingest.failures(world.guildId).count, 0);
  });

  test('stopping while an image waits for the store gives it back unindexed, and the next start indexes it', async () => {
    // Indexed just before: its channel's cursor moved, and saving it fails while stopping.
    await postColours(harness, world.channelId, world.memberId, [{ name: 'amber', rgb: [230, 160, 20] }]);
    await proxy.cut();
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'plum.png', data: await solidColourImage([120, 40, 110]), contentType: 'image/png' }],
    });
    const id = `${message.id}:${message.attachments[0]!.id}`;
    await until(() => harness.bot.context.ingest.waitingForStore === 1, 'the image to wait for the store');
    await harness.stopBot();
    await proxy.restore();
    await harness.startBotAgain();
    await until(() => harness.engine.library.has(world.guildId, id), 'the image to be indexed after the restart', 60_000);
  });

  test('a reindex under way when the bot stops with the store down resumes on the next start and indexes everything', async () => {
    const archive = await channelWithHistory(harness, world, 'archive', 40);
    // Slow downloads: the walk has images on their way when the store goes.
    harness.discord.delayResponses(1000, '/attachments/');
    await runReindex(harness.discord, world, archive.channelId);
    await proxy.cut();
    await until(() => harness.bot.context.ingest.waitingForStore > 0, 'images of the walk to wait for the store');
    harness.discord.delayResponses(0);
    await harness.stopBot();
    await proxy.restore();
    await harness.startBotAgain();
    assert.match(await untilReindexEnded(harness.discord, world, archive.name), /^Finished reindexing/);
    assert.deepEqual(indexedIn(harness, world.guildId, archive.channelId), archive.images);
  });
});
