import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ChannelType,
  GatewayIntentBits as I,
  MessageFlags,
  Partials,
  PermissionFlagsBits as P,
  Routes,
  type Client,
  type Interaction,
  type Message,
  type TextChannel,
} from 'discord.js';
import { startFakeDiscordWithClient, type FakeDiscordWithClient } from './index.js';

/** The real discord.js 14 client against the fake Discord: what a bot relies on behaves as on Discord. */

/** Has the client answer every interaction with `answer` until the returned function is called; a failed answer is logged. */
function answerInteractions(client: Client, answer: (interaction: Interaction) => Promise<void>): () => void {
  const listener = (interaction: Interaction) => {
    answer(interaction).catch((error: unknown) => console.error('the test bot failed to answer an interaction', error));
  };
  client.on('interactionCreate', listener);
  return () => client.off('interactionCreate', listener);
}

const ALL_INTENTS = [I.Guilds, I.GuildMessages, I.MessageContent, I.GuildMembers, I.DirectMessages];

// A 1×1 PNG: enough for the CDN and for Discord's image size fields.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe('fake Discord with discord.js', () => {
  let env: FakeDiscordWithClient;
  const ids = {} as Record<
    'guild' | 'category' | 'general' | 'nsfw' | 'forum' | 'thread' | 'post' | 'locked' | 'alice' | 'bob' | 'muted',
    string
  >;

  before(async () => {
    env = await startFakeDiscordWithClient({
      intents: ALL_INTENTS,
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'Photos' });
        const alice = discord.createUser({ username: 'alice' });
        const bob = discord.createUser({ username: 'bob' });
        const muted = discord.createRole(guild.id, { name: 'muted', permissions: 0n });
        discord.addMember(guild.id, alice.id, { roles: [muted.id] });
        discord.addMember(guild.id, bob.id, { roles: [muted.id] });
        const category = discord.createChannel(guild.id, { name: 'media', type: 'category' });
        const general = discord.createChannel(guild.id, { name: 'general', parentId: category.id });
        const nsfw = discord.createChannel(guild.id, { name: 'after-dark', nsfw: true, parentId: category.id });
        const forum = discord.createChannel(guild.id, { name: 'showcase', type: 'forum' });
        const locked = discord.createChannel(guild.id, {
          name: 'announcements',
          permissionOverwrites: [
            { id: muted.id, type: 'role', deny: P.SendMessages },
            { id: bob.id, type: 'member', allow: P.SendMessages },
          ],
        });
        const thread = discord.createThread(general.id, { name: 'sunsets', members: [alice.id] });
        const post = discord.createThread(forum.id, {
          name: 'my best shot',
          ownerId: alice.id,
          message: { content: 'look', attachments: [{ filename: 'shot.png', data: PNG }] },
        });
        Object.assign(ids, {
          guild: guild.id,
          category: category.id,
          general: general.id,
          nsfw: nsfw.id,
          forum: forum.id,
          thread: thread.id,
          post: post.id,
          locked: locked.id,
          alice: alice.id,
          bob: bob.id,
          muted: muted.id,
        });
      },
    });
  });

  after(async () => {
    await env?.stop();
  });

  test('discord.js logs in and caches the guild, its channels, threads and roles from READY and GUILD_CREATE', () => {
    const { client, discord } = env;
    assert.equal(client.user.id, discord.botUser.id);
    assert.equal(client.application.id, discord.applicationId);
    const guild = client.guilds.cache.get(ids.guild);
    assert.ok(guild?.available, 'guild cached and available');
    assert.equal(guild.name, 'Photos');
    assert.equal(guild.channels.cache.get(ids.category)?.type, ChannelType.GuildCategory);
    const general = guild.channels.cache.get(ids.general);
    assert.equal(general?.type, ChannelType.GuildText);
    assert.equal(general.parentId, ids.category);
    const nsfw = guild.channels.cache.get(ids.nsfw) as TextChannel;
    assert.equal(nsfw.nsfw, true);
    assert.equal(guild.channels.cache.get(ids.forum)?.type, ChannelType.GuildForum);
    const thread = client.channels.cache.get(ids.thread);
    assert.equal(thread?.type, ChannelType.PublicThread);
    assert.equal(thread.parentId, ids.general);
    assert.equal((client.channels.cache.get(ids.post) as TextChannel | undefined)?.parentId, ids.forum);
    assert.deepEqual([...guild.roles.cache.keys()].sort(), [...discord.state.guildRoles(ids.guild).map((r) => r.id)].sort());
    assert.ok(guild.members.me, "the bot's own member arrives in GUILD_CREATE");
    assert.equal(guild.members.cache.has(ids.alice), false, 'other members only come with GUILD_PRESENCES');
  });

  test('channel.permissionsFor(member) agrees with the overwrites (role deny, member allow)', async () => {
    const guild = env.client.guilds.cache.get(ids.guild)!;
    const channel = guild.channels.cache.get(ids.locked) as TextChannel;
    const everyone = await guild.members.fetch();
    assert.equal(everyone.size, 4, 'owner, bot, alice and bob (op 8 answered with GUILD_MEMBERS_CHUNK)');
    const alice = await guild.members.fetch({ user: ids.alice, force: true });
    const bob = await guild.members.fetch({ user: ids.bob, force: true });
    assert.equal(channel.permissionsFor(alice).has(P.SendMessages), false, 'role overwrite denies');
    assert.equal(channel.permissionsFor(bob).has(P.SendMessages), true, 'member overwrite allows');
    assert.equal(channel.permissionsFor(alice).has(P.ViewChannel), true);
    const general = guild.channels.cache.get(ids.general) as TextChannel;
    assert.equal(general.permissionsFor(alice).has(P.SendMessages), true, 'no overwrite elsewhere');
  });

  test('history is paged 100 at a time, newest first, exactly as Discord pages it (250 messages: 100, 100, 50)', async () => {
    const { client, discord } = env;
    const channel = discord.createChannel(ids.guild, { name: 'archive' });
    const posted: string[] = [];
    for (let i = 0; i < 250; i++) posted.push((await discord.postMessage(channel.id, ids.alice, { content: `photo ${i}` })).id);
    const cached = await discord.waitFor(() => client.channels.cache.get(channel.id) as TextChannel | undefined);
    const pages: string[][] = [];
    let before: string | undefined;
    for (;;) {
      const page = await cached.messages.fetch({ limit: 100, ...(before ? { before } : {}) });
      if (page.size === 0) break;
      pages.push([...page.keys()]);
      before = page.lastKey();
    }
    assert.deepEqual(
      pages.map((p) => p.length),
      [100, 100, 50],
    );
    assert.deepEqual(pages.flat(), [...posted].reverse(), 'every message once, newest first across pages');
    const after = (await client.rest.get(Routes.channelMessages(channel.id), {
      query: new URLSearchParams({ after: posted[9]!, limit: '5' }),
    })) as { id: string }[];
    assert.deepEqual(
      after.map((m) => m.id),
      posted.slice(10, 15).reverse(),
      '`after` gives the oldest newer ones, newest first',
    );
    const gets = discord.requests.filter((r) => r.route === 'GET /channels/:channelId/messages' && r.path.includes(channel.id));
    assert.deepEqual(
      gets.slice(0, 3).map((r) => r.query['limit']),
      ['100', '100', '100'],
    );
  });

  test('discord.js survives a 429 storm and a 5xx burst: requests succeed after waiting as told', async () => {
    const { client, discord } = env;
    const channel = client.channels.cache.get(ids.general) as TextChannel;
    discord.injectFault({ route: `/channels/${ids.general}/messages`, method: 'POST', status: 429, times: 3, retryAfterMs: 200 });
    discord.injectFault({ status: 429, global: true, times: 1, retryAfterMs: 300 });
    discord.injectFault({ route: `/channels/${ids.general}/messages`, method: 'POST', status: 502, times: 2 });
    const started = Date.now();
    const sent = await Promise.all([channel.send('one'), channel.send('two'), channel.send('three')]);
    const elapsed = Date.now() - started;
    assert.deepEqual(
      sent.map((m) => m.content),
      ['one', 'two', 'three'],
    );
    assert.equal(discord.pendingFaults, 0, 'every fault was served');
    assert.ok(elapsed >= 3 * 200 + 300, `discord.js waited out the retry-after windows (took ${elapsed} ms)`);
    assert.deepEqual(discord.rateLimitViolations, [], 'no request came back before its retry-after passed');
    const contents = discord.botMessagesIn(ids.general).map((m) => m.content);
    for (const text of ['one', 'two', 'three']) assert.equal(contents.filter((c) => c === text).length, 1);
    assert.ok(discord.requests.some((r) => r.fault === 'rate-limit') && discord.requests.some((r) => r.status === 502));
  });

  test('a gateway cut with a resumable code is resumed, and every MESSAGE_CREATE arrives exactly once', async () => {
    const { client, discord } = env;
    const channel = discord.createChannel(ids.guild, { name: 'live' });
    const received: string[] = [];
    const listener = (m: Message) => void (m.channelId === channel.id && received.push(m.content));
    client.on('messageCreate', listener);
    const before = { ...discord.gatewayStats };
    const expected: string[] = [];
    for (let i = 0; i < 60; i++) {
      expected.push(`event ${i}`);
      await discord.postMessage(channel.id, ids.alice, { content: `event ${i}` });
      if (i === 15) assert.equal(discord.cutGateway({ code: 4000, resumable: true }), 1);
      await sleep(10);
    }
    await discord.waitFor(() => received.length >= expected.length, { what: 'all 60 messages' });
    await sleep(100);
    client.off('messageCreate', listener);
    assert.deepEqual(received, expected);
    assert.equal(discord.gatewayStats.resumes, before.resumes + 1);
    assert.equal(discord.gatewayStats.identifies, before.identifies, 'resumed, not re-identified');
  });

  test('a non-resumable close (4009 with the session gone) makes discord.js identify afresh', async () => {
    const { client, discord } = env;
    const before = { ...discord.gatewayStats };
    discord.cutGateway({ code: 4009, resumable: false });
    await discord.waitFor(() => discord.gatewayStats.identifies === before.identifies + 1 && discord.connectedShards().length === 1, {
      what: 're-identify',
    });
    assert.equal(discord.gatewayStats.invalidSessions, before.invalidSessions + 1, 'the RESUME attempt got op 9');
    const got = new Promise<string>((resolve) => client.once('messageCreate', (m) => resolve(m.content)));
    await discord.postMessage(ids.general, ids.alice, { content: 'still here' });
    assert.equal(await got, 'still here');
  });

  test('an expired attachment URL answers 404, and the URL from refresh-urls loads', async () => {
    const { client, discord } = env;
    discord.cdnUrlTtlMs = 1000;
    const got = new Promise<Message>((resolve) => client.once('messageCreate', resolve));
    await discord.postMessage(ids.general, ids.alice, { content: 'a photo', attachments: [{ filename: 'dot.png', data: PNG }] });
    const attachment = (await got).attachments.first();
    assert.ok(attachment, 'attachment delivered');
    assert.equal(attachment.width, 1);
    const fresh = await fetch(attachment.url);
    assert.equal(fresh.status, 200);
    assert.deepEqual(Buffer.from(await fresh.arrayBuffer()), PNG);
    const tampered = attachment.url.replace(/hm=([0-9a-f])/, (_, c: string) => `hm=${c === '0' ? '1' : '0'}`);
    assert.equal((await fetch(tampered)).status, 404, 'a tampered signature is refused');
    const expiresAt = parseInt(new URL(attachment.url).searchParams.get('ex') ?? '0', 16) * 1000;
    await sleep(Math.max(0, expiresAt - Date.now()) + 20);
    assert.equal((await fetch(attachment.url)).status, 404, 'expired');
    const { refreshed_urls } = (await client.rest.post('/attachments/refresh-urls', { body: { attachment_urls: [attachment.url] } })) as {
      refreshed_urls: { original: string; refreshed: string }[];
    };
    assert.equal(refreshed_urls[0]?.original, attachment.url);
    const reloaded = await fetch(refreshed_urls[0]?.refreshed ?? '');
    assert.equal(reloaded.status, 200);
    assert.deepEqual(Buffer.from(await reloaded.arrayBuffer()), PNG);
    discord.cdnUrlTtlMs = 24 * 3600 * 1000;
  });

  test('a slash command deferred then edited is recorded with its final content and the ephemeral flag', async () => {
    const { client, discord } = env;
    const handler = async (interaction: Interaction) => {
      if (!interaction.isChatInputCommand() || interaction.commandName !== 'find') return;
      const i = interaction;
      await i.deferReply({ flags: MessageFlags.Ephemeral });
      const query = i.options.getString('query', true);
      const image = i.options.getAttachment('image', true);
      const bytes = Buffer.from(await (await fetch(image.url)).arrayBuffer());
      await i.editReply({ content: `results for ${query} like ${image.name} (${bytes.length} bytes)`, embeds: [{ title: 'best match' }] });
    };
    const stopAnswering = answerInteractions(client, handler);
    try {
      const reply = await discord.invokeSlashCommand({
        channelId: ids.general,
        userId: ids.alice,
        name: 'find',
        options: { query: 'rainbow' },
        attachments: { image: { filename: 'query.png', data: PNG } },
      });
      assert.equal(reply.callbackType, 5);
      assert.equal(reply.deferred, true);
      assert.equal(reply.ephemeral, true);
      assert.equal(reply.content, `results for rainbow like query.png (${PNG.length} bytes)`);
      assert.deepEqual(
        reply.embeds.map((e) => e.title),
        ['best match'],
      );
      assert.equal(reply.original?.versions.length, 2, 'the loading state, then the edit');
      assert.equal((reply.flags & 64) !== 0, true);
      assert.ok(reply.respondedAfterMs !== null && reply.respondedAfterMs < 3000);
      assert.equal(
        discord.channelMessages(ids.general).some((m) => m.id === reply.original?.id),
        false,
        'ephemeral replies stay out of history',
      );
    } finally {
      stopAnswering();
    }
  });

  test('a message context menu and a button press reach the bot and their answers are recorded', async () => {
    const { client, discord } = env;
    const handler = async (interaction: Interaction) => {
      if (interaction.isMessageContextMenuCommand()) {
        await interaction.reply({
          content: `similar to ${interaction.targetMessage.attachments.size} image(s)`,
          components: [{ type: 1, components: [{ type: 2, style: 1, custom_id: 'next', label: 'Next' }] }],
        });
      } else if (interaction.isButton() && interaction.customId === 'next') {
        await interaction.update({ content: 'page 2', components: [] });
      }
    };
    const stopAnswering = answerInteractions(client, handler);
    try {
      const target = await discord.postMessage(ids.general, ids.alice, {
        content: 'look',
        attachments: [{ filename: 'a.png', data: PNG }],
      });
      const menu = await discord.invokeMessageContextMenu({
        channelId: ids.general,
        userId: ids.bob,
        name: 'Find similar images',
        targetMessageId: target.id,
      });
      assert.equal(menu.callbackType, 4);
      assert.equal(menu.ephemeral, false);
      assert.equal(menu.content, 'similar to 1 image(s)');
      const press = await discord.pressButton({ userId: ids.bob, messageId: menu.original!.id, customId: 'next' });
      assert.equal(press.callbackType, 7);
      assert.equal(press.content, 'page 2');
      assert.deepEqual(
        discord.botMessages.find((m) => m.id === menu.original!.id)?.versions.map((v) => v.content),
        ['similar to 1 image(s)', 'page 2'],
      );
    } finally {
      stopAnswering();
    }
  });

  test('a forged press sends a custom id the message does not carry; without `forged` the fake refuses it', async () => {
    const { client, discord } = env;
    const seen: Array<{ customId: string; messageId: string; type: number }> = [];
    const handler = async (interaction: Interaction) => {
      if (!interaction.isMessageComponent()) return;
      seen.push({ customId: interaction.customId, messageId: interaction.message.id, type: interaction.componentType });
      await interaction.reply({ content: 'refused', flags: 64 });
    };
    const stopAnswering = answerInteractions(client, handler);
    try {
      const message = await discord.postMessage(ids.general, ids.alice, { content: 'no controls here' });
      await assert.rejects(
        discord.pressButton({ userId: ids.bob, messageId: message.id, customId: 'results:abc:page:1' }),
        /has no component with custom_id results:abc:page:1/,
      );
      await discord.pressButton({ userId: ids.bob, messageId: message.id, customId: 'results:abc:page:1', forged: true });
      await discord.selectMenu({ userId: ids.bob, messageId: message.id, customId: 'results:abc:show', values: ['0'], forged: true });
      assert.deepEqual(seen, [
        { customId: 'results:abc:page:1', messageId: message.id, type: 2 },
        { customId: 'results:abc:show', messageId: message.id, type: 3 },
      ]);
    } finally {
      stopAnswering();
    }
  });
});

