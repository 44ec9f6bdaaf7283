import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { photoMeme } from '../fixtures/memes/memeImages.js';
import { repostCopy } from '../fixtures/repostCopies.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildRepostWorld, noticesOf, postImage, reposts, setUpReposts, weatherPhoto, type RepostWorld } from './repostWorld.js';

const CAPTION: [string, string] = ['ONE DOES NOT SIMPLY', 'WALK INTO THE CAT'];
const OTHER_CAPTION: [string, string] = ['WHEN THE WIFI IS DOWN', 'AND THE CAT IS ALL YOU HAVE'];

/** Two memes on one weather photo: the caption, and another caption on the same template. */
async function template(photoIndex: number): Promise<{ meme: Buffer; otherCaption: Buffer }> {
  const photo = await weatherPhoto(photoIndex);
  return {
    meme: await photoMeme(photo, 600, { lines: CAPTION, font: 'anton', ink: 'white' }),
    otherCaption: await photoMeme(photo, 600, { lines: OTHER_CAPTION, font: 'anton', ink: 'white' }),
  };
}

/**
 * Live repost checks and the words in images: with OCR on, a watched channel's check waits for the
 * words, so another caption on a meme template (flipped or not) is not called a repost while the
 * same meme saved again is; with OCR off the pixels decide (the known limit). Mirrored reposts of
 * pictures without words are noticed either way.
 */
describe('reposts on Discord, with the words in images and mirrored copies', () => {
  let harness: BotUnderTest;
  let world: RepostWorld;
  const recycled = () => [{ emoji: '♻️', userIds: [harness.discord.botUser.id] }];
  const reactionsOn = (messageId: string) => noticesOf(harness, world, messageId).reactions;
  const wordsInImages = (on: boolean) =>
    harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'settings',
      options: { 'words-in-images': on },
    });

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildRepostWorld(discord)) });
    await setUpReposts(harness, world);
  });
  after(() => harness.stop());

  describe('with words in images on', () => {
    before(async () => {
      assert.match((await wordsInImages(true)).content, /Words in images are read: \*\*on\*\*/);
    });
    after(async () => {
      await wordsInImages(false);
    });

    test('/reposts status no longer warns that two captions on one template count as copies', async () => {
      const status = await reposts(harness, world, 'status');
      assert.match(status.content, /^Repost checks/);
      assert.doesNotMatch(status.content, /Words in images are off/);
    });

    test('another caption on the same meme template is not a repost', async () => {
      const { meme, otherCaption } = await template(20);
      await postImage(harness, world.quietId, world.memberId, meme, 'template.jpg');
      const other = await postImage(harness, world.memesId, world.stafferId, otherCaption, 'other-caption.jpg');
      const id = harness.engine.library.idsOfMessage(world.guildId, other)[0]!;
      assert.equal(harness.engine.library.words.isRead(world.guildId, id), true, 'the check waited for its words');
      assert.deepEqual(reactionsOn(other), []);
    });

    test('the same meme saved again is a repost', async () => {
      const { meme } = await template(21);
      await postImage(harness, world.quietId, world.memberId, meme, 'meme.jpg');
      const again = await postImage(harness, world.memesId, world.stafferId, await repostCopy(meme, 'low-quality-jpeg'), 'meme-again.jpg');
      assert.deepEqual(reactionsOn(again), recycled());
    });

    test('a template flipped left to right under another caption is not a repost', async () => {
      const photo = await weatherPhoto(26);
      const { meme } = await template(26);
      await postImage(harness, world.quietId, world.memberId, meme, 'meme.jpg');
      const flippedTemplate = await photoMeme(await repostCopy(photo, 'mirrored'), 600, {
        lines: OTHER_CAPTION,
        font: 'anton',
        ink: 'white',
      });
      const flipped = await postImage(harness, world.memesId, world.stafferId, flippedTemplate, 'flipped-template.jpg');
      assert.deepEqual(reactionsOn(flipped), []);
    });

    test('a photo without words flipped left to right is a repost', async () => {
      const photo = await weatherPhoto(0);
      await postImage(harness, world.quietId, world.memberId, photo, 'photo.jpg');
      const flipped = await postImage(harness, world.memesId, world.stafferId, await repostCopy(photo, 'mirrored'), 'flipped.jpg');
      assert.deepEqual(reactionsOn(flipped), recycled());
    });
  });

  describe('with words in images off', () => {
    test('another caption on the same meme template is taken for a repost (the known limit)', async () => {
      const { meme, otherCaption } = await template(23);
      await postImage(harness, world.quietId, world.memberId, meme, 'template.jpg');
      const other = await postImage(harness, world.memesId, world.stafferId, otherCaption, 'other-caption.jpg');
      assert.deepEqual(reactionsOn(other), recycled());
    });

    test('a photo flipped left to right is a repost', async () => {
      const photo = await weatherPhoto(24);
      await postImage(harness, world.quietId, world.memberId, photo, 'photo.jpg');
      const flipped = await postImage(harness, world.memesId, world.stafferId, await repostCopy(photo, 'mirrored'), 'flipped.jpg');
      assert.deepEqual(reactionsOn(flipped), recycled());
    });
  });
});
