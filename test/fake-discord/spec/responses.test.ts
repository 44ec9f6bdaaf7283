import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  ContainerBuilder,
  GatewayIntentBits as I,
  MessageFlags,
  TextDisplayBuilder,
  type Interaction,
} from 'discord.js';
import { startFakeDiscordWithClient, type FakeDiscordWithClient } from '../index.js';
import { DiscordSpec } from './discordSpec.js';
import { fieldErrors, formatFieldErrors } from './formErrors.js';

/** What the fake answers has every field Discord's OpenAPI spec says Discord's answer has, on the routes bots use. */

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

describe("the fake's answers match Discord's OpenAPI response schemas", () => {
  let env: FakeDiscordWithClient;
  const ids = { guild: '', channel: '', thread: '', member: '', role: '', userMessage: '' };

  before(async () => {
    env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages, I.MessageContent],
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'g' });
        const member = discord.createUser({ username: 'dana', globalName: 'Dana' });
        ids.role = discord.createRole(guild.id, { name: 'artists', permissions: 0n }).id;
        discord.addMember(guild.id, member.id, { roles: [ids.role], nick: 'D' });
        ids.guild = guild.id;
        ids.member = member.id;
        ids.channel = discord.createChannel(guild.id, { name: 'photos' }).id;
        ids.thread = discord.createThread(ids.channel, { name: 'a thread', ownerId: member.id }).id;
      },
    });
    const posted = await env.discord.postMessage(ids.channel, ids.member, {
      content: 'look <@' + env.discord.botUser.id + '>',
      attachments: [{ filename: 'dot.png', data: PNG }],
      embeds: [{ title: 'a link preview', description: 'text' }],
    });
    ids.userMessage = posted.id;
  });
  after(() => env?.stop());

  /** Sends a request as the bot and checks the answer against the schema the spec gives for its route and status. */
  async function answerOf(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const response = await fetch(`${env.discord.apiUrl}/v10${path}`, {
      method,
      headers: { authorization: `Bot ${env.discord.botToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    assert.ok(response.ok, `${method} ${path} answered ${response.status}: ${text}`);
    const json = JSON.parse(text) as Record<string, unknown>;
    assertMatchesSpec(method, path.split('?')[0] ?? path, response.status, json);
    return json;
  }

  function assertMatchesSpec(method: string, path: string, status: number, json: unknown): void {
    const spec = DiscordSpec.get();
    const operation = spec.operation(method, path);
    assert.ok(operation, `the spec lists no operation for ${method} ${path}`);
    const response = spec.responseSchema(operation, status);
    assert.ok(response, `the spec has no schema for ${status} of ${method} ${operation.path}`);
    const result = response.schema.safeParse(json, { reportInput: true });
    const problems = result.success ? [] : formatFieldErrors(fieldErrors(result.error.issues));
    assert.deepEqual(problems, [], `${method} ${operation.path} answered what ${response.name} does not allow`);
  }

  /** Answers the next interaction with `answer`, and returns it once answered. */
  async function answered(answer: (i: Interaction) => Promise<unknown>, start: () => Promise<unknown>): Promise<Interaction> {
    let seen: Interaction | undefined;
    const listener = (i: Interaction) => void answer((seen = i)).catch(() => undefined);
    env.client.on('interactionCreate', listener);
    try {
      await start();
    } finally {
      env.client.off('interactionCreate', listener);
    }
    assert.ok(seen, 'the client received the interaction');
    return seen;
  }

  test('users, the application and gateway discovery', async () => {
    await answerOf('GET', '/users/@me');
    await answerOf('GET', `/users/${ids.member}`);
    await answerOf('GET', '/applications/@me');
    await answerOf('GET', '/gateway/bot');
  });

  test('guilds, roles, members, channels and threads', async () => {
    await answerOf('GET', `/guilds/${ids.guild}`);
    await answerOf('GET', `/guilds/${ids.guild}/roles`);
    await answerOf('GET', `/guilds/${ids.guild}/members/${ids.member}`);
    await answerOf('GET', `/guilds/${ids.guild}/channels`);
    await answerOf('GET', `/guilds/${ids.guild}/threads/active`);
    await answerOf('GET', `/channels/${ids.channel}`);
    await answerOf('GET', `/channels/${ids.thread}`);
    await answerOf('GET', `/channels/${ids.channel}/threads/archived/public`);
  });

  test("people's messages, with mentions, attachments and link embeds", async () => {
    await answerOf('GET', `/channels/${ids.channel}/messages/${ids.userMessage}`);
    await answerOf('GET', `/channels/${ids.channel}/messages?limit=10`);
  });

  test("the bot's own messages: embeds, action rows and Components V2", async () => {
    const created = await answerOf('POST', `/channels/${ids.channel}/messages`, {
      embeds: [{ title: '#1', description: 'a result', image: { url: 'https://example.invalid/a.png' } }],
      components: [
        new ActionRowBuilder<ButtonBuilder>()
          .addComponents(new ButtonBuilder().setCustomId('next').setLabel('Next').setStyle(ButtonStyle.Secondary))
          .toJSON(),
      ],
    });
    await answerOf('PATCH', `/channels/${ids.channel}/messages/${String(created['id'])}`, { content: 'edited' });
    await answerOf('POST', `/channels/${ids.channel}/messages`, {
      flags: MessageFlags.IsComponentsV2,
      components: [new ContainerBuilder().addTextDisplayComponents(new TextDisplayBuilder().setContent('**hello**')).toJSON()],
    });
  });

  test("the bot's reaction (204), and a message that carries reactions", async () => {
    const path = `/channels/${ids.channel}/messages/${ids.userMessage}/reactions/${encodeURIComponent('♻️')}/@me`;
    const response = await fetch(`${env.discord.apiUrl}/v10${path}`, {
      method: 'PUT',
      headers: { authorization: `Bot ${env.discord.botToken}` },
    });
    assert.equal(response.status, 204, await response.text());
    assert.ok(DiscordSpec.get().operation('PUT', path)?.responses.has('204'), 'the spec answers this route with 204');
    const message = await answerOf('GET', `/channels/${ids.channel}/messages/${ids.userMessage}`);
    assert.equal((message['reactions'] as unknown[]).length, 1);
  });

  test('command registration', async () => {
    const body = [{ name: 'find', description: 'find images', options: [{ type: 3, name: 'query', description: 'what', required: true }] }];
    await answerOf('PUT', `/applications/${env.discord.applicationId}/commands`, body);
    await answerOf('GET', `/applications/${env.discord.applicationId}/commands`);
  });

  test('an interaction callback with its response, the original reply and a follow-up', async () => {
    const { discord } = env;
    const interaction = await answered(
      async (i) => {
        const callback = await fetch(`${discord.apiUrl}/v10/interactions/${i.id}/${i.token}/callback?with_response=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ type: 4, data: { content: 'found 1', embeds: [{ title: '#1' }] } }),
        });
        assertMatchesSpec('POST', `/interactions/${i.id}/token/callback`, callback.status, await callback.json());
      },
      () => discord.invokeSlashCommand({ channelId: ids.channel, userId: ids.member, name: 'find' }),
    );
    const { token } = interaction;
    await answerOf('GET', `/webhooks/${discord.applicationId}/${token}/messages/@original`);
    await answerOf('PATCH', `/webhooks/${discord.applicationId}/${token}/messages/@original`, { content: 'found 2' });
    await answerOf('POST', `/webhooks/${discord.applicationId}/${token}`, { content: 'and one more', flags: MessageFlags.Ephemeral });
  });

  test("a button's answer names the message the button was on", async () => {
    const { discord } = env;
    const withButton = await answerOf('POST', `/channels/${ids.channel}/messages`, {
      content: 'page 1',
      components: [{ type: 1, components: [{ type: 2, style: 2, custom_id: 'more', label: 'More' }] }],
    });
    const interaction = await answered(
      (i) => (i.isButton() ? i.reply({ content: 'more', flags: MessageFlags.Ephemeral }) : Promise.resolve()),
      () => discord.pressButton({ userId: ids.member, messageId: String(withButton['id']), customId: 'more' }),
    );
    const { token } = interaction;
    const reply = await answerOf('GET', `/webhooks/${discord.applicationId}/${token}/messages/@original`);
    assert.equal((reply['interaction_metadata'] as { interacted_message_id?: string }).interacted_message_id, withButton['id']);
  });
});
