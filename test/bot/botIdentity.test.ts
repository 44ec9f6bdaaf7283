import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { DiscordTokenRefusedError, DiscordUnavailableError, fetchBotIdentity } from '../../src/discord/botIdentity.js';
import { FakeDiscord } from '../fake-discord/index.js';
import { freePort } from './botProcess.js';

describe('asking Discord who the token belongs to', () => {
  let discord: FakeDiscord;
  before(async () => {
    discord = await FakeDiscord.start();
  });
  after(async () => {
    await discord.stop();
  });

  test("the bot's own token gives the bot user", async () => {
    const identity = await fetchBotIdentity(discord.apiUrl, discord.botToken);
    assert.equal(identity.id, discord.botUser.id);
  });

  test('a token Discord refuses says to put the current token in DISCORD_TOKEN, without showing it', async () => {
    const token = 'MTIzNDU2Nzg5.Sup3rSecret.TokenValue0123456789';
    await assert.rejects(fetchBotIdentity(discord.apiUrl, token), (error: Error) => {
      assert.ok(error instanceof DiscordTokenRefusedError);
      assert.match(error.message, /^Discord refused the bot token in DISCORD_TOKEN \(HTTP 401 Unauthorized\)/);
      assert.match(error.message, /Reset Token into DISCORD_TOKEN/);
      assert.ok(!error.message.includes('Sup3rSecret'));
      return true;
    });
  });

  test('a Discord having an outage (HTTP 503) is said to be one', async () => {
    discord.injectFault({ route: '/users/@me', status: 503, times: 1 });
    await assert.rejects(fetchBotIdentity(discord.apiUrl, discord.botToken), (error: Error) => {
      assert.ok(error instanceof DiscordUnavailableError);
      assert.match(error.message, /answered HTTP 503: it may be having an outage \(see https:\/\/discordstatus\.com\)/);
      return true;
    });
  });

  test('no server at the address: says Discord cannot be reached, why, and what to check', async () => {
    const apiUrl = `http://127.0.0.1:${await freePort()}/api`;
    await assert.rejects(fetchBotIdentity(apiUrl, discord.botToken), (error: Error) => {
      assert.ok(error instanceof DiscordUnavailableError);
      assert.match(error.message, /^Cannot reach Discord at http:\/\/127\.0\.0\.1:\d+\/api \(connect ECONNREFUSED [\d.:]+\)\./);
      assert.match(
        error.message,
        /Check that this machine is online .* and that DISCORD_API_URL \(http:\/\/127\.0\.0\.1:\d+\/api\) is right\./,
      );
      return true;
    });
  });

  test('a server that accepts the connection and never answers is given up on after the time limit', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const started = Date.now();
    try {
      await assert.rejects(fetchBotIdentity(`http://127.0.0.1:${port}/api`, discord.botToken, 500), (error: Error) => {
        assert.ok(error instanceof DiscordUnavailableError);
        assert.match(error.message, /^Discord at http:\/\/127\.0\.0\.1:\d+\/api did not answer within 0\.5 s\./);
        return true;
      });
      assert.ok(Date.now() - started < 30_000, `gave up after ${Date.now() - started} ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
