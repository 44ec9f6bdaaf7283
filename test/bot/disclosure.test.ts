import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { indexChannel, postColours, postHistory, privateText, until } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * What the bot says besides results, and to whom: counts, channel names, progress, and
 * answers about channels named in options must tell nobody about channels they cannot read.
 */
interface DisclosureWorld {
  guildId: string;
  adminId: string;
  memberId: string;
  /** Manage Server, but no access to the staff channel. */
  managerId: string;
  open: string;
  staff: string;
  commands: string;
  privateThread: string;
  otherGuildChannel: string;
}

function build(discord: FakeDiscord): DisclosureWorld {
  const adminId = discord.createUser({ username: 'owner' }).id;
  const memberId = discord.createUser({ username: 'member' }).id;
  const managerId = discord.createUser({ username: 'manager' }).id;
  const guild = discord.createGuild({ name: 'disclosure', ownerId: adminId });
  const managers = discord.createRole(guild.id, { name: 'Managers', permissions: P.ManageGuild }).id;
  discord.addMember(guild.id, adminId);
  discord.addMember(guild.id, memberId);
  discord.addMember(guild.id, managerId, { roles: [managers] });
  const open = discord.createChannel(guild.id, { name: 'open' }).id;
  const staff = discord.createChannel(guild.id, {
    name: 'staff-secret',
    permissionOverwrites: [
      { id: guild.id, type: 'role', deny: P.ViewChannel },
      { id: discord.botUser.id, type: 'member', allow: P.ViewChannel },
    ],
  }).id;
  const commands = discord.createChannel(guild.id, { name: 'bot-commands' }).id;
  const privateThread = discord.createThread(open, { name: 'admins only', private: true, members: [adminId, discord.botUser.id] }).id;
  const other = discord.createGuild({ name: 'another server', ownerId: discord.createUser({ username: 'other-owner' }).id });
  const otherGuildChannel = discord.createChannel(other.id, { name: 'other-photos' }).id;
  return { guildId: guild.id, adminId, memberId, managerId, open, staff, commands, privateThread, otherGuildChannel };
}

