import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { allowSharing, pressShare, publicFollowups, showResult } from './sharing.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  buttonId,
  chooseResult,
  findAll,
  indexChannel,
  postColours,
  privateText,
  until,
  type SmallWorld,
} from './world.js';

const BLUE = [30, 60, 220] as const;
const RED = [220, 30, 30] as const;
const GREEN = [30, 160, 50] as const;

/**
 * Share posts an image publicly: only where the member may post images themselves, only when
 * everyone who reads the channel may read the image's channel, judged when the button is
 * pressed, never a private thread's image outside that thread, and the post mentions nobody
 * and cannot be turned into anything else.
 */
interface ShareWorld extends SmallWorld {
  /** Members read it but may not post there. */
  readOnlyId: string;
  /** A private thread of #photos with the member (and the bot) in it. */
  threadId: string;
  /** Open to everyone until a test closes it to all but the member. */
  closingId: string;
}

function build(discord: FakeDiscord): ShareWorld {
  const small = buildSmallWorld(discord);
  const readOnlyId = discord.createChannel(small.guildId, {
    name: 'read-only',
    permissionOverwrites: [{ id: small.guildId, type: 'role', deny: P.SendMessages }],
  }).id;
  const threadId = discord.createThread(small.channelId, {
    name: 'members only',
    private: true,
    members: [small.memberId, discord.botUser.id],
  }).id;
  const closingId = discord.createChannel(small.guildId, { name: 'closing' }).id;
  return { ...small, readOnlyId, threadId, closingId };
}

describe('Share, at its limits', () => {
  let harness: BotUnderTest;
  let world: ShareWorld;

  const publicPosts = (channelId: string) => publicFollowups(harness.discord, channelId);
  /** Show #n (of the image named) of a search by the member in `channelId`, then Share on it. */
  async function showThenShare(channelId: string, query: string, name: string, between?: () => Promise<void>) {
    const where = { channelId, userId: world.memberId };
    const shown = await showResult(harness, where, query, name);
    await between?.();
    return pressShare(harness, shown, where);
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = build(discord)) });
    for (const channelId of [world.channelId, world.readOnlyId, world.closingId]) await indexChannel(harness, world, channelId);
    await postColours(harness, world.channelId, world.memberId, [{ name: 'open-blue', rgb: BLUE }]);
    await postColours(harness, world.threadId, world.memberId, [{ name: 'thread-red', rgb: RED }]);
    await postColours(harness, world.closingId, world.memberId, [{ name: 'closing-green', rgb: GREEN }]);
    await allowSharing(harness, world);
  });
  after(() => harness.stop());

  test('is refused where the member may not post, though they may search and show there', async () => {
    const refused = await showThenShare(world.readOnlyId, 'blue', 'open-blue.png');
    assert.equal(privateText(refused), "You can't post images in this channel, so I won't share one here for you.");
    assert.deepEqual(publicPosts(world.readOnlyId), []);
  });

  test("a private thread's image is not shared in its parent channel, though the member sees it", async () => {
    const refused = await showThenShare(world.channelId, 'red', 'thread-red.png');
    assert.match(privateText(refused), new RegExp(`not everyone who can read this channel can read <#${world.threadId}>`));
    assert.deepEqual(publicPosts(world.channelId), []);
  });

  test('is judged when pressed: a channel closed to some since Show was opened is not shared from', async () => {
    const close = async () => {
      harness.discord.updateChannel(world.closingId, {
        permissionOverwrites: [
          { id: world.guildId, type: 'role', deny: P.ViewChannel },
          { id: world.memberId, type: 'member', allow: P.ViewChannel },
          { id: harness.discord.botUser.id, type: 'member', allow: P.ViewChannel },
        ],
      });
      await until(() => {
        const cached = harness.bot.client.channels.cache.get(world.closingId);
        return cached !== undefined && 'permissionOverwrites' in cached && cached.permissionOverwrites.cache.size === 3;
      }, 'the bot to hear of it');
    };
    const refused = await showThenShare(world.channelId, 'green', 'closing-green.png', close);
    assert.match(privateText(refused), new RegExp(`not everyone who can read this channel can read <#${world.closingId}>`));
    assert.deepEqual(publicPosts(world.channelId), []);
  });

  test('the shared post mentions nobody, and no control pressed on it changes it', async () => {
    const results = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'blue');
    const shown = await chooseResult(harness, results, { menu: 'Show', number: 1, userId: world.memberId, channelId: world.channelId });
    await harness.discord.pressButton({ userId: world.memberId, messageId: shown.original!.id, customId: buttonId(shown, 'Share') });
    const post = await harness.discord.waitFor(() => publicPosts(world.channelId)[0], { what: 'the shared post' });
    const request = harness.discord.requests.find(
      (candidate) =>
        candidate.method === 'POST' && candidate.path.includes('/webhooks/') && JSON.stringify(candidate.body).includes('shared an image'),
    );
    assert.deepEqual((request?.body as { allowed_mentions?: unknown }).allowed_mentions, { parse: [] });
    const session = buttonId(shown, 'Share').split(':')[1]!;
    for (const customId of [`results:${session}:page:0`, buttonId(shown, 'Share')]) {
      const reply = await harness.discord.pressButton({ userId: world.memberId, messageId: post.id, customId, forged: true });
      assert.equal(reply.ephemeral, true);
    }
    assert.equal(post.versions.length, 1, 'the shared post was never edited');
    assert.equal(publicPosts(world.channelId).length, 1, 'and nothing more was posted');
  });
});
