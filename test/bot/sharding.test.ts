import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { shardOfGuild } from '../../src/discord/shardManager.js';
import { FakeDiscord, type InteractionReply } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { startBotProcess, type BotProcess } from './botProcess.js';
import { until } from './world.js';
import { emptyRedisDatabase, skipUnlessRedis } from '../fixtures/redisDatabase.js';

/** A Redis database of its own, emptied first, so runs never see each other's data. */
const REDIS_URL = 'redis://127.0.0.1:6379/7';


interface ShardGuild {
  guildId: string;
  channelId: string;
  memberId: string;
}

const skip = skipUnlessRedis(await emptyRedisDatabase(REDIS_URL));

describe('two shards sharing one Redis store', { skip }, () => {
  let discord: FakeDiscord;
  let manager: BotProcess;
  const guilds: ShardGuild[] = [];

  before(async () => {
    discord = await FakeDiscord.start({ shards: 2 });
    const admin = discord.createUser({ username: 'admin' });
    // Make guilds until both shards own one.
    while (guilds.length < 2) {
      const guild = discord.createGuild({ name: `guild ${guilds.length}`, ownerId: admin.id });
      if (guilds.some((known) => shardOfGuild(known.guildId, 2) === shardOfGuild(guild.id, 2))) continue;
      const member = discord.createUser({ username: `member-${guild.id}` });
      discord.addMember(guild.id, admin.id);
      discord.addMember(guild.id, member.id);
      const channel = discord.createChannel(guild.id, { name: 'photos' });
      guilds.push({ guildId: guild.id, channelId: channel.id, memberId: member.id });
    }
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    manager = startBotProcess({
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: REDIS_URL,
      SHARDS: '2',
      ENCODER_THREADS: '1',
    });
    await until(() => (manager.output().match(/ready as/g) ?? []).length >= 2, 'both shards ready', 90_000);
    for (const guild of guilds) {
      const reply = await discord.invokeSlashCommand({
        channelId: guild.channelId,
        userId: admin.id,
        name: 'channels',
        subcommand: 'add',
        options: { channel: guild.channelId },
      });
      assert.match(reply.content, /Now indexing/);
    }
  });
  after(async () => {
    await manager?.stop('SIGTERM');
    await discord?.stop();
  });

  const find = (guild: ShardGuild, query: string): Promise<InteractionReply> =>
    discord.invokeSlashCommand({ channelId: guild.channelId, userId: guild.memberId, name: 'find', options: { query, count: 25 } });
  const imageCount = async (guild: ShardGuild): Promise<number> => (await find(guild, 'red')).embeds.length;

  test('each shard indexes and answers for its own guild only', async () => {
    const [first, second] = guilds as [ShardGuild, ShardGuild];
    await discord.postMessage(first.channelId, first.memberId, {
      attachments: [{ filename: 'first-red.png', data: await solidColourImage([220, 30, 30]), contentType: 'image/png' }],
    });
    await discord.postMessage(second.channelId, second.memberId, {
      attachments: [{ filename: 'second-red.png', data: await solidColourImage([220, 30, 30]), contentType: 'image/png' }],
    });
    for (const guild of guilds) {
      let reply: InteractionReply | undefined;
      for (let i = 0; i < 100 && (reply?.embeds.length ?? 0) === 0; i++) {
        reply = await find(guild, 'red');
        if (reply.embeds.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const names = reply!.embeds.map((embed) => new URL(embed.image!.url).pathname.split('/').pop());
      assert.deepEqual(names, [guild === first ? 'first-red.png' : 'second-red.png']);
    }
  });

  test('a killed shard process is started again and loses nothing, including what was posted while it was down', async () => {
    const victim = guilds[0]!;
    const before = await imageCount(victim);
    const children = execFileSync('pgrep', ['-P', String(manager.child.pid)]).toString().trim().split('\n');
    assert.equal(children.length, 2, 'one process per shard');
    const readyLines = (manager.output().match(/ready as/g) ?? []).length;
    // The manager tells each child its shard in the SHARDS variable.
    const victimShard = shardOfGuild(victim.guildId, 2);
    const victimPid = children.find((pid) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`SHARDS=${victimShard}`),
    );
    assert.ok(victimPid, `found the process of shard ${victimShard}`);
    process.kill(Number(victimPid), 'SIGKILL');
    await discord.postMessage(victim.channelId, victim.memberId, {
      attachments: [{ filename: 'while-down.png', data: await solidColourImage([220, 30, 30]), contentType: 'image/png' }],
    });
    await until(() => (manager.output().match(/ready as/g) ?? []).length > readyLines, 'the shard restarted', 90_000);
    let count = 0;
    for (let i = 0; i < 100 && count < before + 1; i++) {
      count = await imageCount(victim);
      if (count < before + 1) await new Promise((resolve) => setTimeout(resolve, 150));
    }
    assert.equal(count, before + 1, 'the image posted while its shard was down is indexed, and nothing was lost');
    assert.equal(await imageCount(guilds[1]!), 1, 'the other guild still has exactly its own image');
  });
});
