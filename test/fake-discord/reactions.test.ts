import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { DiscordAPIError, GatewayIntentBits as I, PermissionFlagsBits as P, type MessageReaction, type TextChannel } from 'discord.js';
import { startFakeDiscordWithClient, type FakeDiscordWithClient } from './index.js';

/** The bot's own reactions, as Discord takes them: permissions, emojis, and the message that carries them. */
describe('fake Discord reactions', () => {
  let env: FakeDiscordWithClient;
  let guildId = '';
  let userId = '';
  let channelId = '';

  before(async () => {
    env = await startFakeDiscordWithClient({
      intents: [I.Guilds, I.GuildMessages, I.MessageContent, I.GuildMessageReactions],
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'g' });
        userId = discord.createUser({ username: 'dana' }).id;
        discord.addMember(guild.id, userId);
        guildId = guild.id;
        channelId = discord.createChannel(guild.id, { name: 'memes' }).id;
      },
    });
  });
  after(() => env?.stop());

  /** A member's message in a channel, as the bot's client reads it. */
  async function postedIn(channel: string) {
    const posted = await env.discord.postMessage(channel, userId, { content: 'react to me' });
    const fetched = await (env.client.channels.cache.get(channel) as TextChannel).messages.fetch(posted.id);
    return { posted, fetched };
  }

  const refusal = (status: number, code: number) => (error: unknown) =>
    error instanceof DiscordAPIError && error.status === status && error.code === code;

  test('a reaction is kept on the message, reaches sessions with the reactions intent, and reads back with `me`', async () => {
    const { posted, fetched } = await postedIn(channelId);
    const heard = once(env.client, 'messageReactionAdd') as Promise<[MessageReaction]>;
    await fetched.react('♻️');
    assert.deepEqual(env.discord.getMessage(posted.id).reactions, [{ emoji: '♻️', userIds: [env.discord.botUser.id] }]);
    assert.equal((await heard)[0].emoji.name, '♻️');
    const again = await fetched.fetch(true);
    const reaction = again.reactions.cache.get('♻️');
    assert.deepEqual([reaction?.count, reaction?.me], [1, true]);
  });

  test('reacting twice with the same emoji counts once', async () => {
    const { posted, fetched } = await postedIn(channelId);
    await fetched.react('👍');
    await fetched.react('👍');
    assert.deepEqual(env.discord.getMessage(posted.id).reactions, [{ emoji: '👍', userIds: [env.discord.botUser.id] }]);
  });

  test('a custom emoji the server does not have is an Unknown Emoji (10014)', async () => {
    const { fetched } = await postedIn(channelId);
    await assert.rejects(fetched.react('party:123456789012345678'), refusal(400, 10014));
  });

  test('without Add Reactions, a new emoji is refused with 50013', async () => {
    const noReactions = env.discord.createChannel(guildId, {
      name: 'no-reactions',
      permissionOverwrites: [{ id: guildId, type: 'role', deny: P.AddReactions }],
    });
    await env.client.channels.fetch(noReactions.id);
    const { posted, fetched } = await postedIn(noReactions.id);
    await assert.rejects(fetched.react('♻️'), refusal(403, 50013));
    assert.deepEqual(env.discord.getMessage(posted.id).reactions, []);
  });

  test('without Read Message History, any reaction is refused with 50013', async () => {
    const noHistory = env.discord.createChannel(guildId, {
      name: 'no-history',
      permissionOverwrites: [{ id: guildId, type: 'role', deny: P.ReadMessageHistory }],
    });
    const channel = (await env.client.channels.fetch(noHistory.id)) as TextChannel;
    const posted = await env.discord.postMessage(noHistory.id, userId, { content: 'unread' });
    await assert.rejects(channel.messages.react(posted.id, '♻️'), refusal(403, 50013));
  });

  test('a deleted message is an Unknown Message (10008)', async () => {
    const { posted, fetched } = await postedIn(channelId);
    await env.discord.deleteMessage(posted.id);
    await assert.rejects(fetched.react('♻️'), refusal(404, 10008));
  });
});
