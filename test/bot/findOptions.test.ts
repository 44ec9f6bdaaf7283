import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationCommandOptionType, ChannelType } from 'discord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, privateText, shownChannels, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/** /find's date and channel options, at their edges. */
interface OptionsWorld extends SmallWorld {
  announcementsId: string;
  announcementThreadId: string;
}

function build(discord: FakeDiscord): OptionsWorld {
  const small = buildSmallWorld(discord);
  const announcementsId = discord.createChannel(small.guildId, { name: 'news', type: 'announcement' }).id;
  const announcementThreadId = discord.createThread(announcementsId, { name: 'news talk' }).id;
  return { ...small, announcementsId, announcementThreadId };
}

describe('/find options at their edges', () => {
  let harness: BotUnderTest;
  let world: OptionsWorld;

  const find = (options: Record<string, string | number>) =>
    harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red', ...options },
    });

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = build(discord)) });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.announcementsId);
    await postColours(harness, world.channelId, world.memberId, [{ name: 'channel-red', rgb: RED }]);
    await postColours(harness, world.announcementThreadId, world.memberId, [{ name: 'news-red', rgb: RED }]);
  });
  after(() => harness.stop());

  test('a date before the year 100 is that year, not 19xx', async () => {
    // Read as 1999, "after" would fall after "before" (1990) and be refused.
    const reply = await find({ after: '0099-06-01', before: '1990-01-01' });
    assert.doesNotMatch(privateText(reply), /must come before/);
    assert.match(privateText(reply), /No matching images found/);
    assert.ok(shownChannels(await find({ after: '0001-01-01' })).length > 0, 'everything is after the year 1');
  });

  test('a date that does not exist is refused', async () => {
    for (const after of ['2024-02-30', '2023-02-29', '0099-13-01'])
      assert.match(privateText(await find({ after })), /"after" must be a date like/, after);
  });

  test('the channel option offers announcement threads, and searches one', async () => {
    const registered = [...harness.discord.state.globalCommands.values()].find((command) => command.name === 'find')!;
    const option = registered.options!.find((candidate) => candidate.type === ApplicationCommandOptionType.Channel) as {
      channel_types?: number[];
    };
    assert.ok(option.channel_types?.includes(ChannelType.AnnouncementThread), JSON.stringify(option.channel_types));
    assert.deepEqual(shownChannels(await find({ channel: world.announcementThreadId })), [world.announcementThreadId]);
  });
});
