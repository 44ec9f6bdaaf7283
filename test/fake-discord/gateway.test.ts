import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { constants, inflateSync } from 'node:zlib';
import { GatewayIntentBits as I, PermissionFlagsBits as P, type Guild, type GuildChannel, type ThreadChannel } from 'discord.js';
import { WebSocket } from 'ws';
import { FakeDiscord, startFakeDiscordWithClient } from './index.js';

/** The gateway protocol as a raw client sees it, and discord.js recovering from what Discord does to connections. */

interface Frame {
  op: number;
  t?: string;
  s?: number;
  d?: unknown;
}

/** A raw gateway client that keeps every frame (inflating zlib-stream when asked) and every close code. */
async function rawClient(discord: FakeDiscord, compress = false) {
  const socket = new WebSocket(`${discord.gatewayUrl}?v=10&encoding=json${compress ? '&compress=zlib-stream' : ''}`);
  const frames: Frame[] = [];
  const binary: Buffer[] = [];
  let text = '';
  socket.on('message', (data: Buffer, isBinary) => {
    if (!isBinary) return void frames.push(JSON.parse(data.toString()) as Frame);
    binary.push(data);
    const all = inflateSync(Buffer.concat(binary), { finishFlush: constants.Z_SYNC_FLUSH }).toString();
    frames.push(JSON.parse(all.slice(text.length)) as Frame);
    text = all;
  });
  const closed = once(socket, 'close').then(([code]) => code as number);
  await once(socket, 'open');
  const next = async (predicate: (f: Frame) => boolean) => discord.waitFor(() => frames.find(predicate), { timeoutMs: 3000 });
  return { socket, frames, closed, next, send: (payload: unknown) => socket.send(JSON.stringify(payload)) };
}

describe('gateway protocol', () => {
  test('an IDENTIFY with a wrong token is closed with 4004', async () => {
    const discord = await FakeDiscord.start();
    try {
      const raw = await rawClient(discord);
      await raw.next((f) => f.op === 10);
      raw.send({ op: 2, d: { token: 'not.the.token', intents: 1, properties: {} } });
      assert.equal(await raw.closed, 4004);
    } finally {
      await discord.stop();
    }
  });

  test('a privileged intent the app has not switched on is closed with 4014', async () => {
    const discord = await FakeDiscord.start({ privilegedIntents: { messageContent: false } });
    try {
      const raw = await rawClient(discord);
      raw.send({ op: 2, d: { token: discord.botToken, intents: I.Guilds | I.MessageContent, properties: {} } });
      assert.equal(await raw.closed, 4014);
    } finally {
      await discord.stop();
    }
  });

  test('a RESUME of an unknown session gets op 9 with d=false', async () => {
    const discord = await FakeDiscord.start();
    try {
      const raw = await rawClient(discord);
      raw.send({ op: 6, d: { token: discord.botToken, session_id: 'nope', seq: 3 } });
      assert.equal((await raw.next((f) => f.op === 9)).d, false);
      raw.socket.close(1000);
    } finally {
      await discord.stop();
    }
  });

  test('zlib-stream frames inflate to HELLO, READY and GUILD_CREATE, and a heartbeat is acknowledged', async () => {
    const discord = await FakeDiscord.start();
    try {
      const guild = discord.createGuild({ name: 'z' });
      const raw = await rawClient(discord, true);
      assert.equal((await raw.next((f) => f.op === 10)).op, 10);
      raw.send({ op: 2, d: { token: discord.botToken, intents: I.Guilds, properties: {}, shard: [0, 1] } });
      const ready = await raw.next((f) => f.t === 'READY');
      assert.equal(ready.s, 1);
      assert.equal((await raw.next((f) => f.t === 'GUILD_CREATE')).s, 2);
      assert.equal((ready.d as { guilds: { id: string }[] }).guilds[0]?.id, guild.id);
      raw.send({ op: 1, d: 2 });
      await raw.next((f) => f.op === 11);
      raw.socket.close(1000);
    } finally {
      await discord.stop();
    }
  });
});

