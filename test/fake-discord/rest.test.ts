import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DiscordAPIError,
  GatewayIntentBits as I,
  HTTPError,
  MessageFlags,
  PermissionFlagsBits as P,
  Routes,
  type Interaction,
  type Message,
  type TextChannel,
} from 'discord.js';
import { FakeDiscord, startFakeDiscordWithClient, type FakeDiscordWithClient } from './index.js';

/** REST semantics a bot depends on: auth, paging, permissions, files, interactions and their errors, faults. */

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

async function api(discord: FakeDiscord, path: string, init: { method?: string; body?: unknown; auth?: boolean } = {}) {
  const response = await fetch(`${discord.apiUrl}/v10${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.auth === false ? {} : { authorization: `Bot ${discord.botToken}` }),
      ...(init.body ? { 'content-type': 'application/json' } : {}),
    },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown> & unknown[]) : null };
}

describe('fake Discord REST', () => {
  let env: FakeDiscordWithClient;
  let guildId = '';
  let channelId = '';
  let userId = '';

  before(async () => {
    env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages, I.MessageContent],
      fake: { interactionDeadlineMs: 1000 },
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'g' });
        const user = discord.createUser({ username: 'dana' });
        discord.addMember(guild.id, user.id);
        guildId = guild.id;
        userId = user.id;
        channelId = discord.createChannel(guild.id, { name: 'general' }).id;
      },
    });
  });

  after(async () => {
    await env?.stop();
  });

  const onInteraction = async (handler: (i: Interaction) => Promise<void>, run: () => Promise<void>) => {
    const listener = (i: Interaction) => void handler(i).catch(() => undefined);
    env.client.on('interactionCreate', listener);
    try {
      await run();
    } finally {
      env.client.off('interactionCreate', listener);
    }
  };

  test('requests without the bot token are refused with 401', async () => {
    assert.equal((await api(env.discord, '/users/@me', { auth: false })).status, 401);
    const me = await api(env.discord, '/users/@me');
    assert.equal(me.status, 200);
    assert.equal(me.body?.['id'], env.discord.botUser.id);
  });

  test('history paging refuses limits over 100 and centres `around` on the message', async () => {
    const { discord } = env;
    const channel = discord.createChannel(guildId, { name: 'paging' });
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await discord.postMessage(channel.id, userId, { content: `m${i}` })).id);
    const tooMany = await api(discord, `/channels/${channel.id}/messages?limit=101`);
    assert.equal(tooMany.status, 400);
    assert.equal(tooMany.body?.['code'], 50035);
    const around = await api(discord, `/channels/${channel.id}/messages?around=${ids[5]}&limit=4`);
    assert.deepEqual(
      (around.body as unknown as { id: string }[]).map((m) => m.id),
      [ids[7], ids[6], ids[5], ids[4]],
    );
  });

  test('a channel the bot cannot see answers 50001, and one where it may not speak refuses posts with 50013', async () => {
    const { discord } = env;
    const hidden = discord.createChannel(guildId, {
      name: 'staff',
      permissionOverwrites: [{ id: guildId, type: 'role', deny: P.ViewChannel }],
    });
    const readOnly = discord.createChannel(guildId, {
      name: 'rules',
      permissionOverwrites: [{ id: guildId, type: 'role', deny: P.SendMessages }],
    });
    const read = await api(discord, `/channels/${hidden.id}/messages`);
    assert.deepEqual([read.status, read.body?.['code']], [403, 50001]);
    const post = await api(discord, `/channels/${readOnly.id}/messages`, { method: 'POST', body: { content: 'hi' } });
    assert.deepEqual([post.status, post.body?.['code']], [403, 50013]);
    const empty = await api(discord, `/channels/${channelId}/messages`, { method: 'POST', body: { content: '' } });
    assert.deepEqual([empty.status, empty.body?.['code']], [400, 50006]);
  });

  test("the bot's files are served by the CDN, and an embed's attachment:// image becomes the file's URL", async () => {
    const channel = env.client.channels.cache.get(channelId) as TextChannel;
    const sent = await channel.send({
      files: [{ attachment: PNG, name: 'result 1.png' }],
      embeds: [{ image: { url: 'attachment://result_1.png' } }],
    });
    const imageUrl = sent.embeds[0]?.image?.url ?? '';
    assert.ok(imageUrl.startsWith(`${env.discord.cdnUrl}/attachments/`), imageUrl);
    assert.deepEqual(Buffer.from(await (await fetch(imageUrl)).arrayBuffer()), PNG);
    const record = env.discord.botMessages.find((m) => m.id === sent.id);
    assert.equal(record?.attachments[0]?.filename, 'result_1.png', 'file names are sanitised as on Discord');
    assert.deepEqual(record?.attachments[0]?.data, PNG);
    assert.deepEqual(record?.mediaUrls, [record?.attachments[0]?.url], 'the embed image is the attached file');
  });

  test('an interaction answered after the deadline gets 10062; a second callback gets 40060', async () => {
    const codes: number[] = [];
    await onInteraction(
      async (i) => {
        if (!i.isChatInputCommand()) return;
        if (i.commandName === 'slow') {
          await sleep(1200);
          await i.deferReply().catch((e: DiscordAPIError) => codes.push(Number(e.code)));
        } else {
          await i.reply('first');
          await i.client.rest
            .post(Routes.interactionCallback(i.id, i.token), { body: { type: 4, data: { content: 'again' } }, auth: false })
            .catch((e: DiscordAPIError) => codes.push(Number(e.code)));
        }
      },
      async () => {
        const late = await env.discord.invokeSlashCommand({ channelId, userId, name: 'slow' });
        assert.equal(late.expired, true);
        assert.equal(late.callbackType, null);
        const twice = await env.discord.invokeSlashCommand({ channelId, userId, name: 'twice' });
        assert.equal(twice.content, 'first');
        await env.discord.waitFor(() => codes.length === 2);
      },
    );
    assert.deepEqual(codes, [10062, 40060]);
  });

  test('a follow-up after a deferred reply fills in the loading message; later follow-ups are new messages', async () => {
    await onInteraction(
      async (i) => {
        if (!i.isChatInputCommand()) return;
        await i.deferReply();
        await i.followUp('the answer');
        await i.followUp({ content: 'only for you', flags: MessageFlags.Ephemeral });
      },
      async () => {
        const reply = await env.discord.invokeSlashCommand({ channelId, userId, name: 'stats' });
        assert.equal(reply.content, 'the answer');
        assert.equal(reply.ephemeral, false);
        assert.deepEqual(
          reply.followups.map((f) => [f.content, f.ephemeral]),
          [['only for you', true]],
        );
        assert.ok(
          env.discord.channelMessages(channelId).some((m) => m.id === reply.original?.id),
          'a public reply is in history',
        );
      },
    );
  });

  test('registered commands keep their ids on overwrite, and their option types shape the interaction', async () => {
    const { client, discord } = env;
    const definition = {
      name: 'similar',
      description: 'find similar',
      options: [{ type: 10, name: 'ratio', description: 'r', required: true }],
    };
    const first = await client.application.commands.set([definition], guildId);
    const second = await client.application.commands.set([definition], guildId);
    assert.equal(first.first()?.id, second.first()?.id);
    await onInteraction(
      async (i) => {
        if (i.isChatInputCommand()) await i.reply(`ratio ${i.options.getNumber('ratio', true)}`);
      },
      async () => {
        const reply = await discord.invokeSlashCommand({ channelId, userId, name: 'similar', options: { ratio: 2 } });
        assert.equal(reply.content, 'ratio 2');
      },
    );
  });

  test("people's edits, deletions and bulk deletions reach the bot", async () => {
    const { client, discord } = env;
    const a = await discord.postMessage(channelId, userId, { content: 'before' });
    const b = await discord.postMessage(channelId, userId, { content: 'b' });
    const c = await discord.postMessage(channelId, userId, { content: 'c' });
    const updated = once(client, 'messageUpdate') as Promise<[Message, Message]>;
    await discord.editMessage(a.id, { content: 'after' });
    assert.equal((await updated)[1].content, 'after');
    const deleted = once(client, 'messageDelete') as Promise<[Message]>;
    await discord.deleteMessage(a.id);
    assert.equal((await deleted)[0].id, a.id);
    const bulk = once(client, 'messageDeleteBulk') as Promise<[Map<string, Message>]>;
    await discord.bulkDelete(channelId, [b.id, c.id]);
    assert.deepEqual([...(await bulk)[0].keys()].sort(), [b.id, c.id].sort());
    assert.equal((await api(discord, `/channels/${channelId}/messages/${b.id}`)).status, 404);
  });

  test('a 500 on every attempt surfaces after discord.js retries 3 times; slow answers are waited for', async () => {
    const { client, discord } = env;
    const channel = client.channels.cache.get(channelId) as TextChannel;
    discord.injectFault({ route: `/channels/${channelId}/messages`, method: 'POST', status: 500, times: 4 });
    await assert.rejects(channel.send('doomed'), (e: unknown) => e instanceof HTTPError && e.status === 500);
    assert.equal(discord.pendingFaults, 0, 'one attempt and three retries');
    discord.delayResponses(300, '/users/@me');
    const started = Date.now();
    await client.rest.get(Routes.user());
    assert.ok(Date.now() - started >= 300);
    discord.delayResponses(0);
  });

  test('a held answer is sent only once the test releases it', async () => {
    const { client, discord } = env;
    const release = discord.holdResponses('/users/@me');
    let answered = false;
    const request = client.rest.get(Routes.user()).then(() => (answered = true));
    const arrived = () => discord.requests.some((record) => record.path.endsWith('/users/@me') && record.finishedAt === null);
    for (const deadline = Date.now() + 60_000; !arrived(); await sleep(10)) assert.ok(Date.now() < deadline, 'the request to arrive');
    await sleep(300);
    assert.equal(answered, false, 'held while the test has not released it');
    release();
    await request;
    assert.equal(answered, true);
  });
});

test('listing members is refused when the Server Members intent is off for the app', async () => {
  const discord = await FakeDiscord.start({ privilegedIntents: { guildMembers: false } });
  try {
    const guild = discord.createGuild({ name: 'g' });
    assert.equal((await api(discord, `/guilds/${guild.id}/members?limit=10`)).status, 403);
    assert.equal((await api(discord, `/guilds/${guild.id}/members/${discord.appOwner.id}`)).status, 200, 'one member by id is fine');
  } finally {
    await discord.stop();
  }
});
