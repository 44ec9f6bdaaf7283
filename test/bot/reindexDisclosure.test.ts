import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import type { BotMessageRecord, FakeDiscord } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { historyRoute } from './reindexing.js';
import { indexChannel, postHistory, privateText, until } from './world.js';

/** Slows each history page of the walk watched, so that permissions can change while it runs. */
const PAGE_DELAY_MS = 300;

/**
 * What /reindex tells, and to whom: its progress names channels and counts messages, so it is
 * public only where everyone who sees it may read everything it walks, stops being public
 * when that changes, and never lets a name someone chose turn into markdown or a mention.
 */
interface ReindexWorld {
  guildId: string;
  adminId: string;
  /** Manage Server, and sees #no-history, but may not read its history. */
  managerId: string;
  photos: string;
  /** Only the admin and the bot are in it. */
  privateThread: string;
  noHistory: string;
  /** A public thread of #photos whose name is markdown, a link and a mention. */
  trickyThread: string;
  /** Readable by every member, until a test closes it. */
  closing: string;
  commands: string;
}

const TRICKY_NAME = '[free nitro](https://evil.example) @everyone **now** <@&1>';

function build(discord: FakeDiscord): ReindexWorld {
  const adminId = discord.createUser({ username: 'owner' }).id;
  const managerId = discord.createUser({ username: 'manager' }).id;
  const guild = discord.createGuild({ name: 'reindex disclosure', ownerId: adminId });
  const managers = discord.createRole(guild.id, { name: 'Managers', permissions: P.ManageGuild }).id;
  discord.addMember(guild.id, adminId);
  discord.addMember(guild.id, managerId, { roles: [managers] });
  discord.addMember(guild.id, discord.createUser({ username: 'member' }).id);
  const photos = discord.createChannel(guild.id, { name: 'photos' }).id;
  const privateThread = discord.createThread(photos, { name: 'admins only', private: true, members: [adminId, discord.botUser.id] }).id;
  const noHistory = discord.createChannel(guild.id, {
    name: 'no-history',
    permissionOverwrites: [
      { id: guild.id, type: 'role', deny: P.ReadMessageHistory },
      { id: discord.botUser.id, type: 'member', allow: P.ReadMessageHistory },
    ],
  }).id;
  const commands = discord.createChannel(guild.id, { name: 'bot-commands' }).id;
  const trickyThread = discord.createThread(commands, { name: TRICKY_NAME }).id;
  const closing = discord.createChannel(guild.id, { name: 'closing' }).id;
  return { guildId: guild.id, adminId, managerId, photos, privateThread, noHistory, trickyThread, closing, commands };
}

describe('what /reindex tells, and to whom', () => {
  let harness: BotUnderTest;
  let world: ReindexWorld;

  const reindex = (userId: string, channelId: string, options: Record<string, string> = {}) =>
    harness.discord.invokeSlashCommand({ channelId, userId, name: 'reindex', options });
  const publicPostsIn = (channelId: string): BotMessageRecord[] =>
    harness.discord.botMessagesIn(channelId).filter((message) => message.origin === 'channel' && !message.ephemeral);

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = build(discord)) });
    const admin = { channelId: world.commands, adminId: world.adminId };
    for (const channelId of [world.photos, world.noHistory, world.commands, world.closing]) await indexChannel(harness, admin, channelId);
  });
  after(() => harness.stop());

  test('a walk that includes a private thread shows its progress to the admin only, counting the thread there', async () => {
    await postHistory(harness.discord, world.privateThread, world.adminId, 30);
    await postHistory(harness.discord, world.photos, world.adminId, 10);
    const reply = await reindex(world.adminId, world.photos);
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, /Progress is shown here, to you only/);
    await until(
      () => /Finished reindexing #photos/.test(harness.discord.interactionReply(reply.interactionId).content),
      'the private progress to finish',
      40_000,
    );
    assert.match(
      harness.discord.interactionReply(reply.interactionId).content,
      /scanned 4\d messages/,
      'the admin sees the thread counted',
    );
    assert.deepEqual(publicPostsIn(world.photos), [], 'nothing was posted where the members read');
  });

  test("an admin who may not read a channel's history cannot reindex it, by name or from inside it", async () => {
    const named = await reindex(world.managerId, world.commands, { channel: world.noHistory });
    assert.equal(privateText(named), "I can't find that channel in this server.");
    const inside = await reindex(world.managerId, world.noHistory);
    assert.equal(
      privateText(inside),
      `You need Read Message History in <#${world.noHistory}> to reindex it: its progress tells what its history holds.`,
    );
    assert.deepEqual(publicPostsIn(world.noHistory), []);
    assert.deepEqual(publicPostsIn(world.commands), []);
  });

  test("a thread's name is shown as written in public progress: no link, no mention, no markdown", async () => {
    await postHistory(harness.discord, world.trickyThread, world.adminId, 3);
    await reindex(world.adminId, world.commands, { channel: world.trickyThread });
    const progress = await harness.discord.waitFor(
      () => publicPostsIn(world.commands).find((message) => /Finished reindexing/.test(message.versions.at(-1)!.content)),
      { what: 'the public progress of the thread to finish', timeoutMs: 120_000 },
    );
    for (const { content } of progress.versions) {
      assert.ok(content.includes('\\[free nitro\\]\\(https:\\/\\/evil.example\\) \\@everyone \\*\\*now\\*\\* \\<\\@&1\\>'), content);
      assert.doesNotMatch(content, /(?<!\\)\[|(?<!\\)@|(?<!\\)\*|https:\/\//);
    }
    const writes = harness.discord.requests.filter(
      (request) => request.method !== 'GET' && request.path.startsWith(`/api/v10/channels/${world.commands}/messages`),
    );
    assert.ok(writes.length > 0);
    for (const { body } of writes)
      assert.deepEqual((body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] }, 'mentions nobody');
  });

  test('public progress stops naming and counting once the walked channel is closed to some of its readers', async () => {
    await postHistory(harness.discord, world.closing, world.adminId, 250);
    harness.discord.delayResponses(PAGE_DELAY_MS, historyRoute(world.closing));
    try {
      await reindex(world.adminId, world.commands, { channel: world.closing });
      const progress = await harness.discord.waitFor(
        () => publicPostsIn(world.commands).find((message) => message.versions[0]!.content.includes('#closing')),
        {
          what: 'the public progress of #closing',
        },
      );
      harness.discord.updateChannel(world.closing, { permissionOverwrites: [{ id: world.guildId, type: 'role', deny: P.ViewChannel }] });
      await harness.discord.waitFor(() => /no longer shown here/.test(progress.versions.at(-1)!.content), {
        what: 'the progress to be withdrawn',
        timeoutMs: 120_000,
      });
      harness.discord.delayResponses(0);
      await until(() => !harness.bot.context.reindex.isRunning(world.guildId, world.closing), 'the walk to end');
      const last = progress.versions.at(-1)!.content;
      assert.equal(
        last,
        'Reindex progress is no longer shown here: not everyone who can read this channel can read the channel being reindexed.',
      );
    } finally {
      harness.discord.delayResponses(0);
    }
  });
});
