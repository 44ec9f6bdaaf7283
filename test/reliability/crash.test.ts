import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { freePort, startBotProcess, type BotProcess } from '../bot/botProcess.js';
import { buildCommandsWorld, historyRoute, runReindex, untilReindexEnded, type CommandsWorld } from '../bot/reindexing.js';
import {
  duplicatesIn,
  historyReads,
  imagesPostedIn,
  lastRequestSeq,
  postHistory,
  postImageMessages,
  storedRecordIds,
  until,
} from '../bot/world.js';

/**
 * The bot as its own process, killed with SIGKILL (no shutdown code runs) while it writes,
 * then started again on the same SQLite store: once it has caught up, the index holds
 * exactly the images posted — none lost, none twice — by the fake Discord's ground truth.
 */

/** A running bot process and where its /metrics are served. */
interface RunningBot {
  process: BotProcess;
  metricsUrl: string;
}

describe('crashes: the bot killed mid-write and started again', () => {
  let discord: FakeDiscord;
  let world: CommandsWorld;
  let dataDir: string;
  let storeUrl: string;
  let modelDir: string;
  let running: RunningBot | undefined;

  before(async () => {
    discord = await FakeDiscord.start();
    world = buildCommandsWorld(discord);
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'crash-test-'));
    storeUrl = `sqlite://${path.join(dataDir, 'index.sqlite')}`;
    modelDir = await fixtureModelDir('tiny');
  });
  after(async () => {
    await running?.process.stop('SIGKILL');
    await discord.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function startBot(): Promise<RunningBot> {
    const port = await freePort();
    const child = startBotProcess({
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: modelDir,
      STORE_URL: storeUrl,
      ENCODER_THREADS: '1',
      COMMANDS_PER_MINUTE: '1000',
      HEALTH_PORT: String(port),
    });
    running = { process: child, metricsUrl: `http://127.0.0.1:${port}/metrics` };
    await child.waitForLine(/ready as/, 60_000);
    return running;
  }

  async function kill(bot: RunningBot): Promise<void> {
    const { code } = await bot.process.stop('SIGKILL');
    assert.equal(code, null, 'the bot was killed, not stopped');
    running = undefined;
  }

  /** Stops the bot cleanly (SIGTERM), so the test may read the store alone. */
  async function stopCleanly(bot: RunningBot): Promise<void> {
    const { code } = await bot.process.stop('SIGTERM');
    assert.equal(code, 0, bot.process.output().slice(-3000));
    running = undefined;
  }

  /** The bot's own count of images in its index (the `imagebot_images_indexed` gauge). */
  async function imagesIndexed(bot: RunningBot): Promise<number> {
    const text = await (await fetch(bot.metricsUrl)).text();
    return Number(/^imagebot_images_indexed (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  }

  async function untilIndexed(bot: RunningBot, atLeast: number, what: string, timeoutMs = 120_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const count = await imagesIndexed(bot);
      if (count >= atLeast) return count;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${count} of ${atLeast} images indexed`);
      await sleep(20);
    }
  }

  /** Every image posted in the guild's indexed channels so far: what the whole index must hold. */
  const indexedChannels: string[] = [];

  /** `/channels add` by the admin: the bot indexes what is posted in the channel from now on. */
  async function indexChannel(channelId: string): Promise<void> {
    const reply = await discord.invokeSlashCommand({
      channelId: world.commandsChannelId,
      userId: world.adminId,
      name: 'channels',
      subcommand: 'add',
      options: { channel: channelId },
    });
    assert.match(reply.content, /Now indexing/);
    indexedChannels.push(channelId);
  }

  async function addChannel(name: string): Promise<string> {
    const { id } = discord.createChannel(world.guildId, { name });
    await indexChannel(id);
    return id;
  }

  function everyImagePosted(): string[] {
    return indexedChannels.flatMap((channelId) => imagesPostedIn(discord, channelId)).sort();
  }

  /** The store holds exactly `expected`: each once, nothing unreadable. */
  async function assertStoreHoldsExactly(expected: readonly string[]): Promise<void> {
    const stored = await storedRecordIds(storeUrl, world.guildId);
    assert.deepEqual(stored.problems, [], 'every record loads');
    assert.deepEqual(duplicatesIn(stored.ids), [], 'no record is stored twice');
    const posted = new Set(expected);
    const kept = new Set(stored.ids);
    const lost = expected.filter((id) => !kept.has(id));
    const unexpected = stored.ids.filter((id) => !posted.has(id));
    assert.deepEqual({ lost: lost.length, unexpected }, { lost: 0, unexpected: [] });
    assert.equal(stored.ids.length, expected.length);
  }

  test('killed during live ingest of a 200-image burst, then restarted: 0 lost, 0 duplicated', async () => {
    let bot = await startBot();
    const channelId = await addChannel('burst');
    // Slow downloads a little, so images are still queued when the kill comes.
    discord.delayResponses(40, '/attachments/');
    const baseline = await imagesIndexed(bot);
    // The burst goes on through the crash, the downtime and the catch-up after the restart.
    const posting = postImageMessages(discord, channelId, world.memberId, 200, { gapMs: 30 });
    await untilIndexed(bot, baseline + 40, 'part of the burst to be indexed');
    await kill(bot);

    const atKill = await storedRecordIds(storeUrl, world.guildId);
    const postedAtKill = new Set(imagesPostedIn(discord, channelId));
    const storedAtKill = atKill.ids.filter((id) => postedAtKill.has(id)).length;
    assert.ok(storedAtKill >= 40 && storedAtKill < 200, `the kill came mid-burst: ${storedAtKill} of 200 stored`);

    bot = await startBot();
    await posting;
    discord.delayResponses(0, '/attachments/');
    const expected = everyImagePosted();
    await untilIndexed(bot, expected.length, 'the burst to be caught up');
    await stopCleanly(bot);
    await assertStoreHoldsExactly(expected);
  });

  test('killed during /reindex of 2,000 messages, then restarted: the walk resumes, 0 lost, 0 duplicated', async () => {
    const channelId = discord.createChannel(world.guildId, { name: 'archive' }).id;
    await postHistory(discord, channelId, world.memberId, 2000);
    let bot = await startBot();
    await indexChannel(channelId);
    const route = historyRoute(channelId);
    // Slow history pages leave time to kill the walk part-way.
    discord.delayResponses(150, route);
    const since = lastRequestSeq(discord);
    assert.match((await runReindex(discord, world, channelId)).content, /Started reindexing/);
    await until(() => historyReads(discord, channelId, since).length >= 5, 'the walk to read 5 pages');
    await kill(bot);
    discord.delayResponses(0, route);

    const images = imagesPostedIn(discord, channelId);
    const atKill = (await storedRecordIds(storeUrl, world.guildId)).ids.filter((id) => images.includes(id)).length;
    assert.ok(atKill > 0 && atKill < images.length, `the kill came mid-walk: ${atKill} of ${images.length} stored`);
    const killedAt = lastRequestSeq(discord);

    bot = await startBot();
    const text = await untilReindexEnded(discord, world, 'archive', { timeoutMs: 60_000 });
    const resumedReads = historyReads(discord, channelId, killedAt).filter((read) => read.query['after'] === undefined);
    assert.notEqual(resumedReads[0]?.query['before'], undefined, 'the walk resumed below where it was, not from the newest message');
    const counts = /scanned 2,000 messages · indexed (\d+) · skipped (\d+) · failed 0$/.exec(text);
    assert.ok(counts !== null, text);
    assert.equal(Number(counts[1]) + Number(counts[2]), images.length, `each image counted once: ${text}`);
    await untilIndexed(bot, everyImagePosted().length, 'every image to be in the index');
    await stopCleanly(bot);
    await assertStoreHoldsExactly(everyImagePosted());
  });

  test('a copy of the SQLite files taken while the bot writes opens, loads every record once, and holds only what was posted', async () => {
    const bot = await startBot();
    const channelId = await addChannel('copied');
    discord.delayResponses(20, '/attachments/');
    const baseline = await imagesIndexed(bot);
    const posting = postImageMessages(discord, channelId, world.memberId, 150, { gapMs: 2 });

    const copies: string[] = [];
    for (let n = 0; n < 5; n++) {
      await untilIndexed(bot, baseline + 20 * (n + 1), `${20 * (n + 1)} images of the burst to be indexed`);
      copies.push(await copyWhileWriting(path.join(dataDir, 'index.sqlite'), path.join(dataDir, `copy-${n}`)));
    }
    await posting;
    discord.delayResponses(0, '/attachments/');
    const posted = new Set(everyImagePosted());
    await untilIndexed(bot, posted.size, 'the burst to be indexed');
    await stopCleanly(bot);

    const burst = new Set(imagesPostedIn(discord, channelId));
    let midWrite = 0;
    for (const copy of copies) {
      const { ids, problems } = await storedRecordIds(`sqlite://${copy}`, world.guildId);
      assert.deepEqual(problems, [], `every record of ${copy} loads`);
      assert.deepEqual(duplicatesIn(ids), [], `no record appears twice in ${copy}`);
      assert.deepEqual(
        ids.filter((id) => !posted.has(id)),
        [],
        `${copy} holds only images that were posted`,
      );
      const ofBurst = ids.filter((id) => burst.has(id)).length;
      if (ofBurst > 0 && ofBurst < burst.size) midWrite++;
    }
    assert.ok(midWrite >= 3, `copies taken part-way through the burst: ${midWrite} of ${copies.length}`);
  });
});

/**
 * Copies a live SQLite store the way a plain backup would: the database file, then its
 * log (-wal, or -journal outside WAL mode) if there is one. SQLite only rewrites the
 * database file itself when it checkpoints the log; a copy that overlaps a checkpoint is
 * torn at the file level (the documented hazard of copying a live WAL database, not
 * something the store could prevent), so such a copy is taken again.
 */
async function copyWhileWriting(database: string, into: string): Promise<string> {
  await mkdir(into, { recursive: true });
  const target = path.join(into, path.basename(database));
  for (let attempt = 0; attempt < 20; attempt++) {
    const before = await stat(database);
    await copyFile(database, target);
    for (const log of ['-wal', '-journal']) {
      await copyFile(`${database}${log}`, `${target}${log}`).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        await rm(`${target}${log}`, { force: true });
      });
    }
    const after = await stat(database);
    if (after.mtimeMs === before.mtimeMs && after.size === before.size) return target;
  }
  throw new Error(`${database} was checkpointed during every copy attempt`);
}
