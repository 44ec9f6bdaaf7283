import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { PermissionFlagsBits } from 'discord.js';
import type { InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildCommandsWorld, channelWithHistory, historyRoute, runReindex, untilReindexEnded, type CommandsWorld } from './reindexing.js';
import {
  cdnDownloadsSince,
  historyReads,
  indexChannel,
  indexedIn,
  lastRequestSeq,
  postColours,
  postHistory,
  progressMessageIn,
  shownNames,
  until,
} from './world.js';

/** Slows each history page so a walk lasts long enough to be watched, stopped or interrupted. */
const PAGE_DELAY_MS = 300;

function historyIds(harness: BotUnderTest, channelId: string): string[] {
  return harness.discord.channelMessages(channelId).map((message) => message.id);
}

describe('/reindex, end to end', () => {
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)) });
  });
  after(() => harness.stop());

  test('indexes every image of 1,000 past messages exactly once, reading 100 at a time and showing progress', async () => {
    const { discord } = harness;
    const archive = await channelWithHistory(harness, world, 'archive', 1000);
    assert.deepEqual(
      indexedIn(harness, world.guildId, archive.channelId),
      [],
      'live indexing ignored messages posted before the channel was indexed',
    );
    discord.delayResponses(PAGE_DELAY_MS, historyRoute(archive.channelId));
    const since = lastRequestSeq(discord);

    const reply = await runReindex(harness.discord, world, archive.channelId);
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, new RegExp(`Started reindexing <#${archive.channelId}>`));
    const text = await untilReindexEnded(harness.discord, world, archive.name);
    discord.delayResponses(0, historyRoute(archive.channelId));

    assert.deepEqual(indexedIn(harness, world.guildId, archive.channelId), archive.images);
    assert.deepEqual(
      cdnDownloadsSince(discord, since).sort(),
      archive.images.map((id) => id.split(':')[1]).sort(),
      'each image was fetched once',
    );
    assert.match(text, /scanned 1,000 messages/);
    assert.match(text, new RegExp(`indexed ${archive.images.length.toLocaleString('en-US')} `));

    const reads = historyReads(discord, archive.channelId, since);
    const history = historyIds(harness, archive.channelId);
    assert.ok(reads.length >= 10, `expected at least 10 pages, got ${reads.length}`);
    assert.ok(
      reads.every((read) => read.query['limit'] === '100'),
      'every page asks for 100 messages',
    );
    assert.equal(reads[0]!.query['before'], undefined, 'the walk starts at the newest message');
    reads.slice(1, 10).forEach((read, i) => {
      assert.equal(read.query['before'], history[history.length - 100 * (i + 1)], `page ${i + 2} continues below page ${i + 1}`);
    });

    const progress = progressMessageIn(discord, world.commandsChannelId, archive.name)!;
    const edits = progress.versions.slice(1, -1);
    assert.ok(edits.length >= 2, `expected the progress message to be edited while running, saw ${progress.versions.length} versions`);
    assert.ok(edits.every((edit) => edit.content.startsWith('Reindexing')));
    for (let i = 1; i < edits.length; i++) {
      assert.ok(edits[i]!.at - edits[i - 1]!.at >= 1900, 'progress edits are at least 2 s apart');
    }
  });

  test('what is already indexed is skipped by a second full reindex', async () => {
    const again = await channelWithHistory(harness, world, 'again', 150);
    await runReindex(harness.discord, world, again.channelId);
    const first = await untilReindexEnded(harness.discord, world, again.name);
    assert.match(first, new RegExp(`indexed ${again.images.length} · skipped 0`));
    const firstId = progressMessageIn(harness.discord, world.commandsChannelId, again.name)!.id;

    const reply = await runReindex(harness.discord, world, again.channelId);
    assert.match(reply.content, /Started reindexing/, 'a finished walk starts over rather than resuming');
    const second = await untilReindexEnded(harness.discord, world, again.name, { after: firstId });
    assert.match(second, /scanned 150 messages/);
    assert.match(second, new RegExp(`indexed 0 · skipped ${again.images.length} · failed 0`));
    assert.deepEqual(indexedIn(harness, world.guildId, again.channelId), again.images);
  });

  test("a channel's reindex also walks its threads, active and archived", async () => {
    const channel = harness.discord.createChannel(world.guildId, { name: 'with-threads' });
    const active = harness.discord.createThread(channel.id, { name: 'active thread' });
    const archived = harness.discord.createThread(channel.id, { name: 'archived thread' });
    const images = [
      ...(await postHistory(harness.discord, active.id, world.memberId, 20)),
      ...(await postHistory(harness.discord, archived.id, world.memberId, 20)),
    ];
    harness.discord.setThreadArchived(archived.id, true);
    await indexChannel(harness, world, channel.id);
    const reply = await runReindex(harness.discord, world, channel.id);
    assert.match(reply.content, /and its 2 threads/);
    await until(() => images.every((id) => harness.engine.library.has(world.guildId, id)), 'the images of both threads indexed');
  });

  test("with Manage Threads, a channel's reindex walks its archived private threads too", async () => {
    const { discord } = harness;
    const channel = discord.createChannel(world.guildId, {
      name: 'private-threads',
      permissionOverwrites: [{ id: discord.botUser.id, type: 'member', allow: PermissionFlagsBits.ManageThreads }],
    });
    const hidden = discord.createThread(channel.id, { name: 'closed talk', private: true, members: [world.memberId] });
    const images = await postHistory(discord, hidden.id, world.memberId, 20);
    discord.setThreadArchived(hidden.id, true);
    await indexChannel(harness, world, channel.id);
    // After a restart the bot knows only active threads: the archived one must be listed from Discord.
    await harness.restart();
    assert.equal(harness.bot.client.channels.cache.has(hidden.id), false);
    const reply = await runReindex(harness.discord, world, channel.id);
    assert.match(reply.content, /and its 1 thread\./);
    assert.doesNotMatch(reply.content, /Manage Threads/);
    await until(() => images.every((id) => harness.engine.library.has(world.guildId, id)), 'the archived private thread indexed');
  });

  test('without Manage Threads, only the archived private threads the bot was added to are walked, and the reply says so', async () => {
    const { discord } = harness;
    const channel = discord.createChannel(world.guildId, { name: 'no-manage-threads' });
    const joined = discord.createThread(channel.id, { name: 'with the bot', private: true, members: [world.memberId, discord.botUser.id] });
    const closed = discord.createThread(channel.id, { name: 'without the bot', private: true, members: [world.memberId] });
    const joinedImages = await postHistory(discord, joined.id, world.memberId, 20);
    const closedImages = await postHistory(discord, closed.id, world.memberId, 20);
    discord.setThreadArchived(joined.id, true);
    discord.setThreadArchived(closed.id, true);
    await indexChannel(harness, world, channel.id);
    const reply = await runReindex(harness.discord, world, channel.id);
    assert.match(reply.content, /and its 1 thread\./);
    assert.match(reply.content, /Archived private threads I wasn't added to are not included: give my role Manage Threads/);
    assert.match(reply.content, /Progress is shown here, to you only/, 'the walk holds a private thread: its progress is not public');
    await until(
      () => /Finished reindexing #no-manage-threads/.test(harness.discord.interactionReply(reply.interactionId).content),
      'the walk to finish',
      40_000,
    );
    assert.ok(joinedImages.every((id) => harness.engine.library.has(world.guildId, id)));
    assert.ok(closedImages.every((id) => !harness.engine.library.has(world.guildId, id)));
  });

  for (const kind of ['forum', 'media'] as const) {
    test(`/reindex of a ${kind} channel walks its posts, active and archived`, async () => {
      const { discord } = harness;
      const channel = discord.createChannel(world.guildId, { name: `${kind}-posts`, type: kind });
      const post = (name: string) =>
        discord.createThread(channel.id, { name, ownerId: world.memberId, message: { content: `${name}, see below` } });
      const open = post('open post');
      const archived = post('archived post');
      const images = [
        ...(await postHistory(discord, open.id, world.memberId, 20)),
        ...(await postHistory(discord, archived.id, world.memberId, 20)),
      ];
      discord.setThreadArchived(archived.id, true);
      await indexChannel(harness, world, channel.id);
      const reply = await runReindex(harness.discord, world, channel.id);
      assert.match(reply.content, new RegExp(`Started reindexing <#${channel.id}> and its 2 posts\\.`));
      const text = await untilReindexEnded(harness.discord, world, `${kind}-posts`);
      assert.match(text, /scanned 42 messages/, 'both posts, their starter messages included');
      assert.ok(images.every((id) => harness.engine.library.has(world.guildId, id)));
    });
  }

  test('/reindex stop:true stops a running walk, and /reindex resumes it where it stopped', async () => {
    const { discord } = harness;
    const paused = await channelWithHistory(harness, world, 'paused', 600);
    const route = historyRoute(paused.channelId);
    discord.delayResponses(PAGE_DELAY_MS, route);
    await runReindex(harness.discord, world, paused.channelId);
    await until(() => indexedIn(harness, world.guildId, paused.channelId).length > 0, 'the first page to be indexed');

    const stopReply = await runReindex(harness.discord, world, paused.channelId, { stop: true });
    const scanned = Number(/Stopped reindexing <#\d+> after (\d+) messages/.exec(stopReply.content)?.[1]);
    assert.ok(scanned > 0 && scanned < 600, `stopped mid-way: ${stopReply.content}`);
    const stoppedAt = lastRequestSeq(discord);
    const stoppedProgress = progressMessageIn(discord, world.commandsChannelId, paused.name)!;
    assert.match(stoppedProgress.content, new RegExp(`^Stopped reindexing #paused · scanned ${scanned} messages`));
    await sleep(3 * PAGE_DELAY_MS);
    assert.deepEqual(historyReads(discord, paused.channelId, stoppedAt), [], 'no page is read after the stop');
    const indexedWhenStopped = indexedIn(harness, world.guildId, paused.channelId);
    assert.ok(indexedWhenStopped.length < paused.images.length);

    const resumeReply = await runReindex(harness.discord, world, paused.channelId);
    assert.match(resumeReply.content, /Resumed reindexing/);
    const text = await untilReindexEnded(harness.discord, world, paused.name, { after: stoppedProgress.id });
    discord.delayResponses(0, route);
    const history = historyIds(harness, paused.channelId);
    assert.equal(
      historyReads(discord, paused.channelId, stoppedAt)[0]?.query['before'],
      history[history.length - scanned],
      'the walk continues below the last message it queued',
    );
    assert.match(text, /scanned 600 messages/);
    assert.deepEqual(indexedIn(harness, world.guildId, paused.channelId), paused.images);
  });

  test('an admin who runs /reindex again on a walk under way sees its progress in the newest reply only', async () => {
    const { discord } = harness;
    const watched = await channelWithHistory(harness, world, 'watched', 600);
    const route = historyRoute(watched.channelId);
    // Slow enough pages that the walk is still under way while the admin asks three times.
    discord.delayResponses(1000, route);
    await runReindex(discord, world, watched.channelId);
    const replies: InteractionReply[] = [];
    for (let i = 0; i < 3; i++) replies.push(await runReindex(discord, world, watched.channelId));
    discord.delayResponses(0, route);
    for (const reply of replies) assert.match(reply.content, /is already being reindexed/);
    await untilReindexEnded(discord, world, watched.name);
    const newest = replies.at(-1)!;
    await until(
      () => /Finished reindexing #watched/.test(discord.interactionReply(newest.interactionId).content),
      'the newest reply to show the end',
    );
    for (const earlier of replies.slice(0, -1)) {
      assert.doesNotMatch(
        discord.interactionReply(earlier.interactionId).content,
        /Finished/,
        'an earlier reply no longer follows the walk',
      );
    }
  });

  test('a walk that failed on a Discord error resumes with /reindex, and the error is no longer shown', async () => {
    const { discord } = harness;
    const flaky = await channelWithHistory(harness, world, 'flaky', 300);
    const route = historyRoute(flaky.channelId);
    discord.delayResponses(PAGE_DELAY_MS, route);
    await runReindex(harness.discord, world, flaky.channelId);
    await until(() => indexedIn(harness, world.guildId, flaky.channelId).length > 0, 'the first page to be indexed');
    discord.injectFault({ route, method: 'GET', status: 500, times: 10 });
    await until(
      () => /^Reindexing failed/.test(progressMessageIn(discord, world.commandsChannelId, flaky.name)?.content ?? ''),
      'the walk to fail',
    );
    const failed = progressMessageIn(discord, world.commandsChannelId, flaky.name)!;
    assert.match(failed.content, /\n.*run \/reindex again/, 'the failure says what to do');
    assert.doesNotMatch(failed.content, /permission/, 'a Discord server error is not blamed on permissions');
    discord.clearFaults();

    const reply = await runReindex(harness.discord, world, flaky.channelId);
    assert.match(reply.content, /Resumed reindexing/);
    const text = await untilReindexEnded(harness.discord, world, flaky.name, { after: failed.id });
    assert.doesNotMatch(text, /\n/, `the finished walk shows no stale error: ${text}`);
    assert.match(text, /scanned 300 messages/);
    assert.deepEqual(indexedIn(harness, world.guildId, flaky.channelId), flaky.images);
  });

  test("the bot's own messages are not indexed (its search results show others' images)", async () => {
    const shared = harness.discord.createChannel(world.guildId, { name: 'shared' });
    await indexChannel(harness, world, shared.id);
    const posted = await postColours(harness, shared.id, world.memberId, [
      { name: 'red', rgb: [220, 30, 30] },
      { name: 'blue', rgb: [30, 60, 220] },
    ]);
    const results = await harness.discord.invokeSlashCommand({
      channelId: shared.id,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.ok(shownNames(results).length > 0, 'the search posted its results in the channel');

    await runReindex(harness.discord, world, shared.id);
    const text = await untilReindexEnded(harness.discord, world, 'shared');
    assert.deepEqual(indexedIn(harness, world.guildId, shared.id), posted.sort());
    assert.match(text, /indexed 0 · skipped 2/);
  });

  test('a channel whose history the bot can no longer read is refused, saying which permission is missing', async () => {
    const { discord } = harness;
    const locked = await channelWithHistory(harness, world, 'locked', 5);
    discord.updateChannel(locked.channelId, {
      permissionOverwrites: [{ id: discord.botUser.id, type: 'member', deny: PermissionFlagsBits.ReadMessageHistory }],
    });
    await until(() => {
      const channel = harness.bot.client.channels.cache.get(locked.channelId);
      return channel !== undefined && 'permissionOverwrites' in channel && channel.permissionOverwrites.cache.has(discord.botUser.id);
    }, 'the bot to see the new permissions');
    const since = lastRequestSeq(discord);
    const reply = await runReindex(harness.discord, world, locked.channelId);
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, /Read Message History/);
    assert.equal(progressMessageIn(discord, world.commandsChannelId, locked.name), undefined);
    assert.deepEqual(historyReads(discord, locked.channelId, since), []);
  });

  test('run where the bot cannot post, /reindex shows its progress privately instead', async () => {
    const { discord } = harness;
    const quiet = discord.createChannel(world.guildId, {
      name: 'quiet',
      permissionOverwrites: [{ id: discord.botUser.id, type: 'member', deny: PermissionFlagsBits.SendMessages }],
    });
    const small = await channelWithHistory(harness, world, 'small', 20);
    const reply = await discord.invokeSlashCommand({
      channelId: quiet.id,
      userId: world.adminId,
      name: 'reindex',
      options: { channel: small.channelId },
    });
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, /Started reindexing/);
    assert.doesNotMatch(reply.content, /Progress is shown in the message/);
    await until(
      () => /Finished reindexing #small/.test(discord.interactionReply(reply.interactionId).content),
      'the private progress to finish',
    );
    assert.equal(indexedIn(harness, world.guildId, small.channelId).length, small.images.length);
  });

  test('a channel that is not indexed is refused, privately', async () => {
    const elsewhere = harness.discord.createChannel(world.guildId, { name: 'elsewhere' });
    const since = lastRequestSeq(harness.discord);
    const reply = await runReindex(harness.discord, world, elsewhere.id);
    assert.equal(reply.ephemeral, true);
    assert.match(reply.content, new RegExp(`<#${elsewhere.id}> is not indexed\\. Add it first with \`/channels add\``));
    assert.equal(progressMessageIn(harness.discord, world.commandsChannelId, 'elsewhere'), undefined);
    assert.deepEqual(historyReads(harness.discord, elsewhere.id, since), []);
  });
});

