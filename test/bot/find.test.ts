import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, resultLines, shownNames, shownText, type SmallWorld } from './world.js';

const RED = { name: 'red', rgb: [220, 30, 30] as const };
const GREEN = { name: 'green', rgb: [30, 160, 50] as const };
const BLUE = { name: 'blue', rgb: [30, 60, 220] as const };

describe('/find, end to end', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [GREEN, RED, BLUE]);
  });
  after(() => harness.stop());

  test('an uploaded image is found by its description, first, with a jump link', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.equal(reply.ephemeral, true, 'results are private to the searcher');
    assert.ok(reply.respondedAfterMs! < 3000);
    assert.equal(shownNames(reply)[0], 'red.png');
    assert.match(
      resultLines(reply)[0]!,
      new RegExp(`^\\*\\*#1\\*\\* .*\\(https://discord.com/channels/${world.guildId}/${world.channelId}/\\d+\\)$`),
    );
    assert.match(shownText(reply), /Results for "red"/);
  });

  test('an empty query gets a private message saying what to do', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: '   ' },
    });
    assert.equal(reply.followups.at(-1)?.ephemeral ?? reply.ephemeral, true);
    const text = reply.followups.at(-1)?.versions.at(-1)?.content ?? reply.content;
    assert.match(text, /Tell me what to look for/);
  });
});
