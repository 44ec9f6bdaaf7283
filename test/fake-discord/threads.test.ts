import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChannelType,
  DiscordAPIError,
  GatewayIntentBits as I,
  PermissionFlagsBits as P,
  type ForumChannel,
  type TextChannel,
} from 'discord.js';
import { startFakeDiscordWithClient, type FakeDiscordWithClient } from './index.js';

/** Threads as Discord serves them: membership answered live, archived listings by permission, forum and media posts. */
describe('fake Discord threads', () => {
  let env: FakeDiscordWithClient;
  const ids = { guild: '', member: '', text: '', managed: '', media: '', joined: '', notJoined: '', publicArchived: '' };

  before(async () => {
    env = await startFakeDiscordWithClient({
      // The bot's intents: no Server Members, so no word of others joining or leaving threads.
      intents: [I.Guilds, I.GuildMessages],
      setup: (discord) => {
        const guild = discord.createGuild({ name: 'threads' });
        const member = discord.createUser({ username: 'member' }).id;
        discord.addMember(guild.id, member);
        const text = discord.createChannel(guild.id, { name: 'text' }).id;
        const managed = discord.createChannel(guild.id, {
          name: 'managed',
          permissionOverwrites: [{ id: discord.botUser.id, type: 'member', allow: P.ManageThreads }],
        }).id;
        const joined = discord.createThread(text, {
          name: 'joined',
          private: true,
          members: [member, discord.botUser.id],
          archived: true,
        }).id;
        const notJoined = discord.createThread(text, { name: 'not joined', private: true, members: [member], archived: true }).id;
        discord.createThread(managed, { name: 'managed private', private: true, members: [member], archived: true });
        const publicArchived = discord.createThread(text, { name: 'public', archived: true }).id;
        const media = discord.createChannel(guild.id, { name: 'media', type: 'media' }).id;
        Object.assign(ids, { guild: guild.id, member, text, managed, media, joined, notJoined, publicArchived });
      },
    });
  });
  after(() => env.stop());

  test('a removed thread member reads as Unknown Member over REST, and no event reaches a bot without Server Members', async () => {
    const { discord, client } = env;
    const thread = discord.createThread(ids.text, { name: 'live', private: true, members: [ids.member, discord.botUser.id] });
    await discord.waitFor(() => client.channels.cache.get(thread.id), { what: 'the thread at the client' });
    const live = client.channels.cache.get(thread.id);
    assert.ok(live?.isThread());
    assert.equal((await live.members.fetch({ member: ids.member, force: true })).id, ids.member);
    let events = 0;
    client.on('threadMembersUpdate', () => events++);
    discord.removeThreadMember(thread.id, ids.member);
    await assert.rejects(
      live.members.fetch({ member: ids.member, force: true }),
      (error: unknown) => error instanceof DiscordAPIError && error.code === 10007,
    );
    assert.equal(events, 0);
    assert.ok(live.members.cache.has(ids.member), "the client's cache still lists them: only Discord knows");
  });

  test('archived private threads: all of them with Manage Threads, else only those the bot joined', async () => {
    const text = env.client.channels.cache.get(ids.text) as TextChannel;
    const joined = await text.threads.fetchArchived({ type: 'private' });
    assert.deepEqual([...joined.threads.keys()], [ids.joined]);
    await assert.rejects(
      text.threads.fetchArchived({ type: 'private', fetchAll: true }),
      (error: unknown) => error instanceof DiscordAPIError && error.status === 403,
    );
    const managed = env.client.channels.cache.get(ids.managed) as TextChannel;
    assert.equal((await managed.threads.fetchArchived({ type: 'private', fetchAll: true })).threads.size, 1);
    const publicOnes = await text.threads.fetchArchived({ type: 'public' });
    assert.deepEqual([...publicOnes.threads.keys()], [ids.publicArchived]);
  });

  test('archived listings are paged with limit and before', async () => {
    const { discord, client } = env;
    const channel = discord.createChannel(ids.guild, { name: 'many' });
    for (let n = 0; n < 5; n++) discord.createThread(channel.id, { name: `old ${n}`, archived: true });
    await discord.waitFor(() => client.channels.cache.get(channel.id), { what: 'the channel at the client' });
    const text = client.channels.cache.get(channel.id) as TextChannel;
    const first = await text.threads.fetchArchived({ type: 'public', limit: 3 });
    assert.equal(first.threads.size, 3);
    assert.equal(first.hasMore, true);
    const second = await text.threads.fetchArchived({ type: 'public', limit: 3, before: first.threads.last()! });
    assert.equal(second.hasMore, false);
    assert.deepEqual(new Set([...first.threads.keys(), ...second.threads.keys()]).size, 5, 'the two pages hold all five, once each');
  });

  test('a media channel holds posts: threads opened by a starter message sharing their id', async () => {
    const { discord, client } = env;
    const post = discord.createThread(ids.media, { name: 'a post', message: { content: 'look' } });
    assert.equal(discord.channelMessages(post.id)[0]!.id, post.id);
    const media = client.channels.cache.get(ids.media) as ForumChannel;
    assert.equal(media.type, ChannelType.GuildMedia);
    assert.throws(() => discord.createThread(ids.media, { name: 'no starter' }), /needs a starter/);
  });
});
