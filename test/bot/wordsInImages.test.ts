import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flatMeme } from '../fixtures/memes/memeImages.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, resultLines, shownNames, shownText, until, type SmallWorld } from './world.js';

/** A meme whose two lines hold `word`, posted with a message text and a file name that say nothing of it. */
async function postMeme(
  harness: BotUnderTest,
  where: { channelId: string; userId: string; guildId: string },
  word: string,
  file: string,
): Promise<string> {
  const data = await flatMeme([40, 40, 140], 560, 360, { lines: ['NOBODY EXPECTS THE', word.toUpperCase()], font: 'anton', ink: 'white' });
  const message = await harness.discord.postMessage(where.channelId, where.userId, {
    content: 'friday mood',
    attachments: [{ filename: file, data, contentType: 'image/jpeg' }],
  });
  const id = `${message.id}:${message.attachments[0]!.id}`;
  const { library } = harness.engine;
  await until(
    () => library.has(where.guildId, id) && library.words.get(where.guildId, id) !== undefined,
    `${file} indexed with its words`,
    30_000,
  );
  return id;
}

/** The file names `/find query match:words` shows a member. */
async function foundByWords(harness: BotUnderTest, where: { channelId: string; userId: string }, query: string): Promise<string[]> {
  const reply = await harness.discord.invokeSlashCommand({ ...where, name: 'find', options: { query, match: 'words', count: 25 } });
  return shownNames(reply);
}

/** The bot's OCR follows each server's "words in images" switch (/settings), from start-up on. */
describe('/settings words-in-images', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  const member = () => ({ channelId: world.channelId, userId: world.memberId, guildId: world.guildId });
  const settings = (options: Record<string, boolean> = {}) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'settings', options });
  const isRead = (id: string) => harness.engine.library.words.isRead(world.guildId, id);

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
  });
  after(() => harness.stop());

  test('off by default: a meme is found by its message text and file name, not by the words in it', async () => {
    assert.match((await settings()).content, /Words in images are read: \*\*off\*\*/);
    const id = await postMeme(harness, member(), 'armadillo', 'IMG_0007.jpg');
    await harness.engine.library.ocr.idle();
    assert.equal(isRead(id), false, 'nothing read it');
    assert.deepEqual(await foundByWords(harness, member(), 'armadillo'), []);
    assert.deepEqual(await foundByWords(harness, member(), 'friday'), ['IMG_0007.jpg']);
    assert.deepEqual(await foundByWords(harness, member(), 'img_0007'), ['IMG_0007.jpg']);
  });

  test('switched on, a meme posted then is found by the word in it; one posted before is read by /reindex', async () => {
    const earlier = await postMeme(harness, member(), 'narwhal', 'IMG_0008.jpg');
    const reply = await settings({ 'words-in-images': true });
    assert.match(reply.content, /Words in images are read: \*\*on\*\*/);
    assert.match(reply.content, /Images posted before are read when you run `\/reindex`/);
    const id = await postMeme(harness, member(), 'wombat', 'IMG_0009.jpg');
    await until(() => isRead(id), 'the new meme read');
    assert.deepEqual(await foundByWords(harness, member(), 'wombat'), ['IMG_0009.jpg']);
    assert.deepEqual(await foundByWords(harness, member(), 'narwhal'), [], 'an earlier meme waits for /reindex');
    await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'reindex',
      options: { channel: world.channelId },
    });
    await until(() => isRead(earlier), 'the earlier meme read by /reindex');
    assert.deepEqual(await foundByWords(harness, member(), 'narwhal'), ['IMG_0008.jpg']);
  });

  test('the switch holds after a restart', async () => {
    await settings({ 'words-in-images': true });
    await harness.restart();
    const id = await postMeme(harness, member(), 'capybara', 'IMG_0010.jpg');
    await until(() => isRead(id), 'the meme read after the restart');
    assert.deepEqual(await foundByWords(harness, member(), 'capybara'), ['IMG_0010.jpg']);
  });

  test('switched off again, new memes are no longer read', async () => {
    assert.match((await settings({ 'words-in-images': false })).content, /Words in images are read: \*\*off\*\*/);
    const id = await postMeme(harness, member(), 'lighthouse', 'IMG_0011.jpg');
    await harness.engine.library.ocr.idle();
    assert.equal(isRead(id), false);
    assert.deepEqual(await foundByWords(harness, member(), 'lighthouse'), []);
  });

  test('a result found by its words names them; one found by meaning alone does not', async () => {
    const both = await harness.discord.invokeSlashCommand({ ...member(), name: 'find', options: { query: 'wombat', count: 25 } });
    assert.equal(shownNames(both)[0], 'IMG_0009.jpg', 'the image holding the word ranks first');
    assert.match(shownText(both).split('\n')[3]!, /^-# matched words: `WOMBAT`$/);
    const meaning = await harness.discord.invokeSlashCommand({
      ...member(),
      name: 'find',
      options: { query: 'wombat', match: 'meaning', count: 25 },
    });
    assert.equal(resultLines(meaning).length, shownNames(meaning).length);
    assert.doesNotMatch(shownText(meaning), /matched words/);
  });
});
