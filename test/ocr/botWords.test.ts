import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from '../bot/botHarness.js';
import { buildSmallWorld, indexChannel, until, type SmallWorld } from '../bot/world.js';
import { flatMeme } from '../fixtures/memes/memeImages.js';

/** The real bot with OCR=on, through the loopback Discord; what it indexed is asked of its engine. */
describe('the bot with OCR on indexes the words in and around an uploaded image', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  let imageId: string;
  let messageId: string;

  before(async () => {
    harness = await startBotUnderTest({ env: { OCR: 'on' }, setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    const meme = await flatMeme([90, 20, 20], 520, 340, {
      lines: ['NOBODY EXPECTS THE ARMADILLO', 'NOT EVEN THE TEACHER'],
      font: 'bangers',
      ink: 'white',
    });
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      content: 'friday mood',
      attachments: [{ filename: 'IMG_0042.jpg', data: meme, contentType: 'image/jpeg', description: 'a cartoon lizard' }],
    });
    messageId = message.id;
    imageId = `${message.id}:${message.attachments[0]!.id}`;
    await until(() => harness.engine.library.words.isRead(world.guildId, imageId), 'the text in the image read');
  });
  after(() => harness.stop());

  const foundBy = async (query: string) =>
    (await harness.engine.library.search(world.guildId, { text: query, mode: 'words', limit: 5 })).map((hit) => hit.image.id);

  test('the text in it, the message, the file name and the alt text are all words of the image', async () => {
    for (const query of ['armadillo', 'friday', 'img_0042', 'lizard']) assert.deepEqual(await foundBy(query), [imageId], query);
  });

  test('an edited message brings its new words; what OCR read stays', async () => {
    await harness.discord.editMessage(messageId, { content: 'monday mood' });
    await until(() => harness.engine.library.words.get(world.guildId, imageId)?.messageText === 'monday mood', 'the edit indexed');
    assert.deepEqual(await foundBy('friday'), []);
    assert.deepEqual(await foundBy('monday'), [imageId]);
    assert.deepEqual(await foundBy('armadillo'), [imageId]);
  });
});
