import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { REST } from 'discord.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { freePort, startBotProcess, type BotProcess } from '../bot/botProcess.js';
import { buildSmallWorld, shownNames, shownText, type SmallWorld } from '../bot/world.js';
import { htmlAsBytes, solidColourImage } from '../fixtures/images.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';

/**
 * The bot token must never be written anywhere a person or a log collector could read it: not
 * in any log line (even at trace level, even when things fail), not in any message the bot
 * sends, not in what it sends to a link someone pasted, and not in the message it exits with
 * when the configuration is wrong.
 */

const RED: [number, number, number] = [220, 30, 30];

/** Fails with the text around the token when it appears. */
function assertNoToken(text: string, token: string, where: string): void {
  assert.ok(!text.includes(token), `the token appears in ${where}:\n${excerptAround(text, token)}`);
}

function excerptAround(text: string, needle: string): string {
  const at = text.indexOf(needle);
  return text.slice(Math.max(0, at - 300), at + needle.length + 300);
}

function waitForExit(bot: BotProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    if (bot.child.exitCode !== null) return resolve(bot.child.exitCode);
    const timer = setTimeout(() => reject(new Error(`the bot did not exit within ${timeoutMs} ms; output:\n${bot.output()}`)), timeoutMs);
    bot.child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

describe('the bot token stays secret while the bot runs', { timeout: 300_000 }, () => {
  let discord: FakeDiscord;
  let world: SmallWorld;
  let dataDir: string;
  let bot: BotProcess;
  let linkServer: Server;
  let linkUrl: string;
  const linkRequests: IncomingHttpHeaders[] = [];

  before(async () => {
    const [fakePort, linkPort] = [await freePort(), await freePort()];
    discord = await FakeDiscord.start({ port: fakePort });
    world = buildSmallWorld(discord);
    await registerCommands(new REST({ api: discord.apiUrl }).setToken(discord.botToken), discord.applicationId);
    const image = await solidColourImage(RED);
    linkServer = createServer((req, res) => {
      linkRequests.push(req.headers);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length }).end(image);
    });
    await new Promise<void>((resolve) => linkServer.listen(linkPort, '127.0.0.1', resolve));
    linkUrl = `http://127.0.0.1:${linkPort}/pasted.png`;
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'secrets-test-'));
    bot = startBotProcess({
      LOG_LEVEL: 'trace',
      DISCORD_TOKEN: discord.botToken,
      DISCORD_API_URL: discord.apiUrl,
      // The link server is trusted like the loopback CDN, so a pasted link to it is fetched.
      DISCORD_CDN_HOSTS: `${discord.cdnHost},127.0.0.1:${linkPort}`,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
      COMMANDS_PER_MINUTE: '1000',
    });
    await bot.waitForLine(/ready as/, 60_000);
  });
  after(async () => {
    await bot?.stop('SIGKILL');
    await discord?.stop();
    await new Promise<void>((resolve) => (linkServer === undefined ? resolve() : linkServer.close(() => resolve())));
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  test('commands that work and commands that fail leave it out of logs, replies and fetched links', async () => {
    const token = discord.botToken;
    const as = (userId: string) => ({ channelId: world.channelId, userId });
    await discord.invokeSlashCommand({ ...as(world.adminId), name: 'channels', subcommand: 'add', options: { channel: world.channelId } });
    await discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'red.png', data: await solidColourImage(RED), contentType: 'image/png' }],
    });
    await discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'page.png', data: await htmlAsBytes(), contentType: 'image/png' }],
    });
    // Wait until both are through ingest, so the logs of indexing and of a refused file are in the output.
    let stats = '';
    for (let i = 0; i < 100 && !(/\*\*1 image\*\*/.test(stats) && /Failed images: 1/.test(stats)); i++) {
      if (i > 0) await new Promise((resolve) => setTimeout(resolve, 100));
      stats = (await discord.invokeSlashCommand({ ...as(world.adminId), name: 'stats' })).content;
    }
    assert.match(stats, /\*\*1 image\*\*[\s\S]*Failed images: 1/);

    const found = await discord.invokeSlashCommand({ ...as(world.memberId), name: 'find', options: { query: 'red' } });
    assert.ok(shownNames(found).length > 0, shownText(found));
    const refused = await discord.invokeSlashCommand({
      ...as(world.memberId),
      name: 'similar',
      attachments: { image: { filename: 'page.png', data: await htmlAsBytes(), contentType: 'image/png' } },
    });
    assert.match(refused.content + refused.followups.map((f) => f.content).join(''), /couldn't use that image/);
    const linked = await discord.invokeSlashCommand({ ...as(world.memberId), name: 'similar', options: { url: linkUrl } });
    assert.ok(shownNames(linked).length > 0, shownText(linked));
    const denied = await discord.invokeSlashCommand({ ...as(world.memberId), name: 'channels', subcommand: 'list' });
    assert.match(denied.content + denied.followups.map((f) => f.content).join(''), /Manage Server/);

    // A failing interaction: Discord answers 500 to every edit of the reply, so the bot gives up and logs the error.
    discord.injectFault({ route: /\/webhooks\//, status: 500, times: 50 });
    await discord.invokeSlashCommand({ ...as(world.memberId), name: 'find', options: { query: 'red' }, wait: false });
    await bot.waitForLine(/"interaction failed"|could not tell the user/, 20_000);
    discord.clearFaults();

    const { code } = await bot.stop('SIGTERM');
    assert.equal(code, 0, bot.output().slice(-2000));
    const output = bot.output();
    // There is something to search: the start-up lines and the failed interaction's error with its request.
    assert.match(output, /ready as/);
    assert.match(output, /"err":\{.*"requestBody".*"msg":"interaction failed"/);
    assertNoToken(output, token, 'the process output');
    assertNoToken(JSON.stringify(discord.botMessages), token, "the bot's messages");
    assertNoToken(JSON.stringify(linkRequests), token, 'the request to a pasted link');
    assert.equal(linkRequests.length, 1, 'the pasted link was fetched once');
  });
});

