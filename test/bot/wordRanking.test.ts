import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { solidColourImage, type Rgb } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildStaffWorld, indexChannel, shownNames, shownText, until, type StaffWorld } from './world.js';

/**
 * `/find` by words ranks by what the member may see, through the real client: how rare a word
 * is and how long texts are (BM25) are measured over the images they can read, so images in a
 * channel hidden from them, however many hold the query's words, change nothing they are shown.
 */
describe('/find ranks word matches by what the member can read', () => {
  let harness: BotUnderTest;
  let world: StaffWorld;

  /** An image posted with `text` as its message; resolves once it is indexed. */
  async function post(channelId: string, userId: string, file: string, rgb: Rgb, text: string): Promise<void> {
    const message = await harness.discord.postMessage(channelId, userId, {
      content: text,
      attachments: [{ filename: file, data: await solidColourImage(rgb), contentType: 'image/png' }],
    });
    const id = `${message.id}:${message.attachments[0]!.id}`;
    await until(() => harness.engine.library.has(world.guildId, id), `${file} indexed`);
  }

  const find = (userId: string, query: string, match: string) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'find', options: { query, match, count: 25 } });

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildStaffWorld(discord)) });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await post(world.channelId, world.memberId, 'short.png', [200, 30, 30], 'wombat');
    await post(world.channelId, world.memberId, 'long.png', [30, 30, 200], 'wombat wombat wombat and seven other words in this message');
    await post(world.channelId, world.memberId, 'hat.png', [30, 200, 30], 'a hat');
  });
  after(() => harness.stop());

  test('images in a channel the member cannot read, full of the words sought, change nothing the member is shown', async () => {
    const queries = [
      ['wombat', 'words'],
      ['wombat hat', 'words'],
      ['wombat hat', 'both'],
    ] as const;
    const shown = async () =>
      Promise.all(
        queries.map(async ([query, match]) => {
          const reply = await find(world.memberId, query, match);
          return { query, match, names: shownNames(reply), text: shownText(reply) };
        }),
      );
    const before = await shown();
    assert.deepEqual(new Set(before[0]!.names), new Set(['short.png', 'long.png']));
    for (let i = 0; i < 12; i++) {
      const text = `wombat ${'and so many other words on this one '.repeat(1 + (i % 3))}`;
      await post(world.staffChannelId, world.stafferId, `staff-${i}.png`, [100 + i * 10, 100, 100], text);
    }
    assert.deepEqual(await shown(), before);
    assert.ok(shownNames(await find(world.stafferId, 'wombat', 'words')).includes('staff-0.png'), 'a member of staff finds them');
  });
});
