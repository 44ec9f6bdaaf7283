import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildCommandsWorld, channelWithHistory, runReindex, untilReindexEnded, type CommandsWorld } from './reindexing.js';
import { cdnDownloadsSince, duplicatesIn, indexedIn, lastRequestSeq, progressMessageIn, until } from './world.js';

/** A slow CDN: a page's images take minutes to come in one at a time. */
const DOWNLOAD_MS = 2000;
const CDN_ROUTE = /^\/attachments\//;
/** Messages of one history page holding 20 images (see postHistory). */
const MESSAGES = 80;
const IMAGES = 20;

/**
 * `/reindex stop` and `/channels remove` (which stops the walk first) answer once the walk has
 * stopped queueing and the few images it had on their way are in: not after every image of the
 * page being walked (100 messages of up to 10 images, at a slow CDN's or OCR's pace, could take
 * longer than the 15 minutes Discord gives a reply). A stopped walk resumes with the first
 * message it did not queue whole, so nothing is lost or read twice.
 */
describe('stopping a walk in the middle of a page', () => {
  let harness: BotUnderTest;
  let world: CommandsWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildCommandsWorld(discord)), env: { INGEST_CONCURRENCY: '1' } });
  });
  after(() => harness.stop());

  /** Starts walking a new channel of 20 images through the slow CDN; resolves once the walk has queued some. */
  async function slowWalk(name: string) {
    const channel = await channelWithHistory(harness, world, name, MESSAGES);
    assert.equal(channel.images.length, IMAGES, 'precondition: one page of 20 images');
    const since = lastRequestSeq(harness.discord);
    harness.discord.delayResponses(DOWNLOAD_MS, CDN_ROUTE);
    await runReindex(harness.discord, world, channel.channelId);
    await until(() => harness.bot.context.ingest.depthOf(world.guildId) > 0, 'the walk to queue images');
    return { ...channel, since };
  }

  /** Runs a command whose answer is deferred; returns the answer and the CDN downloads begun before it came. */
  async function answerOf(run: (wait: { until: (reply: InteractionReply) => boolean }) => Promise<InteractionReply>, since: number) {
    let downloadsBefore: number | undefined;
    const reply = await run({
      until: (answer) => {
        if (answer.content === '') return false;
        downloadsBefore ??= cdnDownloadsSince(harness.discord, since).length;
        return true;
      },
    });
    return { reply, downloadsBefore: downloadsBefore! };
  }

  test('/reindex stop answers before the page is downloaded, with nothing left on its way in, and /reindex resumes it', async () => {
    const { discord } = harness;
    const walk = await slowWalk('slow-cdn');
    const { reply, downloadsBefore } = await answerOf(
      (wait) =>
        discord.invokeSlashCommand({
          channelId: world.commandsChannelId,
          userId: world.adminId,
          name: 'reindex',
          options: { channel: walk.channelId, stop: true },
          wait,
        }),
      walk.since,
    );
    const depthWhenAnswered = harness.bot.context.ingest.depthOf(world.guildId);
    discord.delayResponses(0, CDN_ROUTE);
    const scanned = Number(/Stopped reindexing <#\d+> after (\d+) messages?/.exec(reply.content)?.[1]);
    assert.ok(downloadsBefore < IMAGES, `answered after ${downloadsBefore} of the page's ${IMAGES} downloads`);
    assert.equal(depthWhenAnswered, 0, 'no image of the stopped walk is still queued');
    assert.ok(scanned < MESSAGES, `stopped inside the page: ${reply.content}`);
    const indexedWhenStopped = indexedIn(harness, world.guildId, walk.channelId);
    assert.ok(indexedWhenStopped.length < IMAGES);

    const stopped = progressMessageIn(discord, world.commandsChannelId, walk.name)!;
    assert.match(stopped.content, new RegExp(`^Stopped reindexing #${walk.name} · scanned ${scanned} messages`));
    assert.match((await runReindex(discord, world, walk.channelId)).content, /Resumed reindexing/);
    const text = await untilReindexEnded(discord, world, walk.name, { after: stopped.id });
    assert.match(text, new RegExp(`scanned ${MESSAGES} messages · indexed ${IMAGES} · skipped 0 · failed 0`), text);
    assert.deepEqual(indexedIn(harness, world.guildId, walk.channelId), walk.images);
    const downloads = cdnDownloadsSince(discord, walk.since);
    assert.deepEqual(duplicatesIn(downloads), [], 'no image is downloaded twice');
    assert.equal(downloads.length, IMAGES);
  });

  test('/channels remove answers before the page is downloaded, and no image of the walk comes in after it', async () => {
    const { discord } = harness;
    const walk = await slowWalk('removed-mid-page');
    const { reply, downloadsBefore } = await answerOf(
      (wait) =>
        discord.invokeSlashCommand({
          channelId: world.commandsChannelId,
          userId: world.adminId,
          name: 'channels',
          subcommand: 'remove',
          options: { channel: walk.channelId },
          wait,
        }),
      walk.since,
    );
    discord.delayResponses(0, CDN_ROUTE);
    assert.match(reply.content, new RegExp(`^Stopped indexing <#${walk.channelId}> and forgot its \\d+ images?\\.`));
    assert.ok(downloadsBefore < IMAGES, `answered after ${downloadsBefore} of the page's ${IMAGES} downloads`);
    await harness.bot.context.ingest.idle();
    assert.deepEqual(indexedIn(harness, world.guildId, walk.channelId), []);
  });
});
