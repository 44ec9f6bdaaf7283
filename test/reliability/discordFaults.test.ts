import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from '../bot/botHarness.js';
import {
  buildCommandsWorld,
  channelWithHistory,
  historyRoute,
  runReindex,
  untilReindexEnded,
  type CommandsWorld,
} from '../bot/reindexing.js';
import {
  duplicatesIn,
  imagesPostedIn,
  indexChannel,
  indexedIn,
  lastRequestSeq,
  postImageMessages,
  storedRecordIds,
  until,
} from '../bot/world.js';

/**
 * Discord misbehaving while the bot works: rate limits and server errors during a
 * /reindex, and the gateway dropping (resumable or not) while images are being posted.
 * Whatever happens, every image posted ends up in the index exactly once.
 */

/** Answers the fake gave with an injected fault since request `sinceSeq`. */
function faultAnswers(discord: FakeDiscord, kind: 'rate-limit' | 'server-error', sinceSeq: number): number {
  return discord.requests.filter((request) => request.seq > sinceSeq && request.fault === kind).length;
}

/**
 * The index holds exactly `expected` for the guild: as the bot sees it, and in the store
 * (a separate read of it), where no record may appear twice and none may be unreadable.
 */
async function assertIndexedOnce(harness: BotUnderTest, guildId: string, channelId: string, expected: readonly string[]): Promise<void> {
  assert.deepEqual(indexedIn(harness, guildId, channelId), [...expected].sort());
  const stored = await storedRecordIds(harness.config.storeUrl, guildId);
  assert.deepEqual(stored.problems, []);
  assert.deepEqual(duplicatesIn(stored.ids), [], 'no record is stored twice');
  const inChannel = new Set(expected);
  const storedHere = stored.ids.filter((id) => inChannel.has(id));
  assert.equal(storedHere.length, expected.length, 'every image of the channel is in the store');
}

