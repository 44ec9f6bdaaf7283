import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ContainerBuilder,
  DiscordAPIError,
  GatewayIntentBits as I,
  MediaGalleryBuilder,
  MessageFlags,
  Routes,
  SectionBuilder,
  SeparatorBuilder,
  StringSelectMenuBuilder,
  TextDisplayBuilder,
  ThumbnailBuilder,
  type Interaction,
  type RawFile,
} from 'discord.js';
import { InteractionTimeoutError, startFakeDiscordWithClient, type FakeDiscordWithClient } from '../index.js';

/** Every body the bot sends is held against Discord's OpenAPI spec and limits: what Discord refuses, the fake refuses. */

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const V2 = MessageFlags.IsComponentsV2;
const text = (content: string) => ({ type: 10, content });
const gallery = (count: number) => ({
  type: 12,
  items: Array.from({ length: count }, (_, i) => ({ media: { url: `attachment://r${i}.png` } })),
});
const files = (count: number): RawFile[] => Array.from({ length: count }, (_, i) => ({ name: `r${i}.png`, data: PNG }));

describe('request bodies are checked as Discord checks them', () => {
  let env: FakeDiscordWithClient;
  let channelId = '';
  let userId = '';

  before(async () => {
    env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages],
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'g' });
        userId = discord.createUser({ username: 'dana' }).id;
        discord.addMember(guild.id, userId);
        channelId = discord.createChannel(guild.id, { name: 'photos' }).id;
      },
    });
  });
  after(() => env?.stop());

  /** Posts a raw body as the bot (no builder validation in between); resolves with Discord's error, or null. */
  async function refusalOf(body: unknown, attachments: RawFile[] = []): Promise<DiscordAPIError | null> {
    try {
      await env.client.rest.post(Routes.channelMessages(channelId), { body, files: attachments });
      return null;
    } catch (error) {
      if (error instanceof DiscordAPIError) return error;
      throw error;
    }
  }
  const lastRefusal = () => env.discord.requests.findLast((r) => r.refusal !== null)?.refusal ?? '';

  test('a Components V2 page of every kind of component is accepted, and its gallery shows the uploaded files', async () => {
    const container = new ContainerBuilder()
      .addTextDisplayComponents(new TextDisplayBuilder().setContent('## Results for "rain"\n-# 10 images'))
      .addMediaGalleryComponents(
        new MediaGalleryBuilder().addItems(...files(10).map((f) => ({ media: { url: `attachment://${f.name}` } }))),
      )
      .addSeparatorComponents(new SeparatorBuilder())
      .addSectionComponents(
        new SectionBuilder()
          .addTextDisplayComponents(new TextDisplayBuilder().setContent('**#1** <@1> in <#2> · <t:1700000000:d>'))
          .setThumbnailAccessory(new ThumbnailBuilder().setURL('attachment://r0.png')),
      )
      .addActionRowComponents(
        new ActionRowBuilder<StringSelectMenuBuilder>().addComponents(
          new StringSelectMenuBuilder().setCustomId('more').setPlaceholder('More like…').addOptions({ label: '#1', value: '1' }),
        ),
      )
      .addActionRowComponents(
        new ActionRowBuilder<ButtonBuilder>().addComponents(
          new ButtonBuilder().setCustomId('prev').setLabel('Previous').setStyle(ButtonStyle.Secondary).setDisabled(true),
          new ButtonBuilder().setCustomId('next').setLabel('Next').setStyle(ButtonStyle.Secondary),
        ),
      );
    const sent = (await env.client.rest.post(Routes.channelMessages(channelId), {
      body: { flags: V2, components: [container.toJSON()] },
      files: files(10),
    })) as { id: string };
    const record = env.discord.botMessages.find((m) => m.id === sent.id);
    assert.equal(record?.attachments.length, 10);
    assert.deepEqual(
      record?.mediaUrls.slice(0, 10),
      record?.attachments.map((a) => a.url),
      'the gallery shows the files in order',
    );
  });

  test("the refusal has Discord's shape: 400, code 50035, and the field's error at its path", async () => {
    const refusal = await refusalOf({ embeds: [{ title: 'x'.repeat(257) }] });
    assert.equal(refusal?.status, 400);
    assert.deepEqual(refusal?.rawError, {
      code: 50035,
      message: 'Invalid Form Body',
      errors: { embeds: { '0': { title: { _errors: [{ code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 256 or fewer in length.' }] } } } },
    });
  });

  test('a refusal is explained for the test author: route, method, the spec type and each field path', async () => {
    await refusalOf({ flags: V2, components: [{ type: 17, components: [gallery(11)] }] }, files(11));
    const explanation = lastRefusal();
    assert.match(
      explanation,
      /^POST \/channels\/\{channel_id\}\/messages: the body does not match Discord's OpenAPI spec \(MessageCreateRequest\)/,
    );
    assert.match(explanation, /components\.0\.components\.0\.items: Must be 10 or fewer in length\. \(BASE_TYPE_MAX_LENGTH\)/);
  });

  test('a component of an unknown type is named by its path and the types allowed there', async () => {
    const refusal = await refusalOf({ flags: V2, components: [{ type: 17, components: [{ type: 99 }] }] });
    assert.equal(refusal?.code, 50035);
    assert.match(lastRefusal(), /components\.0\.components\.0\.type: Value of field "type" must be one of \(/);
  });

  test('a gallery holds 1 to 10 items', async () => {
    assert.equal((await refusalOf({ flags: V2, components: [gallery(11)] }, files(11)))?.code, 50035);
    assert.equal((await refusalOf({ flags: V2, components: [gallery(0)] }))?.code, 50035);
  });

  test('a Components V2 message holds at most 40 components, nested ones counted', async () => {
    const texts = (n: number) => Array.from({ length: n }, (_, i) => text(`line ${i}`));
    assert.equal(await refusalOf({ flags: V2, components: [{ type: 17, components: texts(39) }] }), null, '1 container + 39 texts');
    const refusal = await refusalOf({ flags: V2, components: [{ type: 17, components: texts(40) }] });
    assert.equal(refusal?.code, 50035);
    assert.match(lastRefusal(), /components: Must be 40 or fewer in total \(nested components counted\); got 41/);
  });

  test('the text displays of a Components V2 message hold 4000 characters in all', async () => {
    assert.equal(await refusalOf({ flags: V2, components: [text('a'.repeat(2000)), text('b'.repeat(2000))] }), null);
    const refusal = await refusalOf({
      flags: V2,
      components: [text('a'.repeat(2000)), { type: 17, components: [text('b'.repeat(2001))] }],
    });
    assert.equal(refusal?.code, 50035);
    assert.match(lastRefusal(), /4000 or fewer characters in total; got 4001/);
  });

  test('content and embeds cannot accompany Components V2, in a new message or an edit', async () => {
    assert.equal((await refusalOf({ flags: V2, content: 'hi', components: [text('x')] }))?.code, 50035);
    assert.equal((await refusalOf({ flags: V2, embeds: [{ title: 't' }], components: [text('x')] }))?.code, 50035);
    const sent = (await env.client.rest.post(Routes.channelMessages(channelId), { body: { flags: V2, components: [text('x')] } })) as {
      id: string;
    };
    await assert.rejects(
      env.client.rest.patch(Routes.channelMessage(channelId, sent.id), { body: { content: 'now with words' } }),
      (e: unknown) => e instanceof DiscordAPIError && e.code === 50035,
    );
  });

  test('message content holds 2000 characters and a message 10 embeds of 6000 characters in all', async () => {
    assert.equal((await refusalOf({ content: 'x'.repeat(2001) }))?.code, 50035);
    assert.equal((await refusalOf({ embeds: Array.from({ length: 11 }, () => ({ title: 't' })) }))?.code, 50035);
    assert.equal((await refusalOf({ embeds: Array.from({ length: 2 }, () => ({ description: 'd'.repeat(3001) })) }))?.code, 50035);
  });

  test('a string of digits is taken where the spec says number, as Discord takes it', async () => {
    assert.equal(await refusalOf({ content: 'quiet', flags: String(MessageFlags.SuppressNotifications) }), null);
  });

  test('command registration is checked too', async () => {
    await assert.rejects(
      env.client.rest.put(Routes.applicationCommands(env.discord.applicationId), {
        body: [{ name: 'find', description: 'd'.repeat(101) }],
      }),
      (e: unknown) => e instanceof DiscordAPIError && e.code === 50035,
    );
    assert.match(
      lastRefusal(),
      /^PUT \/applications\/\{application_id\}\/commands: .*\n {2}0\.description: Must be 100 or fewer in length\./,
    );
  });

  test('an interaction answer Discord would refuse leaves the interaction unanswered, and the wait says why', async () => {
    const listener = (i: Interaction) => {
      if (!i.isChatInputCommand()) return;
      void i.client.rest
        .post(Routes.interactionCallback(i.id, i.token), { auth: false, body: { type: 4, data: { flags: V2, components: [gallery(11)] } } })
        .catch(() => undefined);
    };
    env.client.on('interactionCreate', listener);
    try {
      const { interactionId } = await env.discord.invokeSlashCommand({ channelId, userId, name: 'find', wait: false });
      await env.discord.waitFor(() => env.discord.requests.some((r) => r.path.includes(interactionId) && r.refusal !== null), {
        what: 'the refused callback',
      });
      assert.equal(env.discord.interactionReply(interactionId).callbackType, null);
      await assert.rejects(
        env.discord.waitForReply(interactionId, { timeoutMs: 1 }),
        (e: unknown) =>
          e instanceof InteractionTimeoutError &&
          /POST \/interactions\/\{interaction_id\}\/\{interaction_token\}\/callback: .*\n {2}data\.components\.0\.items: Must be 10 or fewer/.test(
            e.message,
          ),
      );
    } finally {
      env.client.off('interactionCreate', listener);
    }
  });

  test('follow-ups and edits of the original reply are checked too', async () => {
    const codes: number[] = [];
    const listener = (i: Interaction) => {
      if (!i.isChatInputCommand()) return;
      void (async () => {
        await i.reply('ok');
        const webhook = (path: string) => `/webhooks/${i.applicationId}/${i.token}${path}`;
        const bad = { embeds: [{ title: 'x'.repeat(257) }] };
        for (const send of [
          () => i.client.rest.post(webhook('') as `/${string}`, { auth: false, body: bad }),
          () => i.client.rest.patch(webhook('/messages/@original') as `/${string}`, { auth: false, body: bad }),
        ]) {
          await send().catch((e: unknown) => codes.push(e instanceof DiscordAPIError ? Number(e.code) : -1));
        }
      })();
    };
    env.client.on('interactionCreate', listener);
    try {
      const reply = await env.discord.invokeSlashCommand({ channelId, userId, name: 'find' });
      await env.discord.waitFor(() => codes.length === 2, { what: 'both webhook calls to be answered' });
      assert.deepEqual(codes, [50035, 50035]);
      assert.equal(env.discord.interactionReply(reply.interactionId).content, 'ok', 'the refused edit changed nothing');
    } finally {
      env.client.off('interactionCreate', listener);
    }
  });
});
