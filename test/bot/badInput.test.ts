import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits } from 'discord.js';
import { htmlAsBytes, solidColourImage, truncatedJpeg } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, until, privateText, shownText, type SmallWorld } from './world.js';

describe('bad input reaching the bot', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  let hidden: string;

  before(async () => {
    harness = await startBotUnderTest({
      env: { MAX_IMAGE_BYTES: String(64 * 1024), COMMANDS_PER_MINUTE: '1000' },
      setup: (discord) => {
        world = buildSmallWorld(discord);
        hidden = discord.createChannel(world.guildId, {
          name: 'bot-cannot-read',
          permissionOverwrites: [{ id: discord.botUser.id, type: 'member', deny: PermissionFlagsBits.ReadMessageHistory }],
        }).id;
      },
    });
    await indexChannel(harness, world);
  });
  after(() => harness.stop());

  test('a message with a corrupt, a fake and an oversized file still has its good image indexed, and the rest is recorded as failed', async () => {
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      attachments: [
        { filename: 'broken.jpg', data: await truncatedJpeg(), contentType: 'image/jpeg' },
        { filename: 'page.png', data: await htmlAsBytes(), contentType: 'image/png' },
        {
          filename: 'huge.png',
          data: Buffer.concat([await solidColourImage([1, 2, 3]), Buffer.alloc(70 * 1024)]),
          contentType: 'image/png',
        },
        { filename: 'good.png', data: await solidColourImage([220, 30, 30]), contentType: 'image/png' },
      ],
    });
    const good = `${message.id}:${message.attachments[3]!.id}`;
    await until(() => harness.engine.library.has(world.guildId, good), 'the good image indexed');
    await until(() => harness.bot.context.ingest.failures(world.guildId).count === 3, 'three failures recorded');
    const reasons = harness.bot.context.ingest
      .failures(world.guildId)
      .recent.map((failure) => failure.reason)
      .join(' | ');
    assert.match(reasons, /damaged or incomplete/);
    assert.match(reasons, /not an image/);
    assert.match(reasons, /larger than|limit/);
    await harness.bot.context.ingest.idle(); // the failures are in the store once their images are done
    const stats = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'stats' });
    assert.match(stats.content, /Failed images: 3/);
    assert.match(stats.content, /\*\*1 image\*\* indexed/);
  });

  test('an SVG attachment is not fetched, and is recorded as failed with its reason', async () => {
    const before = harness.bot.context.ingest.failures(world.guildId).count;
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="red"/></svg>');
    const message = await harness.discord.postMessage(world.channelId, world.memberId, {
      attachments: [{ filename: 'drawing.svg', data: svg, contentType: 'image/svg+xml' }],
    });
    await until(() => harness.bot.context.ingest.failures(world.guildId).count === before + 1, 'the SVG recorded as failed');
    const [failure] = harness.bot.context.ingest.failures(world.guildId).recent;
    assert.equal(failure!.messageId, message.id);
    assert.match(failure!.reason, /SVG files are not supported/);
    const attachmentId = message.attachments[0]!.id;
    assert.ok(
      !harness.discord.requests.some((request) => request.kind === 'cdn' && request.path.includes(attachmentId)),
      'the SVG was never downloaded',
    );
    await harness.bot.context.ingest.idle();
    const stats = await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'stats' });
    assert.match(stats.content, /last: SVG files are not supported/);
  });

  test('an over-long description is refused privately', async () => {
    const query = Array.from({ length: 30 }, () => 'red').join(' ');
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query },
    });
    assert.match(privateText(reply), /too long/);
  });

  test('a malformed date is explained privately', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red', after: 'last tuesday' },
    });
    assert.match(privateText(reply), /"after" must be a date like/);
  });

  test('a command in a direct message is explained privately', async () => {
    const dm = harness.discord.openDm(world.memberId);
    const reply = await harness.discord.invokeSlashCommand({
      channelId: dm.id,
      userId: world.memberId,
      name: 'find',
      options: { query: 'red' },
    });
    assert.match(privateText(reply), /only work inside a server/);
  });

  test('adding a channel the bot cannot read says which permission is missing', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.adminId,
      name: 'channels',
      subcommand: 'add',
      options: { channel: hidden },
    });
    assert.match(privateText(reply), /I need Read Message History there/);
  });

  test('a member without Manage Server cannot change what is indexed', async () => {
    const reply = await harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId: world.memberId,
      name: 'channels',
      subcommand: 'remove',
      options: { channel: world.channelId },
    });
    assert.match(privateText(reply), /Manage Server/);
    assert.ok((await harness.bot.context.guildState.settings.indexedChannels(world.guildId)).has(world.channelId));
  });
});

describe('one member sending commands too fast', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  before(async () => {
    harness = await startBotUnderTest({ env: { COMMANDS_PER_MINUTE: '3' }, setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  test('is asked privately to wait, while others are unaffected', async () => {
    const find = (userId: string) =>
      harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'find', options: { query: 'red' } });
    for (let i = 0; i < 3; i++) assert.match(shownText(await find(world.memberId)), /Results for "red"|No matching images/);
    assert.match(privateText(await find(world.memberId)), /Please wait \d+ seconds?/);
    assert.match(shownText(await find(world.adminId)), /Results for "red"|No matching images/);
  });
});
