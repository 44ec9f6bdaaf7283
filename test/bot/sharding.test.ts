import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { shardOfGuild } from '../../src/discord/sharding/shardManager.js';
import { FakeDiscord, type InteractionReply } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';
import { freePort, isRunning, startBotProcess, type BotProcess } from './botProcess.js';
import { shownNames, until } from './world.js';

/** A Redis database of its own, emptied first, so runs never see each other's data. */
const REDIS_URL = 'redis://127.0.0.1:6379/7';

/** Generous: a shard process loads the model and the store and logs in, on a machine that may be busy. */
const START_MS = 180_000;

interface ShardGuild {
  guildId: string;
  channelId: string;
  memberId: string;
}

const readyCount = (host: BotProcess): number => (host.output().match(/ready as/g) ?? []).length;

/** The shard processes a manager started, with the shard id each was told (the SHARDS variable). */
async function shardProcesses(manager: BotProcess): Promise<Array<{ pid: number; shard: number }>> {
  let pids: string[];
  try {
    pids = execFileSync('pgrep', ['-P', String(manager.child.pid)])
      .toString()
      .trim()
      .split('\n');
  } catch {
    return []; // pgrep exits 1 when there are none
  }
  const children = await Promise.all(
    pids.map(async (pid) => {
      const environ = await readFile(`/proc/${pid}/environ`, 'utf8').catch(() => '');
      const shard = environ.split('\0').find((entry) => entry.startsWith('SHARDS='));
      return { pid: Number(pid), shard: Number(shard?.slice('SHARDS='.length) ?? Number.NaN) };
    }),
  );
  return children.filter((child) => Number.isInteger(child.shard));
}

const skip = skipUnlessRedis(await emptyRedisDatabase(REDIS_URL));

/**
 * Two hosts, as README's multi-host layout runs them: a manager with SHARD_IDS=0 and one with
 * SHARD_IDS=1 of SHARD_COUNT=2, one Redis store between them.
 */
