import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlAsBytes, solidColourImage } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, shownNames, privateText, shownText, type SmallWorld } from './world.js';

const RED = { name: 'red', rgb: [220, 30, 30] as const };
const GREEN = { name: 'green', rgb: [30, 160, 50] as const };
const BLUE = { name: 'blue', rgb: [30, 60, 220] as const };
const YELLOW = { name: 'yellow', rgb: [240, 220, 30] as const };

describe('/similar and "Find similar images", end to end', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [GREEN, RED]);
    await postColours(harness, world.channelId, world.memberId, [BLUE]);
  });
  after(() => harness.stop());

  const similar = (
    options: Parameters<BotUnderTest['discord']['invokeSlashCommand']>[0]['options'],
    attachments?: Record<string, { filename: string; data: Buffer; contentType?: string }>,
  ) => harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.memberId, name: 'similar', options, attachments });

  test('an attached image finds the indexed image it looks like first', async () => {
    const reply = await similar(
      {},
      { image: { filename: 'query.png', data: await solidColourImage(BLUE.rgb, { width: 50, height: 40 }), contentType: 'image/png' } },
    );
    assert.equal(reply.ephemeral, true, 'results are private to the searcher');
    assert.equal(shownNames(reply)[0], 'blue.png');
    assert.match(shownText(reply), /Images like query\.png/);
  });

  test('a link to an image on the CDN works like an attachment', async () => {
    const message = harness.discord.channelMessages(world.channelId).find((m) => m.attachments[0]?.filename === 'green.png')!;
    const reply = await similar({ url: message.attachments[0]!.url });
    assert.equal(shownNames(reply)[0], 'green.png');
  });

  test('neither or both of image and url is explained privately', async () => {
    assert.match(privateText(await similar({})), /either an image .* or a link/);
  });

  test('an attachment that is not an image is explained privately and nothing breaks', async () => {
    const reply = await similar({}, { image: { filename: 'page.png', data: await htmlAsBytes(), contentType: 'image/png' } });
    assert.match(privateText(reply), /couldn't use that image: The file is not an image/);
    const after = await similar({}, { image: { filename: 'q.png', data: await solidColourImage(RED.rgb), contentType: 'image/png' } });
    assert.equal(shownNames(after)[0], 'red.png');
  });

  test('a link to a private network address is refused', async () => {
    const reply = await similar({ url: 'http://10.0.0.1/cat.png' });
    assert.match(privateText(reply), /private network address/);
  });

  test('the message menu uses the first image of a message and says which when there are several', async () => {
    const ids = await postColours(harness, world.channelId, world.memberId, [YELLOW, RED]);
    const messageId = ids[0]!.split(':')[0]!;
    const reply = await harness.discord.invokeMessageContextMenu({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'Find similar images',
      targetMessageId: messageId,
    });
    assert.equal(shownNames(reply)[0], 'yellow.png');
    assert.match(shownText(reply), /the first of its 2 images, yellow\.png/);
  });

  test('the message menu on a message without an image explains privately', async () => {
    const message = await harness.discord.postMessage(world.channelId, world.memberId, { content: 'just words' });
    const reply = await harness.discord.invokeMessageContextMenu({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'Find similar images',
      targetMessageId: message.id,
    });
    assert.match(privateText(reply), /has no image/);
  });
});
