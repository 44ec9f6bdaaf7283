import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, findAll, indexChannel, postColours, shownChannels, shownNames, type SmallWorld } from './world.js';

/** Two servers that index the same colours: only file names and ids tell their images apart. */
const COLOURS = [
  { name: 'red', rgb: [220, 30, 30] as const },
  { name: 'green', rgb: [30, 160, 50] as const },
  { name: 'blue', rgb: [30, 60, 220] as const },
];

describe('each server sees only its own images', () => {
  let harness: BotUnderTest;
  let north: SmallWorld;
  let south: SmallWorld;
  const names = (prefix: string) => COLOURS.map(({ name }) => `${prefix}-${name}.png`);

  before(async () => {
    harness = await startBotUnderTest({
      setup: (discord) => {
        north = buildSmallWorld(discord, 'north');
        south = buildSmallWorld(discord, 'south');
      },
    });
    for (const [world, prefix] of [
      [north, 'north'],
      [south, 'south'],
    ] as const) {
      await indexChannel(harness, world);
      await postColours(
        harness,
        world.channelId,
        world.memberId,
        COLOURS.map(({ name, rgb }) => ({ name: `${prefix}-${name}`, rgb })),
      );
    }
  });
  after(() => harness.stop());

  /** The reply shows exactly `own`'s images and mentions nothing of `other`. */
  function assertOnly(reply: InteractionReply, own: SmallWorld, prefix: string, other: SmallWorld): void {
    assert.deepEqual(new Set(shownNames(reply)), new Set(names(prefix)));
    assert.deepEqual(new Set(shownChannels(reply)), new Set([own.channelId]));
    const text = JSON.stringify([reply.content, reply.embeds, reply.components, reply.mediaUrls]);
    for (const id of [other.guildId, other.channelId]) assert.ok(!text.includes(id), `the reply mentions the other server's ${id}`);
  }

  test('/find in each server shows that server images only', async () => {
    assertOnly(await findAll(harness, { channelId: north.channelId, userId: north.memberId }, 'red'), north, 'north', south);
    assertOnly(await findAll(harness, { channelId: south.channelId, userId: south.memberId }, 'red'), south, 'south', north);
  });

  test('20 interleaved searches in both servers at once never mix their results', async () => {
    const queries = ['red', 'green', 'blue', 'purple', 'white'];
    const runs = Array.from({ length: 20 }, (_, i) => {
      const [own, prefix, other] = i % 2 === 0 ? ([north, 'north', south] as const) : ([south, 'south', north] as const);
      const userId = i % 4 < 2 ? own.memberId : own.adminId;
      return findAll(harness, { channelId: own.channelId, userId }, queries[i % queries.length]!).then((reply) => ({
        reply,
        own,
        prefix,
        other,
      }));
    });
    for (const { reply, own, prefix, other } of await Promise.all(runs)) assertOnly(reply, own, prefix, other);
  });

  test("naming the other server's channel in /find shows nothing of it", async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: north.channelId,
      userId: north.adminId,
      name: 'find',
      options: { query: 'red', channel: south.channelId, count: 25 },
    });
    const messages = [reply.original, ...reply.followups].filter((message) => message !== null && !message.deleted);
    assert.ok(messages.length > 0);
    for (const message of messages) {
      assert.deepEqual(message!.mediaUrls, []);
      assert.ok(!JSON.stringify(message).includes('south-'));
    }
    assert.match(messages.at(-1)!.content, /no images you can see in that channel/);
  });
});