describe('fake Discord intents and shards', () => {
  test('without the Message Content intent a message arrives without content or attachments, unless it mentions the bot', async () => {
    const ids: Record<string, string> = {};
    const env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages],
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'g' });
        const user = discord.createUser({ username: 'carol' });
        discord.addMember(guild.id, user.id);
        Object.assign(ids, { channel: discord.createChannel(guild.id, { name: 'pics' }).id, user: user.id });
      },
    });
    try {
      const { client, discord } = env;
      const next = () => new Promise<Message>((resolve) => client.once('messageCreate', resolve));
      let arriving = next();
      await discord.postMessage(ids['channel']!, ids['user']!, { content: 'secret', attachments: [{ filename: 'x.png', data: PNG }] });
      const hidden = await arriving;
      assert.equal(hidden.content, '');
      assert.equal(hidden.attachments.size, 0);
      arriving = next();
      await discord.postMessage(ids['channel']!, ids['user']!, {
        content: `<@${discord.botUser.id}> look`,
        attachments: [{ filename: 'x.png', data: PNG }],
      });
      const mentioned = await arriving;
      assert.equal(mentioned.attachments.size, 1, 'a mention of the bot lifts the restriction');
    } finally {
      await env.stop();
    }
  });

  test('a DM reaches the bot with its content even without the Message Content intent, and the reply lands in that DM', async () => {
    let userId = '';
    const env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.DirectMessages],
      partials: [Partials.Channel],
      setup: (discord) => void (userId = discord.createUser({ username: 'erin' }).id),
    });
    try {
      const { client, discord } = env;
      const dm = discord.openDm(userId);
      const arriving = new Promise<Message>((resolve) => client.once('messageCreate', resolve));
      await discord.postMessage(dm.id, userId, { content: 'can you find cats?', attachments: [{ filename: 'cat.png', data: PNG }] });
      const message = await arriving;
      assert.deepEqual([message.content, message.attachments.size, message.channel.type], ['can you find cats?', 1, ChannelType.DM]);
      const sent = await (await client.users.fetch(userId)).send('here they are');
      assert.equal(sent.channelId, dm.id);
      assert.deepEqual(
        discord.botMessagesIn(dm.id).map((m) => m.content),
        ['here they are'],
      );
    } finally {
      await env.stop();
    }
  });

  test("with two shards each guild's events go to shard (guild_id >> 22) % 2", async () => {
    const guildIds: string[] = [];
    const env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages],
      shards: 'auto',
      fake: { shards: 2 },
      setup: async (discord) => {
        const seen = new Set<number>();
        while (seen.size < 2) {
          const guild = discord.createGuild({ name: `g${guildIds.length}` });
          guildIds.push(guild.id);
          seen.add(Number((BigInt(guild.id) >> 22n) % 2n));
          await sleep(2);
        }
      },
    });
    try {
      assert.equal(env.client.ws.shards.size, 2);
      for (const id of guildIds) {
        assert.equal(env.client.guilds.cache.get(id)?.shardId, Number((BigInt(id) >> 22n) % 2n));
      }
    } finally {
      await env.stop();
    }
  });
});
