import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { solidColourImage } from '../fixtures/images.js';
import { PROJECT_ROOT } from '../fixtures/datasets.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';
import { freePort, startBotProcess, type BotProcess } from './botProcess.js';
import { buildSmallWorld, shownNames, type SmallWorld } from './world.js';

describe('the bot as a service process (npm start), with health and metrics', () => {
  let discord: FakeDiscord;
  let world: SmallWorld;
  let dataDir: string;
  let bot: BotProcess;
  let healthUrl: string;

  before(async () => {
    discord = await FakeDiscord.start();
    world = buildSmallWorld(discord);
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'service-test-'));
    const port = await freePort();
    healthUrl = `http://127.0.0.1:${port}`;
    bot = startBotProcess({
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
      HEALTH_PORT: String(port),
    });
  });
  after(async () => {
    await bot.stop('SIGKILL');
    await discord.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('logs one line when ready, naming guilds, images and model', async () => {
    const line = await bot.waitForLine(/ready as/, 60_000);
    const entry = JSON.parse(line) as { guilds: number; images: number; model: string; modelId: string };
    assert.equal(entry.guilds, 1);
    assert.equal(entry.images, 0);
    assert.equal(entry.model, await fixtureModelDir('tiny'), 'the model by the folder it was given');
    assert.match(entry.modelId, /^sha256-[0-9a-f]{32}$/, 'and by its files');
  });

  test('/healthz says the gateway, store and model are fine', async () => {
    // Served from the start; once ready (the line above) it turns 200 as soon as it is asked.
    let response = await fetch(`${healthUrl}/healthz`);
    for (const deadline = Date.now() + 60_000; response.status !== 200 && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await fetch(`${healthUrl}/healthz`);
    }
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { status: 'ok', checks: { gateway: true, store: true, model: true } });
  });

  test('/metrics counts indexed images and query latency', async () => {
    await discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'channels',
      subcommand: 'add',
      options: { channel: world.channelId },
    });
    await discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'red.png', data: await solidColourImage([220, 30, 30]), contentType: 'image/png' }],
    });
    let metrics = '';
    for (let i = 0; i < 200 && !/imagebot_images_indexed 1\b/.test(metrics); i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    }
    assert.match(metrics, /imagebot_images_ingested_total\{outcome="indexed"\} 1\b/);
    const reply = await discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.equal(shownNames(reply).length, 1);
    metrics = await (await fetch(`${healthUrl}/metrics`)).text();
    assert.match(metrics, /imagebot_search_query_duration_seconds_count\{kind="text"\} 1\b/);
  });

  test('SIGTERM stops it cleanly with exit code 0 within 10 seconds', async () => {
    const { code, ms } = await bot.stop('SIGTERM');
    assert.equal(code, 0, bot.output().slice(-2000));
    assert.ok(ms < 10_000, `took ${ms} ms`);
  });
});

describe('a start that cannot succeed stops at once and says what to do', () => {
  let discord: FakeDiscord;
  let dir: string;
  let modelsDir: string;
  let env: Record<string, string>;
  const refusedToken = 'MTIzNDU2Nzg5.Wrong.TokenValue0123456789';

  before(async () => {
    discord = await FakeDiscord.start();
    dir = await mkdtemp(path.join(os.tmpdir(), 'service-start-'));
    modelsDir = path.join(dir, 'models');
    env = {
      DISCORD_TOKEN: refusedToken,
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      // No MODEL_DIR: the default model would be downloaded, from a hub that is not there.
      MODELS_DIR: modelsDir,
      MODEL_HUB_URL: `http://127.0.0.1:${await freePort()}`,
      STORE_URL: `sqlite://${path.join(dir, 'index.sqlite')}`,
    };
  });
  after(async () => {
    await discord.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test('a token Discord refuses is found before the model download, in one JSON line for a service log', async () => {
    const bot = startBotProcess(env);
    const code = await new Promise<number | null>((resolve) => bot.child.once('exit', resolve));
    assert.equal(code, 1, bot.output());
    const lines = bot.output().trim().split('\n');
    const fatal = JSON.parse(lines.at(-1)!) as { level: number; msg: string; err?: unknown };
    assert.equal(fatal.level, 60);
    assert.match(fatal.msg, /^Discord refused the bot token in DISCORD_TOKEN \(HTTP 401 Unauthorized\): .* Reset Token into DISCORD_TOKEN/);
    assert.equal(fatal.err, undefined, 'no stack trace for a failure whose message says what to do');
    assert.deepEqual(await readdir(modelsDir).catch(() => []), [], 'nothing was downloaded');
    assert.doesNotMatch(bot.output(), /download/i);
  });

  test('while the model is still downloading, /healthz already answers: 503, model not loaded', async () => {
    // A hub that accepts connections and never answers keeps the download waiting.
    const silentHub = createServer(() => {});
    await new Promise<void>((resolve) => silentHub.listen(0, '127.0.0.1', resolve));
    const port = await freePort();
    const bot = startBotProcess({
      ...env,
      DISCORD_TOKEN: discord.botToken,
      MODEL_HUB_URL: `http://127.0.0.1:${(silentHub.address() as { port: number }).port}`,
      HEALTH_PORT: String(port),
    });
    try {
      let response: Response | undefined;
      for (const deadline = Date.now() + 60_000; response === undefined && Date.now() < deadline;) {
        response = await fetch(`http://127.0.0.1:${port}/healthz`).catch(async () => {
          await new Promise((resolve) => setTimeout(resolve, 100));
          return undefined;
        });
      }
      assert.ok(response, `no answer on /healthz; output:\n${bot.output()}`);
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { status: 'unhealthy', checks: { gateway: false, store: false, model: false } });
    } finally {
      await bot.stop('SIGKILL');
      silentHub.closeAllConnections();
      await new Promise((resolve) => silentHub.close(resolve));
    }
  });

  const hasScript = spawnSync('script', ['--version']).status === 0;
  test(
    'on a terminal the failure is one plain paragraph',
    { skip: hasScript ? false : 'util-linux script (a terminal to run in) is missing' },
    async () => {
      // script(1) gives the bot a pseudo-terminal as stdout and stderr, as a person's shell would.
      const command = `${process.execPath} --import tsx src/main.ts`;
      const run = spawn('script', ['-qec', command, '/dev/null'], {
        cwd: PROJECT_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'dumb', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => run.once('exit', resolve));
      assert.equal(code, 1, output);
      const text = output.replace(/\r/g, '').trim();
      assert.match(text, /^The bot could not start\. Discord refused the bot token in DISCORD_TOKEN \(HTTP 401 Unauthorized\)/);
      assert.ok(!text.includes('\n'), `one paragraph, got:\n${text}`);
      assert.doesNotMatch(text, /"level"|\bat .*\.ts:\d+/);
    },
  );
});
