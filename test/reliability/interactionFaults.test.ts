import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotProcess, startProcessWorld, type BotProcess, type ProcessWorld } from '../bot/botProcess.js';
import { CALLBACK_ROUTE, until, type SmallWorld } from '../bot/world.js';

/**
 * The bot as its own process (as `npm start` runs it), with one command a minute allowed
 * and Discord answering 500 to interaction callbacks: the reply to the second command fails
 * too, and the process must log it and keep running, not die of an unhandled rejection.
 */
describe('the bot process when Discord refuses its interaction replies', () => {
  let setup: ProcessWorld;
  let discord: FakeDiscord;
  let world: SmallWorld;
  let bot: BotProcess;

  before(async () => {
    setup = await startProcessWorld();
    ({ discord, world } = setup);
    bot = startBotProcess({ ...setup.env, COMMANDS_PER_MINUTE: '1' });
    await bot.waitForLine(/ready as/, 60_000);
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await setup.stop();
  });

  test('keeps running, logs the failure, and answers the next command once Discord recovers', async () => {
    const find = (userId: string, wait?: false) =>
      discord.invokeSlashCommand({
        channelId: world.channelId,
        userId,
        name: 'find',
        options: { query: 'red' },
        ...(wait === false ? { wait } : {}),
      });
    discord.injectFault({ route: CALLBACK_ROUTE, method: 'POST', status: 500, times: 1000 });
    const first = await find(world.memberId, false);
    const second = await find(world.memberId, false);
    const refused = (interactionId: string) =>
      discord.requests.filter((request) => request.fault !== null && request.path.includes(interactionId)).length;
    // discord.js tries each callback four times (three retries) before giving up.
    await until(() => refused(first.interactionId) >= 4 && refused(second.interactionId) >= 4, 'both replies to be refused');
    await bot.waitForLine(/could not tell the user about a failed interaction/, 30_000);
    discord.clearFaults();

    const later = await discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.match(later.content, /No matching images/);
    assert.equal(bot.child.exitCode, null, `the process ended:\n${bot.output().slice(-3000)}`);
    assert.doesNotMatch(bot.output(), /unhandled promise rejection/, 'no rejection went unhandled');
  });
});
