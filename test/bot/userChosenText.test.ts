import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { solidColourImage } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, shownText, type SmallWorld } from './world.js';

/** A file name someone chose that Discord keeps as it is (it turns most other marks into `_`), underlined in markdown. */
const TRICKY_FILE = '__free__nitro__.png';
const ESCAPED_FILE = '\\_\\_free\\_\\_nitro\\_\\_.png';

/**
 * Text other people chose (file names, queries) is shown as written in the bot's replies: it
 * never becomes a link, emphasis or a mention of its own.
 */
describe('text someone chose, in the bot replies', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [{ name: 'red', rgb: [220, 30, 30] }]);
  });
  after(() => harness.stop());

  const heading = (text: string) => text.split('\n')[0]!;

  test("'Find similar images' on someone else's file names it as written", async () => {
    const data = await solidColourImage([220, 30, 30]);
    const message = await harness.discord.postMessage(world.channelId, world.adminId, {
      attachments: [
        { filename: TRICKY_FILE, data, contentType: 'image/png' },
        { filename: 'second.png', data, contentType: 'image/png' },
      ],
    });
    const reply = await harness.discord.invokeMessageContextMenu({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'Find similar images',
      targetMessageId: message.id,
    });
    const title = heading(shownText(reply));
    assert.ok(title.endsWith(`(the first of its 2 images, ${ESCAPED_FILE})`), title);
  });

  test('/similar names the given file as written', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'similar',
      attachments: { image: { filename: TRICKY_FILE, data: await solidColourImage([220, 30, 30]), contentType: 'image/png' } },
    });
    const title = heading(shownText(reply));
    assert.equal(title, `### Images like ${ESCAPED_FILE}`);
  });

  test('/find shows the query as written', async () => {
    // Short: the test model reads few tokens.
    const query = '**red**[x](y)@z';
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query },
    });
    const title = heading(shownText(reply));
    assert.equal(title, '### Results for "\\*\\*red\\*\\*\\[x\\]\\(y\\)\\@z"');
  });
});
