import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { flatMeme } from '../fixtures/memes/memeImages.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildStaffWorld, buttonId, indexChannel, shownChannels, shownNames, shownText, until, type StaffWorld } from './world.js';

/**
 * `/find match:` with OCR on, through the real client: word matches obey the same permissions as
 * meaning matches, when the search runs and on every page turn.
 */
describe('/find by the words in images', () => {
  let harness: BotUnderTest;
  let world: StaffWorld;

  /** A meme with `lines`, posted as `userId` in `channelId`; resolves once the words in it were read. */
  async function postMeme(channelId: string, userId: string, lines: readonly [string, string], file: string): Promise<void> {
    const data = await flatMeme([120, 30, 30], 560, 360, { lines, font: 'anton', ink: 'white' });
    const message = await harness.discord.postMessage(channelId, userId, {
      attachments: [{ filename: file, data, contentType: 'image/jpeg' }],
    });
    const id = `${message.id}:${message.attachments[0]!.id}`;
    await until(() => harness.engine.library.words.isRead(world.guildId, id), `the words in ${file} read`);
  }

  const find = (userId: string, query: string, match?: string) =>
    harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId,
      name: 'find',
      options: { query, count: 25, ...(match === undefined ? {} : { match }) },
    });
  const settings = (options: Record<string, number>) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'settings', options });

  before(async () => {
    harness = await startBotUnderTest({ env: { OCR: 'on' }, setup: (discord) => (world = buildStaffWorld(discord)) });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await postMeme(world.channelId, world.memberId, ['NOBODY EXPECTS THE', 'ARMADILLO'], 'public-1.jpg');
    await postMeme(world.channelId, world.memberId, ['MY PLANS FOR THE WEEKEND', 'WOMBAT AND MORE'], 'public-2.jpg');
    await postMeme(world.staffChannelId, world.stafferId, ['ONE DOES NOT SIMPLY', 'WALK INTO THE NARWHAL'], 'staff-1.jpg');
    await postMeme(world.staffChannelId, world.stafferId, ['WHEN YOU FINALLY FIND', 'THE WOMBAT'], 'staff-2.jpg');
  });
  after(() => harness.stop());

  test('match:words shows only the images holding the word, each naming the words that matched as the image writes them', async () => {
    const reply = await find(world.memberId, 'armadillo', 'words');
    assert.deepEqual(shownNames(reply), ['public-1.jpg']);
    assert.match(shownText(reply), /-# matched words: `ARMADILLO`/);
    assert.match(shownText(reply), /\*\*#1\*\* matches its words ·/, 'found by its words, not rated by its meaning');
  });

  test('match:meaning ranks every image by what it shows, and names no words', async () => {
    const reply = await find(world.memberId, 'armadillo', 'meaning');
    assert.deepEqual(new Set(shownNames(reply)), new Set(['public-1.jpg', 'public-2.jpg']));
    assert.doesNotMatch(shownText(reply), /matched words/);
  });

  test('match:both (the default) ranks the image holding the word first', async () => {
    const reply = await find(world.memberId, 'armadillo');
    assert.equal(shownNames(reply)[0], 'public-1.jpg');
    assert.match(shownText(reply), /-# matched words: `ARMADILLO`/);
  });

  test('a word match in a channel the member cannot read is never shown, by words or both', async () => {
    for (const match of ['words', 'both']) {
      const reply = await find(world.memberId, 'narwhal', match);
      assert.ok(!shownNames(reply).includes('staff-1.jpg'), `match:${match}`);
      assert.ok(!shownText(reply).includes(world.staffChannelId), `match:${match}: nothing of the staff channel`);
    }
    assert.deepEqual(shownNames(await find(world.stafferId, 'narwhal', 'words')), ['staff-1.jpg'], 'a member of staff finds it');
  });

  test('the search itself leaves them out, before any page is drawn', async () => {
    const { client, context } = harness.bot;
    const guild = client.guilds.cache.get(world.guildId)!;
    const channelsFound = async (userId: string) => {
      const member = await guild.members.fetch(userId);
      const words = { text: 'narwhal wombat', match: 'words' as const };
      const groups = await context.hitSearch.search(
        member,
        { nsfwAllowed: false },
        { kind: 'text', vector: await context.library.model.embedText(words.text), words, limit: 25 },
      );
      return new Set(groups.flatMap((group) => group.hits.map((hit) => hit.image.channelId)));
    };
    assert.deepEqual(await channelsFound(world.memberId), new Set([world.channelId]));
    assert.deepEqual(await channelsFound(world.stafferId), new Set([world.channelId, world.staffChannelId]));
  });

  test('a page turn re-checks: a member who lost the channel no longer sees its word match', async () => {
    await settings({ 'results-per-page': 1 });
    try {
      const first = await find(world.stafferId, 'wombat', 'words');
      assert.match(shownText(first), /page 1 of 2 · 2 results/);
      harness.discord.setMemberRoles(world.guildId, world.stafferId, []);
      const next = await harness.discord.pressButton({
        userId: world.stafferId,
        messageId: first.original!.id,
        customId: buttonId(first, 'Next'),
      });
      assert.deepEqual(shownChannels(next), [world.channelId]);
      assert.deepEqual(shownNames(next), ['public-2.jpg']);
      assert.match(shownText(next), /page 1 of 1 · 1 result/);
    } finally {
      harness.discord.setMemberRoles(world.guildId, world.stafferId, [world.staffRoleId]);
      await settings({ 'results-per-page': 10 });
    }
  });
});