describe('Discord faults during a /reindex', () => {
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)) });
  });
  after(() => harness.stop());

  /** Runs /reindex on a channel, does `duringWalk` while it walks, and returns the text its progress message ends with. */
  async function reindexToTheEnd(channelId: string, name: string, duringWalk: () => Promise<void>): Promise<string> {
    assert.match((await runReindex(harness.discord, world, channelId)).content, /Started reindexing/);
    await duringWalk();
    return untilReindexEnded(harness.discord, world, name);
  }

  test('storms of 429s on history reads and progress edits: the walk waits each one out and indexes every image once', async () => {
    const { discord } = harness;
    const channel = await channelWithHistory(harness, world, 'storm', 500);
    const route = historyRoute(channel.channelId);
    discord.delayResponses(50, route);
    const since = lastRequestSeq(discord);
    // One storm on the first page, more part-way through the walk, on its pages and on its progress message.
    discord.injectFault({ route, method: 'GET', status: 429, times: 4, retryAfterMs: 250 });
    const text = await reindexToTheEnd(channel.channelId, 'storm', async () => {
      await until(() => indexedIn(harness, world.guildId, channel.channelId).length > 0, 'the first page to be indexed');
      discord.injectFault({ route, method: 'GET', status: 429, times: 4, retryAfterMs: 400, scope: 'shared' });
      const progressEdits = new RegExp(`/channels/${world.commandsChannelId}/messages/\\d+$`);
      discord.injectFault({ route: progressEdits, method: 'PATCH', status: 429, times: 3, retryAfterMs: 300 });
    });
    discord.delayResponses(0, route);

    assert.match(text, /^Finished reindexing #storm · scanned 500 messages/);
    assert.match(text, new RegExp(`indexed ${channel.images.length} · skipped 0 · failed 0`));
    assert.equal(faultAnswers(discord, 'rate-limit', since), 11, 'every storm was answered with 429s');
    assert.deepEqual(discord.rateLimitViolations, [], 'no request came back before its retry-after');
    await assertIndexedOnce(harness, world.guildId, channel.channelId, channel.images);
  });

  test('a global rate limit: no request of any route goes out before it resets, and the walk finishes', async () => {
    const { discord } = harness;
    const channel = await channelWithHistory(harness, world, 'global', 500);
    const route = historyRoute(channel.channelId);
    discord.delayResponses(50, route);
    const since = lastRequestSeq(discord);
    const text = await reindexToTheEnd(channel.channelId, 'global', async () => {
      await until(() => indexedIn(harness, world.guildId, channel.channelId).length > 0, 'the first page to be indexed');
      discord.injectFault({ route, method: 'GET', status: 429, times: 3, retryAfterMs: 500, global: true });
    });
    discord.delayResponses(0, route);

    assert.match(text, /^Finished reindexing #global · scanned 500 messages/);
    assert.match(text, new RegExp(`indexed ${channel.images.length} · skipped 0 · failed 0`));
    assert.equal(faultAnswers(discord, 'rate-limit', since), 3);
    assert.deepEqual(discord.rateLimitViolations, []);
    await assertIndexedOnce(harness, world.guildId, channel.channelId, channel.images);
  });

  test('bursts of 500 and 502 answers on history pages and image downloads: the walk finishes with every image once', async () => {
    const { discord } = harness;
    const channel = await channelWithHistory(harness, world, 'bursts', 500);
    const route = historyRoute(channel.channelId);
    discord.delayResponses(50, route);
    const since = lastRequestSeq(discord);
    discord.injectFault({ route, method: 'GET', status: 500, times: 3 });
    const text = await reindexToTheEnd(channel.channelId, 'bursts', async () => {
      await until(() => indexedIn(harness, world.guildId, channel.channelId).length > 0, 'the first page to be indexed');
      discord.injectFault({ route, method: 'GET', status: 502, times: 3 });
      discord.injectFault({ route: `/attachments/${channel.channelId}/`, status: 502, times: 2 });
    });
    discord.delayResponses(0, route);

    assert.match(text, /^Finished reindexing #bursts · scanned 500 messages/);
    assert.match(text, new RegExp(`indexed ${channel.images.length} · skipped 0 · failed 0`));
    assert.equal(faultAnswers(discord, 'server-error', since), 8, 'every injected 5xx was answered');
    await assertIndexedOnce(harness, world.guildId, channel.channelId, channel.images);
  });
});

describe('the gateway dropping while images are posted', () => {
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)) });
  });
  after(() => harness.stop());

  /**
   * In a fresh indexed channel: posts 20 images, lets `fault` happen, posts 20 more while the
   * bot is reconnecting and 10 after it is back, then waits for the index to hold them all.
   */
  async function postThrough(
    name: string,
    fault: (discord: FakeDiscord) => void,
    backAgain: (discord: FakeDiscord) => boolean,
  ): Promise<string> {
    const { discord } = harness;
    const channel = discord.createChannel(world.guildId, { name });
    await indexChannel(harness, world, channel.id);
    await postImageMessages(discord, channel.id, world.memberId, 20, { gapMs: 10 });
    fault(discord);
    await postImageMessages(discord, channel.id, world.memberId, 20, { first: 20 });
    await until(() => backAgain(discord), 'the bot to be back on the gateway');
    await postImageMessages(discord, channel.id, world.memberId, 10, { first: 40, gapMs: 10 });
    const expected = imagesPostedIn(discord, channel.id);
    assert.equal(expected.length, 50);
    await until(
      () => indexedIn(harness, world.guildId, channel.id).length === expected.length,
      `all 50 images of #${name} to be indexed (${indexedIn(harness, world.guildId, channel.id).length} are)`,
      20_000,
    );
    await assertIndexedOnce(harness, world.guildId, channel.id, expected);
    const downloads = discord.requests.filter(
      (request) => request.kind === 'cdn' && request.path.startsWith(`/attachments/${channel.id}/`),
    );
    const fetchedTwice = duplicatesIn(downloads.map((request) => request.path));
    assert.deepEqual(fetchedTwice, [], 'each image was downloaded (and embedded) once, though catch-up read some messages again');
    assert.equal(downloads.length, expected.length);
    return channel.id;
  }

  test('a resumable close: discord.js resumes, the missed events are replayed, every image is indexed once', async () => {
    const resumesBefore = harness.discord.gatewayStats.resumes;
    await postThrough(
      'resumed',
      (discord) => assert.equal(discord.cutGateway({ resumable: true }), 1),
      (discord) => discord.gatewayStats.resumes > resumesBefore && discord.connectedShards().length === 1,
    );
  });

  test('a close that ends the session (4009): after a new session the bot catches up on what it missed', async () => {
    const identifiesBefore = harness.discord.gatewayStats.identifies;
    await postThrough(
      'reidentified',
      (discord) => assert.equal(discord.cutGateway({ code: 4009, resumable: false }), 1),
      (discord) => discord.gatewayStats.identifies > identifiesBefore && discord.connectedShards().length === 1,
    );
  });

  test('an invalidated session (op 9): the new session catches up too', async () => {
    const identifiesBefore = harness.discord.gatewayStats.identifies;
    await postThrough(
      'invalidated',
      (discord) => discord.invalidateSession(false),
      (discord) => discord.gatewayStats.identifies > identifiesBefore && discord.connectedShards().length === 1,
    );
  });

  // The fake still dispatches messages of a guild in an outage, so this shows that an outage
  // loses nothing (the guild's index is kept), not that missed messages are caught up.
  test('a guild outage (unavailable, then back) loses nothing: every image posted around it is indexed once', async () => {
    let outage = false;
    await postThrough(
      'outage',
      (discord) => {
        discord.setGuildAvailable(world.guildId, false);
        outage = true;
      },
      (discord) => {
        // The images of the outage are posted by now: end it, and wait for the bot to see the guild again.
        if (outage) discord.setGuildAvailable(world.guildId, true);
        outage = false;
        return harness.bot.client.guilds.cache.get(world.guildId)?.available === true;
      },
    );
  });
});
