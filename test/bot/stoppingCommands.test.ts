import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, CALLBACK_ROUTE, privateText, until, type SmallWorld } from './world.js';

/**
 * Commands while the bot stops (SIGTERM, a restart): those under way finish before the store
 * closes, within a limit; those that arrive meanwhile are told the bot is restarting.
 */

describe('commands while the bot stops', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  /** Starts /forget-me as the member with Discord slow to take its "thinking…" answer; resolves once that answer was sent. */
  async function slowForgetMe(delayMs: number): Promise<string> {
    harness.discord.delayResponses(delayMs, CALLBACK_ROUTE);
    const started = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'forget-me',
      wait: false,
    });
    await until(
      () => harness.discord.requests.some((request) => request.path.includes(`/interactions/${started.interactionId}/`)),
      'the command to answer "thinking…"',
    );
    harness.discord.delayResponses(0);
    return started.interactionId;
  }

  test('a command under way finishes, store writes included, before the store closes; one arriving meanwhile is told the bot is restarting', async () => {
    const running = await slowForgetMe(2000);
    const stopped = harness.stopBot();
    const arriving = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'stats' });
    assert.equal(privateText(arriving), 'The bot is restarting. Please try again shortly.');
    await stopped;
    const finished = await harness.discord.waitForReply(running);
    // It wrote the member's choice after Discord took its first answer: the store was still open.
    assert.match(finished.content, /^Done: /);
    await harness.startBotAgain();
    const settings = await harness.engine.store.getSettings<{ optedOut: string[] }>(world.guildId);
    assert.deepEqual(settings?.optedOut, [world.memberId]);
  });

  test('a command that does not finish within the limit does not hold the stop up for long', async () => {
    await slowForgetMe(60_000);
    const started = Date.now();
    await harness.stopBot();
    const took = Date.now() - started;
    assert.ok(took < 9000, `stopping took ${took} ms`);
    await harness.startBotAgain();
  });
});
