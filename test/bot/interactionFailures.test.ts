import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, CALLBACK_ROUTE, privateText, until, shownText, type SmallWorld } from './world.js';

describe('interactions that cannot be handled as asked', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ env: { COMMANDS_PER_MINUTE: '1' }, setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  test('a command the bot does not have is answered privately, not left "thinking"', async () => {
    const reply = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'gallery' });
    assert.match(privateText(reply), /don't know that command/);
  });

  test('a command sent as another kind than the bot registered is answered privately', async () => {
    const message = await harness.discord.postMessage(world.channelId, world.adminId, { content: 'hello' });
    const reply = await harness.discord.invokeMessageContextMenu({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'stats',
      targetMessageId: message.id,
    });
    assert.match(privateText(reply), /don't know that command/);
  });

  test('when Discord refuses the "wait a moment" reply, nothing escapes: the bot goes on answering', async () => {
    const escaped: unknown[] = [];
    const record = (reason: unknown) => escaped.push(reason);
    process.on('unhandledRejection', record);
    try {
      const userId = harness.discord.createUser({ username: 'fast' }).id;
      harness.discord.addMember(world.guildId, userId);
      const find = (who: string, wait?: false) =>
        harness.discord.invokeSlashCommand({
          channelId: world.channelId,
          userId: who,
          name: 'find',
          options: { query: 'red' },
          ...(wait === false ? { wait } : {}),
        });
      assert.match(shownText(await find(userId)), /Results for "red"|No matching images/, 'the first command of the minute');
      harness.discord.injectFault({ route: CALLBACK_ROUTE, method: 'POST', status: 500, times: 1000 });
      const refused = await find(userId, false);
      // discord.js retries a 500 three times: the reply has failed once the fourth answer is served.
      await until(
        () =>
          harness.discord.requests.filter((request) => request.fault !== null && request.path.includes(refused.interactionId)).length >= 4,
        'the rate-limit reply to be refused',
      );
      harness.discord.clearFaults();
      const later = await find(world.adminId);
      assert.match(shownText(later), /Results for "red"|No matching images/, 'the bot still answers');
      assert.deepEqual(escaped, [], 'no promise rejection went unhandled');
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});