describe('the bot token stays secret when the bot cannot start', { timeout: 300_000 }, () => {
  let discord: FakeDiscord;
  let dataDir: string;
  let base: Record<string, string>;

  before(async () => {
    discord = await FakeDiscord.start();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'secrets-start-'));
    base = {
      LOG_LEVEL: 'trace',
      DISCORD_API_URL: discord.apiUrl,
      DISCORD_CDN_HOSTS: discord.cdnHost,
      MODEL_DIR: await fixtureModelDir('tiny'),
      STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
    };
  });
  after(async () => {
    await discord?.stop();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  const cases: Array<{ problem: string; token: string; env: Record<string, string>; says: RegExp }> = [
    {
      problem: 'a malformed token',
      token: 'mfa.Sup3rSecretTokenValue-that_is_not_three_parts',
      env: {},
      says: /DISCORD_TOKEN is set to a value of \d+ characters \(hidden\)/,
    },
    {
      problem: 'a token with a space in it',
      token: 'MTIzNDU2.Sup3r.Secret Token',
      env: {},
      says: /DISCORD_TOKEN is set to a value of \d+ characters \(hidden\)/,
    },
    {
      problem: 'another variable that is wrong',
      token: 'MTIzNDU2Nzg5.Sup3rSecret.TokenValue0123456789',
      env: { MAX_IMAGE_BYTES: 'lots' },
      says: /MAX_IMAGE_BYTES is \\?"lots\\?"/,
    },
    {
      problem: 'a well-formed token Discord refuses',
      token: 'MTIzNDU2Nzg5.Sup3rSecret.RefusedTokenValue0123',
      env: {},
      says: /Discord refused the bot token in DISCORD_TOKEN/,
    },
  ];

  for (const { problem, token, env, says } of cases) {
    test(`${problem}: the process exits 1 with a message that does not contain the token`, async () => {
      const bot = startBotProcess({ ...base, ...env, DISCORD_TOKEN: token });
      const code = await waitForExit(bot, 60_000);
      const output = bot.output();
      assert.equal(code, 1, output);
      assert.match(output, says);
      assertNoToken(output, token, 'the start-up failure');
      for (const part of token.split(/[.\s]/).filter((piece) => /Secret|Refused/.test(piece)))
        assertNoToken(output, part, 'the start-up failure');
    });
  }
});
