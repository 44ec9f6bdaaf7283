import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, chooseResult, findAll, indexChannel, postColours, type SmallWorld } from './world.js';

/** A file name longer than Discord lets an image's description be, with an emoji where it is cut. */
const LONG_NAME = `${'a'.repeat(1020)}🌈${'b'.repeat(500)}`;

/** The descriptions of the images in a reply's galleries. */
function galleryDescriptions(reply: InteractionReply): string[] {
  type Node = { type?: number; components?: Node[]; items?: Array<{ description?: string }> };
  const walk = (nodes: Node[]): Node[] => nodes.flatMap((node) => [node, ...walk(node.components ?? [])]);
  return walk((reply.components ?? []) as Node[])
    .filter((node) => node.type === 12)
    .flatMap((gallery) => gallery.items ?? [])
    .map((item) => item.description ?? '');
}

describe('an image with a very long file name', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [{ name: LONG_NAME, rgb: [200, 40, 40] }]);
  });
  after(() => harness.stop());

  test('is shown on a results page and by Show #n, its description cut to 1024 characters, whole characters only', async () => {
    const results = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const shown = await chooseResult(harness, results, { menu: 'Show', number: 1, userId: world.memberId, channelId: world.channelId });
    for (const reply of [results, shown]) {
      const [description] = galleryDescriptions(reply);
      assert.ok(description !== undefined && description.length <= 1024, `${description?.length} characters`);
      assert.ok(description.endsWith('…'), 'says it was cut');
      assert.doesNotMatch(description, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no half of an emoji');
    }
  });
});