describe('/reindex across a restart', () => {
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)) });
  });
  after(() => harness.stop());

  /** Starts a walk of a new channel, with slow pages, and shuts the bot down once it has done some of it: what it had indexed and scanned then. */
  async function interruptedWalk(name: string, count: number) {
    const channel = await channelWithHistory(harness, world, name, count);
    const route = historyRoute(channel.channelId);
    harness.discord.delayResponses(PAGE_DELAY_MS, route);
    await runReindex(harness.discord, world, channel.channelId);
    await until(() => indexedIn(harness, world.guildId, channel.channelId).length > 0, 'some images to be indexed');
    await harness.stopBot();
    const indexedWhenStopped = indexedIn(harness, world.guildId, channel.channelId);
    assert.ok(indexedWhenStopped.length < channel.images.length, 'the walk was stopped mid-way');
    const progress = progressMessageIn(harness.discord, world.commandsChannelId, name)!.content;
    const scanned = Number(/scanned ([\d,]+) messages/.exec(progress)?.[1]?.replace(/,/g, ''));
    return { ...channel, route, indexedWhenStopped, scanned };
  }

  /** Reads of the walk (catch-up's forward reads left out). */
  function walkReads(channelId: string, sinceSeq?: number) {
    return historyReads(harness.discord, channelId, sinceSeq).filter((read) => read.query['after'] === undefined);
  }

  test('a walk interrupted by a shutdown continues from its stored cursor and ends with each image once', async () => {
    const walk = await interruptedWalk('big', 1000);
    const readsBefore = walkReads(walk.channelId);
    const stoppedAt = lastRequestSeq(harness.discord);
    await harness.startBotAgain();
    const text = await untilReindexEnded(harness.discord, world, walk.name);
    harness.discord.delayResponses(0, walk.route);

    // What was queued before the shutdown was indexed and its cursor stored; the walk goes on below the last message queued.
    const history = historyIds(harness, walk.channelId);
    const expectedCursor = history[history.length - walk.scanned];
    assert.ok(readsBefore.length > 0 && walk.scanned > 0);
    assert.equal(walkReads(walk.channelId, stoppedAt)[0]?.query['before'], expectedCursor);
    const above = new Set(history.slice(history.length - walk.scanned));
    assert.deepEqual(
      walk.indexedWhenStopped,
      walk.images.filter((id) => above.has(id.split(':')[0]!)),
      'exactly the images above the cursor were in when the bot stopped',
    );
    assert.match(text, /scanned 1,000 messages/);
    assert.deepEqual(indexedIn(harness, world.guildId, walk.channelId), walk.images);
  });

  test('/reindex run while the bot is still catching up after a start continues the walk once, not twice', async () => {
    const { discord } = harness;
    const walk = await interruptedWalk('twice', 400);
    // A slow catch-up holds back the automatic resume, so the admin's /reindex comes first.
    discord.delayResponses(1500, walk.route);
    const since = lastRequestSeq(discord);
    await harness.startBotAgain();
    const reply = await runReindex(harness.discord, world, walk.channelId);
    assert.match(reply.content, /Resumed reindexing/);
    discord.delayResponses(0, walk.route);
    const text = await untilReindexEnded(harness.discord, world, walk.name);
    await sleep(1000); // time for a second walk, if one had been started, to show itself

    const befores = walkReads(walk.channelId, since).map((read) => read.query['before']);
    assert.equal(new Set(befores).size, befores.length, `each page is read once: ${befores.join(', ')}`);
    assert.match(text, /scanned 400 messages/);
    assert.deepEqual(indexedIn(harness, world.guildId, walk.channelId), walk.images);
  });
});
