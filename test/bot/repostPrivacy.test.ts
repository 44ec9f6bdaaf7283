import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildRepostWorld, jumpTo, noticesOf, postImage, reposts, setUpReposts, weatherPhoto, type RepostWorld } from './repostWorld.js';
import { indexChannel, shownNames, until } from './world.js';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * What repost notices and /reposts list may tell, through the real client: a ♻️, a reply or a
 * log post says that an image was posted before, so each is made only about an earlier copy that
 * everyone who reads where it appears can read too; /reposts list shows a member a repost only
 * when they can read both copies.
 */
describe('repost notices tell nobody of a channel they cannot read', () => {
  let harness: BotUnderTest;
  let world: RepostWorld;
  const notices = (messageId: string) => noticesOf(harness, world, messageId);

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildRepostWorld(discord)) });
    await setUpReposts(harness, world);
    // Images posted in the log channel itself: only its readers may hear of them.
    await indexChannel(harness, world, world.modLogId);
  });
  after(() => harness.stop());

  test('the log channel hears of an earlier copy its readers can all read, while the channel, whose readers cannot, is told nothing', async () => {
    const photo = await weatherPhoto(21);
    const original = await postImage(harness, world.modLogId, world.stafferId, photo, 'p21.jpg');
    const repost = await postImage(harness, world.memesId, world.memberId, photo, 'p21-again.jpg');
    const { reactions, replies, logPosts } = notices(repost);
    assert.deepEqual({ reactions, replies }, { reactions: [], replies: [] });
    assert.equal(logPosts.length, 1);
    assert.match(
      logPosts[0]!,
      new RegExp(`· earlier: ${escaped(jumpTo(world, world.modLogId, original))} \\(<t:\\d+:d>\\)$`),
      'the log post links the copy in the log channel',
    );
  });

  test("of a message's images, the notice is about one whose earlier copy everyone there can read", async () => {
    const [hidden, shown] = [await weatherPhoto(22), await weatherPhoto(23)];
    await postImage(harness, world.staffChannelId, world.stafferId, hidden, 'p22.jpg');
    const readable = await postImage(harness, world.quietId, world.memberId, shown, 'p23.jpg');
    const message = await harness.discord.postMessage(world.memesId, world.adminId, {
      attachments: [
        { filename: 'p22-again.jpg', data: hidden, contentType: 'image/jpeg' },
        { filename: 'p23-again.jpg', data: shown, contentType: 'image/jpeg' },
      ],
    });
    const ids = message.attachments.map((attachment) => `${message.id}:${attachment.id}`);
    await until(() => ids.every((id) => harness.engine.library.has(world.guildId, id)), 'both images indexed');
    await harness.bot.context.live.flush();
    const { reactions, replies } = notices(message.id);
    assert.equal(reactions.length, 1);
    assert.equal(replies.length, 1);
    assert.match(replies[0]!, new RegExp(`: ${escaped(jumpTo(world, world.quietId, readable))}$`));
    assert.ok(!replies[0]!.includes(world.staffChannelId));
  });

  test('/reposts list shows a member only reposts whose both copies they can read', async () => {
    // The staff channel is watched, so that a repost posted there is noticed.
    await reposts(harness, world, 'channel', { channel: world.staffChannelId, react: true });
    try {
      const photo = await weatherPhoto(24);
      await postImage(harness, world.quietId, world.memberId, photo, 'p24.jpg');
      await postImage(harness, world.staffChannelId, world.stafferId, photo, 'p24-again.jpg');
      const owner = shownNames(await reposts(harness, world, 'list'));
      assert.ok(owner.includes('p24-again.jpg') && owner.includes('p21-again.jpg'), owner.join());
      const mod = shownNames(await reposts(harness, world, 'list', {}, world.modId));
      assert.ok(!mod.includes('p24-again.jpg'), 'the repost is in the staff channel, which the mod cannot read');
      assert.ok(!mod.includes('p21-again.jpg'), 'the earlier copy is in the log channel, which the mod cannot read');
      assert.ok(mod.includes('p23-again.jpg'), mod.join());
    } finally {
      await reposts(harness, world, 'channel', { channel: world.staffChannelId, react: false });
    }
  });
});