describe('discord.js and gateway recovery', () => {
  test('a zombie connection (heartbeats unacknowledged) is dropped by discord.js and resumed', async () => {
    const env = await startFakeDiscordWithClient({ intents: [I.Guilds], fake: { heartbeatIntervalMs: 250 } });
    try {
      const { discord } = env;
      assert.equal(discord.stopHeartbeatAcks(), 1);
      await discord.waitFor(() => discord.gatewayStats.resumes === 1, { what: 'resume after zombie', timeoutMs: 5000 });
      assert.equal(discord.gatewayStats.identifies, 1);
    } finally {
      await env.stop();
    }
  });

  test('op 7 RECONNECT makes discord.js reconnect and resume', async () => {
    const env = await startFakeDiscordWithClient({ intents: [I.Guilds] });
    try {
      env.discord.requestReconnect();
      await env.discord.waitFor(() => env.discord.gatewayStats.resumes === 1, { what: 'resume after op 7' });
      assert.deepEqual(env.discord.connectedShards(), [0]);
    } finally {
      await env.stop();
    }
  });

  test('a guild made after login arrives as guildCreate; an outage and a removal arrive as GUILD_DELETE', async () => {
    const env = await startFakeDiscordWithClient({ intents: [I.Guilds] });
    try {
      const { client, discord } = env;
      const created = once(client, 'guildCreate') as Promise<[Guild]>;
      const guild = discord.createGuild({ name: 'late' });
      assert.equal((await created)[0].id, guild.id);
      const unavailable = once(client, 'guildUnavailable') as Promise<[Guild]>;
      discord.setGuildAvailable(guild.id, false);
      assert.equal((await unavailable)[0].id, guild.id);
      const available = once(client, 'guildAvailable') as Promise<[Guild]>;
      discord.setGuildAvailable(guild.id, true);
      assert.equal((await available)[0].id, guild.id);
      const removed = once(client, 'guildDelete') as Promise<[Guild]>;
      discord.removeBotFromGuild(guild.id);
      assert.equal((await removed)[0].id, guild.id);
      assert.equal(client.guilds.cache.has(guild.id), false);
    } finally {
      await env.stop();
    }
  });

  test('channel and thread changes arrive as CHANNEL_* and THREAD_CREATE; a private thread without the bot stays unseen', async () => {
    const env = await startFakeDiscordWithClient({ intents: [I.Guilds] });
    try {
      const { client, discord } = env;
      const guild = discord.createGuild({ name: 'g' });
      await discord.waitFor(() => client.guilds.cache.get(guild.id));
      const created = once(client, 'channelCreate') as Promise<[GuildChannel]>;
      const channel = discord.createChannel(guild.id, { name: 'pics' });
      assert.equal((await created)[0].id, channel.id);
      const updated = once(client, 'channelUpdate') as Promise<[GuildChannel, GuildChannel]>;
      discord.updateChannel(channel.id, { nsfw: true, permissionOverwrites: [{ id: guild.id, type: 'role', deny: P.AttachFiles }] });
      const after = (await updated)[1];
      assert.equal((after as GuildChannel & { nsfw: boolean }).nsfw, true);
      assert.equal(after.permissionsFor(guild.id)?.has(P.AttachFiles), false);
      const threads: string[] = [];
      client.on('threadCreate', (t: ThreadChannel) => threads.push(t.id));
      const hidden = discord.createThread(channel.id, { name: 'secret', private: true });
      const open = discord.createThread(channel.id, { name: 'open' });
      await discord.waitFor(() => threads.includes(open.id));
      assert.deepEqual(threads, [open.id], `private thread ${hidden.id} is not sent to a bot outside it`);
      const deleted = once(client, 'channelDelete') as Promise<[GuildChannel]>;
      discord.deleteChannel(channel.id);
      assert.equal((await deleted)[0].id, channel.id);
    } finally {
      await env.stop();
    }
  });
});
