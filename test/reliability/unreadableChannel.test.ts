import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotProcess, startProcessWorld, type BotProcess, type ProcessWorld } from '../bot/botProcess.js';
import type { SmallWorld } from '../bot/world.js';

/**
 * An indexed channel the bot lost access to while it was down: each start's catch-up meets
 * it. The logs say so once, naming the permission to give, not again on every start, and say
 * when access is back.
 */
describe('the logs about an indexed channel the bot cannot read, across restarts', () => {
  let setup: ProcessWorld;
  let discord: FakeDiscord;
  let world: SmallWorld;

  /** Starts the bot, waits for its start-up catch-up to finish, stops it, and returns what it logged. */
  async function runOnce(): Promise<string> {
    const bot: BotProcess = startBotProcess(setup.env);
    try {
      await bot.waitForLine(/catch-up after start finished/, 60_000);
    } finally {
      await bot.stop('SIGTERM');
    }
    return bot.output();
  }
  const warnings = (output: string) => output.split('\n').filter((line) => /cannot read indexed channel/.test(line));

  before(async () => {
    setup = await startProcessWorld();
    ({ discord, world } = setup);
    const bot = startBotProcess(setup.env);
    try {
      await bot.waitForLine(/ready as/, 60_000);
      const reply = await discord.invokeSlashCommand({
        channelId: world.channelId,
        userId: world.adminId,
        name: 'channels',
        subcommand: 'add',
        options: { channel: world.channelId },
      });
      assert.match(reply.content, /Now indexing/);
    } finally {
      await bot.stop('SIGTERM');
    }
  });
  after(() => setup.stop());

  test('is said once, with the permission to give; not again on the next start; and access regained is said too', async () => {
    discord.updateChannel(world.channelId, { permissionOverwrites: [{ id: discord.botUser.id, type: 'member', deny: P.ViewChannel }] });
    const first = warnings(await runOnce());
    assert.equal(first.length, 1, first.join('\n'));
    assert.match(first[0]!, /give my role View Channel there/);
    assert.match(first[0]!, new RegExp(world.channelId));

    assert.deepEqual(warnings(await runOnce()), [], 'the next start says nothing new');

    discord.updateChannel(world.channelId, { permissionOverwrites: [] });
    const third = await runOnce();
    assert.deepEqual(warnings(third), []);
    assert.match(third, /can read indexed channel #photos again/);
  });
});
