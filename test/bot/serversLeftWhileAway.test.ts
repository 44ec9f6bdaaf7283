import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, until, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * Removing the bot from a server removes that server's index, also when it happens while the
 * bot is offline (no event then): but only when Discord says the bot is out, never because of
 * an outage.
 */
describe('a server that removed the bot while it was offline', () => {
  let harness: BotUnderTest | undefined;
  afterEach(async () => {
    await harness?.stop();
    harness = undefined;
  });

  /** A server with one indexed image; the bot is stopped when it resolves. */
  async function indexedThenStopped(): Promise<{ harness: BotUnderTest; world: SmallWorld }> {
    let world!: SmallWorld;
    const started = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    harness = started;
    await indexChannel(started, world);
    await postColours(started, world.channelId, world.memberId, [{ name: 'kept-red', rgb: RED }]);
    await started.stopBot();
    return { harness: started, world };
  }

  const holds = (started: BotUnderTest, guildId: string) => started.engine.library.imagesPerChannel(guildId).size > 0;

  test('is forgotten after start-up, settings and all: a new invitation starts from nothing', async () => {
    const { harness: started, world } = await indexedThenStopped();
    started.discord.removeBotFromGuild(world.guildId);
    await started.startBotAgain();
    await started.bot.startedUp;
    assert.equal(holds(started, world.guildId), false, 'its images are forgotten');
    started.discord.addBotToGuild(world.guildId);
    await until(() => started.bot.client.guilds.cache.has(world.guildId), 'the bot to be back in the server');
    const list = await started.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'channels',
      subcommand: 'list',
    });
    assert.equal(list.content, 'No channels are indexed yet. Add one with `/channels add`.');
  });

  test('is kept while Discord cannot say (the server read fails)', async () => {
    const { harness: started, world } = await indexedThenStopped();
    started.discord.removeBotFromGuild(world.guildId);
    started.discord.injectFault({ route: `/api/v10/guilds/${world.guildId}`, method: 'GET', status: 500, times: 20 });
    await started.startBotAgain();
    await started.bot.startedUp;
    assert.ok(
      started.discord.requests.some((request) => request.path === `/api/v10/guilds/${world.guildId}` && request.fault !== null),
      'the bot asked',
    );
    assert.ok(holds(started, world.guildId), 'an unanswered question forgets nothing');
  });

  test('a server in an outage (listed as unavailable) is kept', async () => {
    const { harness: started, world } = await indexedThenStopped();
    started.discord.setGuildAvailable(world.guildId, false);
    await started.startBotAgain();
    assert.equal(started.bot.client.guilds.cache.get(world.guildId)?.available, false, 'precondition: the server is unavailable');
    started.discord.setGuildAvailable(world.guildId, true);
    await until(() => started.bot.client.guilds.cache.get(world.guildId)?.available === true, 'the server to be back');
    await started.bot.startedUp;
    assert.ok(holds(started, world.guildId));
    const requests = started.discord.requests.filter((request) => request.path === `/api/v10/guilds/${world.guildId}`);
    assert.deepEqual(requests, [], 'a server Discord listed is not asked about');
  });
});
