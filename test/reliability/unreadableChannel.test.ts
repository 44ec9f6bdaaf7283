import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PermissionFlagsBits as P, REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { startBotProcess, type BotProcess } from '../bot/botProcess.js';
import { buildSmallWorld, type SmallWorld } from '../bot/world.js';

/**
 * An indexed channel the bot lost access to while it was down: each start's catch-up meets
 * it. The logs say so once, naming the permission to give, not again on every start, and say
 * when access is back.
 */
describe('the logs about an indexed channel the bot cannot read, across restarts', () => {
  let discord: FakeDiscord;
  let world: SmallWorld;
  let dataDir: string;
  let env: Record<string, string>;

  /** Starts the bot, waits for its start-up catch-up to finish, stops it, and returns what it logged. */
  async function runOnce(): Promise<string> {
    const bot: BotProcess = startBotProcess(env);
    try {
      await bot.waitForLine(/catch-up after start finished/, 60_000);
    } finally {
      await bot.stop('SIGTERM');
    }
    return bot.output();
  }
  const warnings = (output: string) => output.split('\n').filter((line) => /cannot read indexed channel/.test(line));

  before(async () => {
    discord = await FakeDiscord.start();
    world = buildSmallWorld(discord);
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'unreadable-channel-'));
    env = {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
      ENCODER_THREADS: '1',
    };
    const bot = startBotProcess(env);
    try {
      await bot.waitForLine(/ready as/, 60_000);
      const reply = await discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'channels', subcommand: 'add', options: { channel: world.channelId } });
      assert.match(reply.content, /Now indexing/);
    } finally {
      await bot.stop('SIGTERM');
    }
  });
  after(async () => {
    await discord.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

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
