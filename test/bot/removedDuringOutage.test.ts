import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, until, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * A server in an outage is kept (Discord says so with GUILD_DELETE `unavailable: true`); one that
 * removes the bot is forgotten at once (GUILD_DELETE without it), also while it is in an outage,
 * not only at the bot's next start.
 */
describe('a server in an outage', () => {
  let harness: BotUnderTest;

  before(async () => {
    harness = await startBotUnderTest();
  });
  after(() => harness.stop());

  /** A new server with one indexed image, in an outage as the bot sees it. */
  async function serverInOutage(name: string): Promise<SmallWorld> {
    const world = buildSmallWorld(harness.discord, name);
    await until(() => harness.bot.client.channels.cache.has(world.channelId), 'the bot to see the new server');
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [{ name: `${name}-red`, rgb: RED }]);
    harness.discord.setGuildAvailable(world.guildId, false);
    await until(() => harness.bot.client.guilds.cache.get(world.guildId)?.available === false, 'the bot to see the outage');
    return world;
  }

  const holds = (guildId: string) => harness.engine.library.imagesPerChannel(guildId).size > 0;

  test('keeps its index through the outage', async () => {
    const world = await serverInOutage('outage');
    harness.discord.setGuildAvailable(world.guildId, true);
    await until(() => harness.bot.client.guilds.cache.get(world.guildId)?.available === true, 'the server to be back');
    await harness.bot.context.live.flush();
    assert.ok(holds(world.guildId));
  });

  test('that removes the bot meanwhile is forgotten at once', async () => {
    const world = await serverInOutage('removed-in-outage');
    harness.discord.removeBotFromGuild(world.guildId);
    await until(() => !harness.bot.client.guilds.cache.has(world.guildId), 'the bot to be out of the server');
    await harness.bot.context.live.flush();
    assert.equal(holds(world.guildId), false, 'its images are forgotten');
    assert.deepEqual([...(await harness.bot.context.guildState.settings.indexedChannels(world.guildId))], [], 'and its settings');
  });
});
