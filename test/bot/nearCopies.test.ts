import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { InteractionReply } from '../fake-discord/index.js';
import { repostCopy } from '../fixtures/repostCopies.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { postImage, weatherPhoto } from './repostWorld.js';
import { buildStaffWorld, buttonId, chooseResult, indexChannel, resultLines, shownNames, shownText, type StaffWorld } from './world.js';

/** The notes under each result of a page (the `-# …` line after its line), by file name. */
function notesByName(reply: InteractionReply): Map<string, string> {
  const lines = shownText(reply).split('\n');
  const names = shownNames(reply);
  return new Map(
    resultLines(reply).map((line, i) => {
      const next = lines[lines.indexOf(line) + 1] ?? '';
      return [names[i]!, next.startsWith('-# ') ? next : ''];
    }),
  );
}

/** Results fold near-copies (re-saved, resized, framed…) of a better-ranked result into it, counting only those the member can read. */
describe('near-copies in results', () => {
  let harness: BotUnderTest;
  let world: StaffWorld;
  const COPIES = ['original.jpg', 'resized.jpg', 'framed.jpg', 'staff-copy.png'];

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildStaffWorld(discord)) });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    const photo = await weatherPhoto(0);
    await postImage(harness, world.channelId, world.memberId, photo, 'original.jpg');
    await postImage(harness, world.channelId, world.memberId, await repostCopy(photo, 'resized'), 'resized.jpg');
    await postImage(harness, world.channelId, world.memberId, await repostCopy(photo, 'bordered'), 'framed.jpg');
    await postImage(harness, world.staffChannelId, world.stafferId, await repostCopy(photo, 'png'), 'staff-copy.png');
    await postImage(harness, world.channelId, world.memberId, await weatherPhoto(20), 'another-day.jpg');
  });
  after(() => harness.stop());

  const find = (userId: string) =>
    harness.discord.invokeSlashCommand({
      channelId: world.channelId,
      userId,
      name: 'find',
      options: { query: 'a cloudy sky', match: 'meaning', count: 25 },
    });

  test('/find shows one result for a picture and its near-copies, saying how many it folded, with links', async () => {
    const reply = await find(world.memberId);
    const names = shownNames(reply);
    const leader = names.filter((name) => COPIES.includes(name));
    assert.equal(leader.length, 1, `one result for the picture: ${names.join(', ')}`);
    assert.ok(names.includes('another-day.jpg'), 'another picture stays its own result');
    assert.match(
      notesByName(reply).get(leader[0]!)!,
      /^-# and 2 near-copies: \[1\]\(https:\/\/discord\.com\/channels\/\S+\) \[2\]\(https:\/\/discord\.com\/channels\/\S+\)$/,
    );
    assert.ok(!shownText(reply).includes(world.staffChannelId), 'the copy in the staff channel is neither counted nor linked');
  });

  test('a member who can read the staff channel has its copy counted too', async () => {
    const reply = await find(world.stafferId);
    const leader = shownNames(reply).find((name) => COPIES.includes(name))!;
    assert.match(notesByName(reply).get(leader)!, /^-# and 3 near-copies: /);
  });

  test('page turns count again: a member who lost the staff channel no longer has its copy counted', async () => {
    const settings = (perPage: number) =>
      harness.discord.invokeSlashCommand({
        channelId: world.channelId,
        userId: world.adminId,
        name: 'settings',
        options: { 'results-per-page': perPage },
      });
    await settings(1);
    try {
      const first = await find(world.stafferId);
      assert.match(shownText(first), /page 1 of 2/, 'the picture and another-day.jpg, one a page');
      harness.discord.setMemberRoles(world.guildId, world.stafferId, []);
      const turn = (page: InteractionReply, label: string) =>
        harness.discord.pressButton({ userId: world.stafferId, messageId: page.original!.id, customId: buttonId(page, label) });
      const second = await turn(first, 'Next');
      const firstAgain = await turn(second, 'Previous');
      const notes = [second, firstAgain].flatMap((page) =>
        [...notesByName(page)].filter(([name]) => COPIES.includes(name)).map(([, note]) => note),
      );
      assert.equal(notes.length, 1, 'the picture is one result, on one page');
      assert.match(notes[0]!, /^-# and 2 near-copies: /);
      for (const page of [second, firstAgain]) assert.ok(!shownText(page).includes(world.staffChannelId));
    } finally {
      harness.discord.setMemberRoles(world.guildId, world.stafferId, [world.staffRoleId]);
      await settings(10);
    }
  });

  test('More like #n folds the near-copies of the picture it searches from', async () => {
    const results = await find(world.memberId);
    const number = shownNames(results).findIndex((name) => COPIES.includes(name)) + 1;
    const more = await chooseResult(harness, results, { menu: 'More like', number, userId: world.memberId, channelId: world.channelId });
    const copies = shownNames(more).filter((name) => COPIES.includes(name));
    assert.equal(copies.length, 1, shownNames(more).join(', '));
    assert.match(notesByName(more).get(copies[0]!)!, /^-# and 1 near-copy: \[1\]/);
  });
});
