import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TextChannel } from 'discord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import type { Rgb } from '../fixtures/images.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  buildStaffWorld,
  buttonId,
  everyPage,
  findAll,
  hasEnabledButton,
  indexChannel,
  postColours,
  shownChannels,
  shownNames,
  shownRanks,
  shownText,
  type SmallWorld,
  type StaffWorld,
} from './world.js';

const RED: Rgb = [220, 30, 30];
const BLUE: Rgb = [30, 60, 220];
const GREEN: Rgb = [30, 160, 50];

/** `count` images of one colour named `<prefix>-01.png`…, posted up to ten a message. */
async function postMany(
  harness: BotUnderTest,
  channelId: string,
  userId: string,
  prefix: string,
  rgb: Rgb,
  count: number,
): Promise<string[]> {
  const images = Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${String(i + 1).padStart(2, '0')}`, rgb }));
  const ids: string[] = [];
  for (let i = 0; i < images.length; i += 10) ids.push(...(await postColours(harness, channelId, userId, images.slice(i, i + 10))));
  return ids;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('turning pages of /find results', () => {
  let harness: BotUnderTest;
  let world: StaffWorld & { otherId: string; nsfwChannelId: string; nsfwChatId: string };

  function build(discord: FakeDiscord): void {
    const staff = buildStaffWorld(discord);
    const otherId = discord.createUser({ username: 'bystander' }).id;
    discord.addMember(staff.guildId, otherId);
    const nsfwChannelId = discord.createChannel(staff.guildId, { name: 'after-dark', nsfw: true }).id;
    const nsfwChatId = discord.createChannel(staff.guildId, { name: 'after-dark-chat', nsfw: true }).id;
    world = { ...staff, otherId, nsfwChannelId, nsfwChatId };
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: build });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await postMany(harness, world.channelId, world.memberId, 'red', RED, 25);
    await postMany(harness, world.staffChannelId, world.adminId, 'staff-blue', BLUE, 15);
    await indexChannel(harness, world, world.nsfwChannelId);
    await postMany(harness, world.nsfwChannelId, world.adminId, 'nsfw-green', GREEN, 15);
  });
  after(() => harness.stop());

  test('25 results come ten a page: Next shows 11-20, Previous goes back to 1-10', async () => {
    const searcher = { channelId: world.channelId, userId: world.memberId };
    const first = await findAll(harness, searcher, 'red');
    assert.deepEqual(shownRanks(first), range(1, 10));
    assert.match(shownText(first), /page 1 of 3/);
    assert.ok(hasEnabledButton(first, 'Next'));
    assert.ok(!hasEnabledButton(first, 'Previous'));
    const firstNames = shownNames(first);

    const second = await harness.discord.pressButton({
      userId: world.memberId,
      messageId: first.original!.id,
      customId: buttonId(first, 'Next'),
    });
    assert.equal(second.original!.id, first.original!.id, 'the results message itself turns the page');
    assert.deepEqual(shownRanks(second), range(11, 20));
    assert.match(shownText(second), /page 2 of 3/);
    assert.ok(hasEnabledButton(second, 'Previous'));
    assert.ok(shownNames(second).every((name) => !firstNames.includes(name)));

    const back = await harness.discord.pressButton({
      userId: world.memberId,
      messageId: first.original!.id,
      customId: buttonId(second, 'Previous'),
    });
    assert.deepEqual(shownRanks(back), range(1, 10));
    assert.deepEqual(shownNames(back), firstNames);

    const all = (await everyPage(harness, back, world.memberId)).flatMap(shownNames);
    assert.deepEqual(new Set(all), new Set(range(1, 25).map((n) => `red-${String(n).padStart(2, '0')}.png`)));
    assert.equal(all.length, 25);
  });

  test("another member cannot turn the searcher's pages: the results are private to the searcher", async () => {
    const first = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const resultsId = first.original!.id;
    const before = harness.discord.botMessages.find((message) => message.id === resultsId)!;
    const versionsBefore = before.versions.length;
    assert.equal(first.ephemeral, true);

    await assert.rejects(
      harness.discord.pressButton({ userId: world.otherId, messageId: resultsId, customId: buttonId(first, 'Next') }),
      /ephemeral: only the user it was shown to can use it/,
    );
    const afterPress = harness.discord.botMessages.find((message) => message.id === resultsId)!;
    assert.equal(afterPress.versions.length, versionsBefore);
  });

  test("a member who loses a role between pages no longer sees that role's channel on the next page", async () => {
    const first = await findAll(harness, { channelId: world.channelId, userId: world.stafferId }, 'blue');
    // Precondition: the staff channel's images lead the results (15 of them, so page 2 would hold more).
    assert.deepEqual(new Set(shownChannels(first)), new Set([world.staffChannelId]));

    harness.discord.setMemberRoles(world.guildId, world.stafferId, []);
    const next = await harness.discord.pressButton({
      userId: world.stafferId,
      messageId: first.original!.id,
      customId: buttonId(first, 'Next'),
    });
    assert.ok(shownNames(next).length > 0, 'the images the member can still see are shown');
    assert.deepEqual(new Set(shownChannels(next)), new Set([world.channelId]));
    assert.ok(!JSON.stringify([next.components, next.mediaUrls]).includes('staff-blue'));
  });

  test('when the channel a search ran in stops being age-restricted, the next page shows no age-restricted images', async () => {
    const first = await findAll(harness, { channelId: world.nsfwChatId, userId: world.memberId }, 'green');
    // Precondition: the age-restricted channel's images lead the results (15 of them, so page 2 would hold more).
    assert.deepEqual(new Set(shownChannels(first)), new Set([world.nsfwChannelId]));

    harness.discord.updateChannel(world.nsfwChatId, { nsfw: false });
    const chat = () => harness.bot.client.channels.cache.get(world.nsfwChatId) as TextChannel | undefined;
    await harness.discord.waitFor(() => chat()?.nsfw === false, { what: 'the bot to hear the channel is no longer age-restricted' });
    const next = await harness.discord.pressButton({
      userId: world.memberId,
      messageId: first.original!.id,
      customId: buttonId(first, 'Next'),
    });
    assert.ok(shownNames(next).length > 0, 'the other images are still shown');
    assert.ok(!shownChannels(next).includes(world.nsfwChannelId));
    assert.ok(!JSON.stringify([next.components, next.mediaUrls]).includes('nsfw-green'));
  });
});

describe('fresh attachment URLs in /find results', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  let ids: string[];

  const loads = async (url: string) => (await fetch(url)).status;

  before(async () => {
    harness = await startBotUnderTest({ fake: { cdnUrlTtlMs: 1500 }, setup: (discord) => (world = buildSmallWorld(discord)) });
    await indexChannel(harness, world);
    // One image a message, so one message can be deleted on its own.
    ids = [];
    for (let n = 1; n <= 12; n++) {
      ids.push(...(await postColours(harness, world.channelId, world.memberId, [{ name: `red-${String(n).padStart(2, '0')}`, rgb: RED }])));
    }
  });
  after(() => harness.stop());

  test('stored URLs that have expired are replaced by working ones in the reply', async () => {
    const stored = harness.engine.library.get(world.guildId, ids[0]!)!.source;
    const deadline = Date.now() + 5000;
    while ((await loads(stored)) !== 404) {
      assert.ok(Date.now() < deadline, 'the stored URL should expire');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const reply = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    assert.equal(reply.mediaUrls.length, 10);
    const statuses = await Promise.all(reply.mediaUrls.map(loads));
    assert.deepEqual(
      statuses,
      reply.mediaUrls.map(() => 200),
    );
  });

  test("when a result's message cannot be re-read, its stored URL is re-signed through refresh-urls", async () => {
    const stored = harness.engine.library.get(world.guildId, ids[0]!)!.source;
    assert.equal(await loads(stored), 404, 'precondition: the stored URL has expired');
    const requestsBefore = harness.discord.requests.length;
    harness.discord.injectFault({ route: /\/channels\/\d+\/messages\/\d+$/, method: 'GET', status: 500, times: 100 });
    try {
      const reply = await harness.discord.invokeSlashCommand({
        channelId: world.channelId,
        userId: world.memberId,
        name: 'find',
        options: { query: 'red', count: 3 },
      });
      assert.equal(reply.mediaUrls.length, 3);
      const statuses = await Promise.all(reply.mediaUrls.map(loads));
      assert.deepEqual(statuses, [200, 200, 200]);
      assert.ok(harness.discord.requests.slice(requestsBefore).some((request) => request.path.endsWith('/attachments/refresh-urls')));
    } finally {
      harness.discord.clearFaults();
    }
  });

  test('a hit whose message was deleted while the bot was offline is dropped, purged, and no other result is skipped', async () => {
    const before = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    // The second result of the first page is the one deleted.
    const deletedName = shownNames(before)[1]!;
    const deletedNumber = Number(/^red-(\d+)\.png$/.exec(deletedName)![1]);
    const deleted = ids[deletedNumber - 1]!;
    await harness.stopBot();
    await harness.discord.deleteMessage(deleted.split(':')[0]!);
    await harness.startBotAgain();

    const first = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const pages = await everyPage(harness, first, world.memberId);
    const shown = pages.flatMap(shownNames);
    assert.equal(shownNames(first).length, 10, 'the first page is still full');
    assert.ok(!shown.includes(deletedName));
    assert.deepEqual(
      shown.sort(),
      range(1, 12)
        .filter((n) => n !== deletedNumber)
        .map((n) => `red-${String(n).padStart(2, '0')}.png`),
    );
    assert.equal(harness.engine.library.has(world.guildId, deleted), false, 'the deleted image is purged from the index');
  });
});
