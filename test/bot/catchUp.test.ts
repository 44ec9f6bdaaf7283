import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { historyRoute } from './reindexing.js';
import {
  buildSmallWorld,
  cdnDownloadsSince,
  historyReads,
  indexChannel,
  indexedIn,
  lastRequestSeq,
  postColours,
  postHistory,
  shownNames,
  until,
  type SmallWorld,
} from './world.js';

const RED = { name: 'red', rgb: [220, 30, 30] as const };
const GREEN = { name: 'green', rgb: [30, 160, 50] as const };
const BLUE = { name: 'blue', rgb: [30, 60, 220] as const };

describe('catching up after downtime, end to end', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  test('images posted while the bot was down are indexed when it starts, read from its stored cursor', async () => {
    const { discord } = harness;
    await indexChannel(harness, world);
    const live = [
      ...(await postColours(harness, world.channelId, world.memberId, [RED])),
      ...(await postColours(harness, world.channelId, world.memberId, [GREEN, BLUE])),
    ];
    const lastSeen = discord.channelMessages(world.channelId).at(-1)!.id;

    await harness.stopBot();
    const whileDown = await postHistory(discord, world.channelId, world.memberId, 150);
    const since = lastRequestSeq(discord);
    await harness.startBotAgain();
    await until(
      () => whileDown.every((id) => harness.engine.library.has(world.guildId, id)),
      'images posted during downtime to be indexed',
    );

    assert.deepEqual(indexedIn(harness, world.guildId, world.channelId), [...live, ...whileDown].sort());
    const reads = historyReads(discord, world.channelId, since);
    assert.equal(reads[0]?.query['after'], lastSeen, 'catch-up starts after the last message seen before the downtime');
    const history = discord.channelMessages(world.channelId).map((message) => message.id);
    assert.equal(reads[1]?.query['after'], history[history.indexOf(lastSeen) + 100], 'and pages forward, 100 at a time');
    const downloaded = new Set(cdnDownloadsSince(discord, since));
    assert.ok(
      live.every((id) => !downloaded.has(id.split(':')[1]!)),
      'images indexed before the downtime are not fetched again',
    );
  });

  test('a channel indexed while still empty catches up on what was posted in it while the bot was down', async () => {
    const { discord } = harness;
    const fresh = discord.createChannel(world.guildId, { name: 'fresh' });
    await indexChannel(harness, world, fresh.id);

    await harness.stopBot();
    const whileDown = await postHistory(discord, fresh.id, world.memberId, 20);
    await harness.startBotAgain();
    await until(
      () => whileDown.every((id) => harness.engine.library.has(world.guildId, id)),
      'images posted during downtime to be indexed',
    );
    assert.deepEqual(indexedIn(harness, world.guildId, fresh.id), whileDown.sort());
  });

  test('a live image in a channel not yet caught up does not make catch-up skip what was posted during downtime', async () => {
    const { discord } = harness;
    const later = discord.createChannel(world.guildId, { name: 'later' });
    await indexChannel(harness, world, later.id);
    await postColours(harness, later.id, world.memberId, [RED]);

    await harness.stopBot();
    const whileDown = await postHistory(discord, later.id, world.memberId, 20);
    // Catch-up goes channel by channel: holding up the first one leaves #later waiting its turn.
    const firstRoute = historyRoute(world.channelId);
    discord.delayResponses(1500, firstRoute);
    const since = lastRequestSeq(discord);
    await harness.startBotAgain();
    await until(() => historyReads(discord, world.channelId, since).length > 0, 'catch-up of the first channel to begin');
    assert.deepEqual(historyReads(discord, later.id, since), [], '#later is caught up after the first channel');
    const [liveImage] = await postColours(harness, later.id, world.memberId, [GREEN]);
    discord.delayResponses(0, firstRoute);

    await until(
      () => whileDown.every((id) => harness.engine.library.has(world.guildId, id)),
      'images posted during downtime to be indexed',
    );
    assert.ok(harness.engine.library.has(world.guildId, liveImage!));
  });

  test('while Discord fails the catch-up of a channel, an interrupted walk resumes, and the channel is caught up a little later without a restart', async () => {
    const { discord } = harness;
    const flaky = discord.createChannel(world.guildId, { name: 'flaky-catch-up' });
    await indexChannel(harness, world, flaky.id);
    await postColours(harness, flaky.id, world.memberId, [RED]);
    const lastSeen = discord.channelMessages(flaky.id).at(-1)!.id;
    const walked = discord.createChannel(world.guildId, { name: 'walked' });
    const history = await postHistory(discord, walked.id, world.memberId, 300);
    await indexChannel(harness, world, walked.id);
    discord.delayResponses(300, historyRoute(walked.id));
    await discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'reindex',
      options: { channel: walked.id },
    });
    await until(() => indexedIn(harness, world.guildId, walked.id).length > 0, 'the walk to index some images');
    await harness.stopBot();
    discord.delayResponses(0, historyRoute(walked.id));
    assert.ok(indexedIn(harness, world.guildId, walked.id).length < history.length, 'precondition: the walk was interrupted');

    const whileDown = await postHistory(discord, flaky.id, world.memberId, 20);
    // Every attempt discord.js makes at the first catch-up read of #flaky-catch-up fails.
    discord.injectFault({ route: historyRoute(flaky.id), method: 'GET', status: 500, times: 4 });
    const since = lastRequestSeq(discord);
    await harness.startBotAgain();
    await until(() => discord.requests.some((request) => request.seq > since && request.fault === 'server-error'), 'the catch-up to fail');
    await until(() => indexedIn(harness, world.guildId, walked.id).length === history.length, 'the walk to resume and finish');
    await until(
      () => whileDown.every((id) => harness.engine.library.has(world.guildId, id)),
      'images posted during downtime to be indexed after all',
      60_000,
    );
    const catchUpReads = historyReads(discord, flaky.id, since).filter((read) => read.query['after'] === lastSeen);
    assert.ok(catchUpReads.length > 4, 'the catch-up was tried again from where it stood');
    assert.deepEqual(indexedIn(harness, world.guildId, flaky.id).length, whileDown.length + 1);
  });

  test('a thread of an indexed channel catches up on what was posted in it while the bot was down', async () => {
    const { discord } = harness;
    const thread = discord.createThread(world.channelId, { name: 'holiday photos' });
    await until(() => harness.bot.client.channels.cache.has(thread.id), 'the bot to see the thread');

    await harness.stopBot();
    const whileDown = await postHistory(discord, thread.id, world.memberId, 10);
    await harness.startBotAgain();
    await until(
      () => whileDown.every((id) => harness.engine.library.has(world.guildId, id)),
      'images posted in the thread during downtime to be indexed',
    );
    assert.deepEqual(indexedIn(harness, world.guildId, thread.id), whileDown.sort());
  });

  test('a deleted message disappears from /find results and from the index', async () => {
    const { discord } = harness;
    const gallery = discord.createChannel(world.guildId, { name: 'gallery' });
    await indexChannel(harness, world, gallery.id);
    const [red] = await postColours(harness, gallery.id, world.memberId, [{ name: 'scarlet', rgb: RED.rgb }]);
    await postColours(harness, gallery.id, world.memberId, [{ name: 'navy', rgb: BLUE.rgb }]);
    const find = () =>
      discord.invokeSlashCommand({
        channelId: gallery.id,
        userId: world.memberId,
        name: 'find',
        options: { query: 'red', channel: gallery.id },
      });
    assert.equal(shownNames(await find())[0], 'scarlet.png');

    await discord.deleteMessage(red!.split(':')[0]!);
    await until(() => !harness.engine.library.has(world.guildId, red!), 'the deleted image to leave the index');
    const names = shownNames(await find());
    assert.ok(!names.includes('scarlet.png'), `results after the deletion: ${names.join(', ')}`);
    assert.ok(names.includes('navy.png'));
  });
});