describe('shards split across two hosts sharing one Redis store', { skip, timeout: 900_000 }, () => {
  let discord: FakeDiscord;
  let environment: Record<string, string>;
  const hosts: BotProcess[] = [];
  const guilds: ShardGuild[] = [];
  let adminId: string;

  const startHost = (shard: number): BotProcess => startBotProcess({ ...environment, SHARD_IDS: String(shard), SHARD_COUNT: '2' });

  before(async () => {
    discord = await FakeDiscord.start({ shards: 2 });
    adminId = discord.createUser({ username: 'admin' }).id;
    // One guild on each shard: guilds[n] belongs to shard n.
    while (guilds.length < 2) {
      const guild = discord.createGuild({ name: `guild ${guilds.length}`, ownerId: adminId });
      if (shardOfGuild(guild.id, 2) !== guilds.length) continue;
      const member = discord.createUser({ username: `member-${guild.id}` });
      discord.addMember(guild.id, adminId);
      discord.addMember(guild.id, member.id);
      const channel = discord.createChannel(guild.id, { name: 'photos' });
      guilds.push({ guildId: guild.id, channelId: channel.id, memberId: member.id });
    }
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    environment = {
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: REDIS_URL,
      ENCODER_THREADS: '1',
    };
    hosts.push(startHost(0), startHost(1));
    for (const host of hosts) await until(() => readyCount(host) >= 1, "the host's shard is ready", START_MS);
    for (const guild of guilds) {
      const reply = await discord.invokeSlashCommand({
        channelId: guild.channelId,
        userId: adminId,
        name: 'channels',
        subcommand: 'add',
        options: { channel: guild.channelId },
        wait: { timeoutMs: 60_000 },
      });
      assert.match(reply.content, /Now indexing/);
    }
  });
  after(async () => {
    for (const host of hosts) await host.stop('SIGTERM');
    await discord?.stop();
  });

  const find = (guild: ShardGuild): Promise<InteractionReply> =>
    discord.invokeSlashCommand({
      channelId: guild.channelId,
      userId: guild.memberId,
      name: 'find',
      options: { query: 'red', count: 25 },
      wait: { timeoutMs: 60_000 },
    });
  /** Asks until the guild's results show `count` images (each answer is a real /find). */
  async function waitForImages(guild: ShardGuild, count: number, what: string): Promise<string[]> {
    const deadline = Date.now() + START_MS;
    for (;;) {
      const names = shownNames(await find(guild));
      if (names.length >= count) return names;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${names.length} of ${count} images shown`);
      await sleep(250);
    }
  }
  let reds = 0;
  /** A red image, a different file each time (the same file posted twice would be one result). */
  const postRed = async (guild: ShardGuild, filename: string): Promise<void> => {
    await discord.postMessage(guild.channelId, guild.memberId, {
      attachments: [{ filename, data: await solidColourImage([220 - reds++, 30, 30]), contentType: 'image/png' }],
    });
  };

  test('each host runs only its own shard, and each guild is answered from its own images only', async () => {
    assert.deepEqual(
      (await shardProcesses(hosts[0]!)).map((child) => child.shard),
      [0],
    );
    assert.deepEqual(
      (await shardProcesses(hosts[1]!)).map((child) => child.shard),
      [1],
    );
    assert.deepEqual(discord.connectedShards().sort(), [0, 1], 'one gateway session per shard, none twice');
    await postRed(guilds[0]!, 'first-red.png');
    await postRed(guilds[1]!, 'second-red.png');
    assert.deepEqual(await waitForImages(guilds[0]!, 1, 'guild 0 indexed'), ['first-red.png']);
    assert.deepEqual(await waitForImages(guilds[1]!, 1, 'guild 1 indexed'), ['second-red.png']);
  });

  test('a killed shard process is started again and loses nothing, including what was posted while it was down', async () => {
    const [host] = hosts as [BotProcess];
    const victim = guilds[0]!;
    const before = (await waitForImages(victim, 1, 'the first image')).length;
    const readyBefore = readyCount(host);
    const [child] = await shardProcesses(host);
    assert.ok(child, 'the host runs a shard process');
    process.kill(child.pid, 'SIGKILL');
    await postRed(victim, 'while-down.png');
    await until(() => readyCount(host) > readyBefore, 'the shard started again', START_MS);
    const names = await waitForImages(victim, before + 1, 'the image posted while the shard was down');
    assert.equal(names.length, before + 1, 'nothing lost, nothing doubled');
    assert.ok(names.includes('while-down.png'));
    assert.deepEqual(shownNames(await find(guilds[1]!)), ['second-red.png'], 'the other guild still has exactly its own image');
  });

  test('a killed manager takes its shards down; started again it loses nothing, and the other host answers meanwhile', async () => {
    const victim = guilds[0]!;
    const before = shownNames(await find(victim)).length;
    const orphans = await shardProcesses(hosts[0]!);
    await hosts[0]!.stop('SIGKILL');
    // Without its manager a shard process stops by itself, so a new manager never runs a second copy.
    await until(() => orphans.every((child) => !isRunning(child.pid)), "the dead manager's shard processes exited");
    await postRed(victim, 'while-host-down.png');
    assert.deepEqual(shownNames(await find(guilds[1]!)), ['second-red.png'], 'the other host keeps answering its guild');
    hosts[0] = startHost(0);
    await until(() => readyCount(hosts[0]!) >= 1, 'the restarted host is ready', START_MS);
    const names = await waitForImages(victim, before + 1, 'the image posted while the host was down');
    assert.equal(names.length, before + 1);
    assert.ok(names.includes('while-host-down.png'));
    assert.deepEqual(discord.connectedShards().sort(), [0, 1]);
  });
});

/** A manager (SHARDS=2) and a single process started the same way, both expected to stop at once. */
describe('a sharding manager that cannot start stops like a single process, starting no shard', { timeout: 300_000 }, () => {
  let discord: FakeDiscord;
  let dataDir: string;
  let base: Record<string, string>;
  before(async () => {
    discord = await FakeDiscord.start({ shards: 2 });
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'sharding-start-'));
    base = {
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
    };
  });
  after(async () => {
    await discord?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function fatalMessage(env: Record<string, string>): Promise<{ code: number | null; message: string; output: string }> {
    const bot = startBotProcess({ ...base, ...env });
    const code = await new Promise<number | null>((resolve) => {
      if (bot.child.exitCode !== null) resolve(bot.child.exitCode);
      else bot.child.once('exit', (exitCode) => resolve(exitCode));
    });
    const output = bot.output();
    const fatal = output.split('\n').find((line) => line.includes('"level":60'));
    return { code, message: fatal === undefined ? '' : (JSON.parse(fatal) as { msg: string }).msg, output };
  }

  const refusedToken = 'MTIzNDU2Nzg5.Wrong.TokenValue0123456789';
  const cases = [
    {
      problem: 'a token Discord refuses',
      env: () => ({ DISCORD_TOKEN: refusedToken, DISCORD_API_URL: discord.apiUrl }),
      says: /^Discord refused the bot token in DISCORD_TOKEN/,
    },
    {
      problem: 'a Discord that cannot be reached',
      env: async () => ({ DISCORD_TOKEN: discord.botToken, DISCORD_API_URL: `http://127.0.0.1:${await freePort()}/api` }),
      says: /^Cannot reach Discord at http:\/\/127\.0\.0\.1:\d+\/api \(connect ECONNREFUSED/,
    },
  ];
  for (const { problem, env, says } of cases) {
    test(`${problem}: SHARDS=2 exits 1 with the single process's message`, async () => {
      const settings = await env();
      const single = await fatalMessage(settings);
      const manager = await fatalMessage({ ...settings, SHARDS: '2' });
      assert.equal(single.code, 1, single.output);
      assert.match(single.message, says);
      assert.equal(manager.code, 1, manager.output);
      assert.equal(manager.message, single.message);
      assert.doesNotMatch(manager.output, /shard process started/);
    });
  }
});
