import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { IngestQueue, type IngestFailure } from '../../src/ingest/ingestQueue.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, type SmallWorld } from './world.js';

/** Raw text of an internal error, with the kind of detail that must stay in the log. */
const RAW_ERROR = 'EACCES: permission denied, open /srv/bot/data/secret.sqlite';

/**
 * What /stats tells besides counts: nothing of the host it runs on (MODEL_DIR's path), and
 * no raw internal error text, to members or to admins (who run a server, not the bot's host).
 */
describe('/stats tells nothing of the host', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  const stats = (userId: string) => harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'stats' });

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  test('the model directory is named by its folder, not its path', async () => {
    const dir = harness.config.model.dir!;
    for (const userId of [world.memberId, world.adminId]) {
      const reply = await stats(userId);
      assert.ok(!reply.content.includes(dir), reply.content);
      assert.ok(!reply.content.includes(path.dirname(dir)), reply.content);
      assert.match(reply.content, new RegExp(`Model: ${path.basename(dir)} \\(\\d+ dimensions\\)`));
    }
  });

  test("an image that failed on the bot's side is counted with a plain reason; the error's own text is not shown", async () => {
    const { guildState } = harness.bot.context;
    const queue = new IngestQueue(
      harness.engine.library,
      async () => {
        throw new Error(RAW_ERROR);
      },
      { concurrency: 1, queueLimit: 10, maxAttempts: 1 },
      { onFailure: (collection, failure) => guildState.recordFailure(collection, failure) },
    );
    const origin = {
      collection: world.guildId,
      channelId: world.channelId,
      messageId: '1',
      id: '1:2',
      attachmentId: '2',
      authorId: world.memberId,
      createdAt: Date.now(),
      source: 'https://cdn.example/a.png',
    };
    assert.equal(await queue.enqueue({ origin, url: origin.source, words: {} }), 'failed');
    const reply = await stats(world.adminId);
    assert.match(
      reply.content,
      /Failed images: 1 \(last: Something went wrong on my side while indexing it \(the details are in my log\)\.\)/,
    );
    assert.ok(!reply.content.includes('EACCES') && !reply.content.includes('/srv/'), reply.content);
  });

  test('a failure stored by an earlier version with raw error text is shown plainly too', async () => {
    // Stored before failures kept their kind of problem: no `problem`, the raw text in `reason`.
    const legacy = { id: '3:4', channelId: world.channelId, messageId: '3', reason: `internal error: ${RAW_ERROR}`, at: Date.now() };
    await harness.bot.context.guildState.recordFailure(world.guildId, legacy as unknown as IngestFailure);
    const reply = await stats(world.adminId);
    assert.match(reply.content, /\(last: Something went wrong on my side while indexing it/);
    assert.ok(!reply.content.includes('EACCES'), reply.content);
  });
});