describe('what the bot tells whom', () => {
  let harness: BotUnderTest;
  let world: DisclosureWorld;

  const run = (
    userId: string,
    name: string,
    extra: { subcommand?: string; options?: Record<string, string | number | boolean>; channelId?: string } = {},
  ) => harness.discord.invokeSlashCommand({ channelId: extra.channelId ?? world.commands, userId, name, ...extra });
  /** Everything a reply showed, in every version, as one string. */
  const everything = (reply: InteractionReply) => JSON.stringify([reply.original?.versions, reply.followups, reply.components]);

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = build(discord)) });
    const admin = { channelId: world.commands, adminId: world.adminId };
    await indexChannel(harness, admin, world.open);
    await indexChannel(harness, admin, world.staff);
    await postColours(harness, world.open, world.memberId, [
      { name: 'open-1', rgb: RED },
      { name: 'open-2', rgb: RED },
    ]);
    await postColours(harness, world.staff, world.adminId, [
      { name: 'staff-1', rgb: RED },
      { name: 'staff-2', rgb: RED },
      { name: 'staff-3', rgb: RED },
    ]);
    await postColours(harness, world.privateThread, world.adminId, [{ name: 'thread-1', rgb: RED }]);
  });
  after(() => harness.stop());

  test('/stats shows a member only the channels they can read, and totals of those only', async () => {
    const reply = await run(world.memberId, 'stats');
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, /\*\*2 images\*\* indexed in the channels you can read/);
    assert.match(reply.content, new RegExp(`<#${world.open}>: 2`));
    for (const hidden of [world.staff, world.privateThread]) assert.ok(!reply.content.includes(hidden), `mentions ${hidden}`);
    assert.doesNotMatch(reply.content, /Failed images|Queue/, 'server-wide counts are for admins');
  });

  test('/stats shows members with Manage Server every channel and the whole total', async () => {
    const reply = await run(world.adminId, 'stats');
    assert.match(reply.content, /\*\*6 images\*\* indexed in this server/);
    for (const channelId of [world.open, world.staff, world.privateThread]) assert.match(reply.content, new RegExp(`<#${channelId}>`));
    assert.match(reply.content, /Failed images: 0/);
  });

  test("/reindex of a channel the command channel's readers cannot all read shows progress to the admin only", async () => {
    const history = await postHistory(harness.discord, world.staff, world.adminId, 30);
    const reply = await run(world.adminId, 'reindex', { options: { channel: world.staff } });
    assert.equal(reply.ephemeral, true);
    const finished = await until(
      () => /Finished reindexing #staff-secret/.test(harness.discord.interactionReply(reply.interactionId).content),
      'the private progress to say the walk finished',
      40_000,
    ).then(() => harness.discord.interactionReply(reply.interactionId));
    assert.match(finished.content, new RegExp(`Started reindexing <#${world.staff}>`));
    assert.ok(history.every((id) => harness.engine.library.has(world.guildId, id)));
    const publicPosts = harness.discord.botMessagesIn(world.commands).filter((message) => message.origin === 'channel');
    assert.deepEqual(publicPosts, [], 'nothing about the staff channel was posted in the open channel');
  });

  test('/reindex of a channel run in that channel itself may show its progress there', async () => {
    const reply = await run(world.adminId, 'reindex', { channelId: world.staff });
    assert.match(reply.content, /Progress is shown in the message I posted in this channel/);
    await until(
      () => harness.discord.botMessagesIn(world.staff).some((message) => message.origin === 'channel'),
      'the progress message in the staff channel',
    );
  });

  test("another server's channel is refused by every command that takes a channel, with the answer for one that does not exist", async () => {
    const added = await run(world.adminId, 'channels', { subcommand: 'add', options: { channel: world.otherGuildChannel } });
    assert.equal(privateText(added), "I can't find that channel in this server.");
    assert.ok(
      !(await harness.bot.context.guildState.settings.indexedChannels(world.guildId)).has(world.otherGuildChannel),
      'nothing was stored',
    );
    const removed = await run(world.adminId, 'channels', { subcommand: 'remove', options: { channel: world.otherGuildChannel } });
    assert.equal(privateText(removed), "I can't find that channel in this server.");
    const reindexed = await run(world.adminId, 'reindex', { options: { channel: world.otherGuildChannel } });
    assert.equal(privateText(reindexed), "I can't find that channel in this server.");
    const found = await run(world.adminId, 'find', { options: { query: 'red', channel: world.otherGuildChannel } });
    assert.equal(privateText(found), 'There are no images you can see in that channel.');
  });

  test('a channel the invoker cannot see gets the same answer as one in another server (no oracle)', async () => {
    const removed = await run(world.managerId, 'channels', { subcommand: 'remove', options: { channel: world.staff } });
    assert.equal(privateText(removed), "I can't find that channel in this server.");
    assert.ok(
      (await harness.bot.context.guildState.settings.indexedChannels(world.guildId)).has(world.staff),
      'the staff channel is still indexed',
    );
    const reindexed = await run(world.managerId, 'reindex', { options: { channel: world.staff } });
    assert.equal(privateText(reindexed), "I can't find that channel in this server.");
    const found = await run(world.memberId, 'find', { options: { query: 'red', channel: world.staff } });
    assert.equal(privateText(found), 'There are no images you can see in that channel.');
    const thread = await run(world.memberId, 'find', { options: { query: 'red', channel: world.privateThread } });
    assert.equal(privateText(thread), 'There are no images you can see in that channel.');
  });

  test('a search that finds nothing says nothing about channels the member cannot read', async () => {
    const withImages = await run(world.memberId, 'find', { options: { query: 'red', after: '2999-01-01' } });
    const emptyGuild = harness.discord.createGuild({ name: 'empty', ownerId: world.adminId });
    const emptyChannel = harness.discord.createChannel(emptyGuild.id, { name: 'nothing' }).id;
    harness.discord.addMember(emptyGuild.id, world.memberId);
    await until(() => harness.bot.client.guilds.cache.has(emptyGuild.id), 'the bot to join the empty server');
    const nothing = await run(world.memberId, 'find', { channelId: emptyChannel, options: { query: 'red' } });
    assert.equal(withImages.content.split('\n')[1], nothing.content.split('\n')[1]);
    assert.ok(!everything(withImages).includes(world.staff));
  });
});
