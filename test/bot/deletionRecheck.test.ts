import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P, Status } from 'discord.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, historyReads, indexChannel, lastRequestSeq, postColours, until, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;
const REQUESTS_PER_MINUTE = 600;

/**
 * Deletions the gateway never delivered (a disconnect that could not be resumed): the
 * background re-check reads every indexed message again, at a bounded rate, and forgets
 * what is gone.
 */
describe('the background re-check of indexed messages', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({
      // A pass about every second, ten reads a second at most: a test sees several passes.
      env: { RECHECK_PERIOD_HOURS: '0.0003', RECHECK_REQUESTS_PER_MINUTE: String(REQUESTS_PER_MINUTE) },
      metrics: true,
      setup: (discord) => (world = buildSmallWorld(discord)),
    });
    await indexChannel(harness, world);
  });
  after(() => harness.stop());

  const recheckReads = (channelId: string, sinceSeq = 0) =>
    historyReads(harness.discord, channelId, sinceSeq).filter((read) => read.query['after'] !== undefined);

  test('a message deleted while the gateway was down without a resume leaves the index', async () => {
    const kept = await postColours(harness, world.channelId, world.memberId, [{ name: 'kept', rgb: RED }]);
    const [gone] = await postColours(harness, world.channelId, world.memberId, [{ name: 'gone', rgb: RED }]);
    // Cut and delete in the same tick: the session is over, so the deletion is never delivered.
    harness.discord.cutGateway({ resumable: false });
    await harness.discord.deleteMessage(gone!.split(':')[0]!);
    await until(() => !harness.engine.library.has(world.guildId, gone!), 'the re-check to find the deletion');
    assert.ok(
      kept.every((id) => harness.engine.library.has(world.guildId, id)),
      'what still exists stays',
    );
    const metrics = await harness.metrics!.expose();
    assert.match(metrics, /imagebot_recheck_messages_total\{outcome="deleted"\} [1-9]/);
    assert.match(metrics, /imagebot_recheck_messages_total\{outcome="present"\} [1-9]/);
    assert.match(metrics, /imagebot_recheck_oldest_seconds \d/);
    await until(
      () => harness.discord.connectedShards().length === 1 && harness.bot.client.ws.status === Status.Ready,
      'the bot to be back on the gateway',
    );
  });

  test('reads 100 messages a request from the next indexed message, skipping text-only stretches, at the bounded rate', async () => {
    const channel = harness.discord.createChannel(world.guildId, { name: 'mostly-text' });
    await indexChannel(harness, world, channel.id);
    const [first] = await postColours(harness, channel.id, world.memberId, [{ name: 'first', rgb: RED }]);
    // A pass over the channel as it is now, so the image posted last comes after the re-check first saw the channel.
    const seen = lastRequestSeq(harness.discord);
    await until(() => recheckReads(channel.id, seen).length > 0, 'the re-check to read the channel once');
    for (let n = 0; n < 250; n++) await harness.discord.postMessage(channel.id, world.memberId, { content: `words ${n}` });
    const [last] = await postColours(harness, channel.id, world.memberId, [{ name: 'last', rgb: RED }]);
    const startOf = (id: string) => (BigInt(id.split(':')[0]!) - 1n).toString();
    const since = lastRequestSeq(harness.discord);
    await until(() => new Set(recheckReads(channel.id, since).map((read) => read.query['after'])).size >= 2, 'a pass over both images');

    const reads = recheckReads(channel.id, since);
    assert.ok(
      reads.every((read) => read.query['limit'] === '100'),
      'every read asks for 100 messages',
    );
    assert.deepEqual(
      new Set(reads.map((read) => read.query['after'])),
      new Set([startOf(first!), startOf(last!)]),
      'each read starts just before an indexed message',
    );
    const times = harness.discord.requests
      .filter(
        (request) =>
          request.method === 'GET' && /\/messages$/.test(request.path) && request.query['after'] !== undefined && request.seq > since,
      )
      .map((request) => request.startedAt);
    for (let i = 1; i < times.length; i++) {
      assert.ok(
        times[i]! - times[i - 1]! >= 60_000 / REQUESTS_PER_MINUTE - 15,
        `reads ${i - 1} and ${i} came ${times[i]! - times[i - 1]!} ms apart`,
      );
    }
  });

  test('a channel the bot can no longer read is not taken for emptied: its images stay', async () => {
    const channel = harness.discord.createChannel(world.guildId, { name: 'closed-later' });
    await indexChannel(harness, world, channel.id);
    const images = await postColours(harness, channel.id, world.memberId, [
      { name: 'a', rgb: RED },
      { name: 'b', rgb: RED },
    ]);
    harness.discord.updateChannel(channel.id, {
      permissionOverwrites: [{ id: harness.discord.botUser.id, type: 'member', deny: P.ReadMessageHistory }],
    });
    await until(() => {
      const cached = harness.bot.client.channels.cache.get(channel.id);
      return cached !== undefined && 'permissionOverwrites' in cached && cached.permissionOverwrites.cache.size > 0;
    }, 'the bot to hear of it');
    // Several passes over the other channels later, the closed channel's images are still there.
    const since = lastRequestSeq(harness.discord);
    await until(() => recheckReads(world.channelId, since).length >= 3, 'the re-check to go on elsewhere');
    assert.ok(images.every((id) => harness.engine.library.has(world.guildId, id)));
  });
});
