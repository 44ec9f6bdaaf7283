import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildStaffWorld,
  buttonId,
  chooseResult,
  findAll,
  indexChannel,
  lastRequestSeq,
  postColours,
  privateText,
  shownNames,
  shownText,
  type StaffWorld,
} from './world.js';

describe('More like #n and Show #n on a results page', () => {
  let harness: BotUnderTest;
  let world: StaffWorld & { otherId: string };

  function build(discord: FakeDiscord): void {
    const staff = buildStaffWorld(discord);
    const otherId = discord.createUser({ username: 'bystander' }).id;
    discord.addMember(staff.guildId, otherId);
    world = { ...staff, otherId };
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: build });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await postColours(harness, world.channelId, world.memberId, [
      { name: 'red', rgb: [220, 30, 30] },
      { name: 'crimson', rgb: [200, 20, 60] },
      { name: 'blue', rgb: [30, 60, 220] },
      { name: 'green', rgb: [30, 160, 50] },
    ]);
    await postColours(harness, world.staffChannelId, world.stafferId, [{ name: 'staff-red', rgb: [230, 40, 20] }]);
  });
  after(() => harness.stop());

  const searchAs = (userId: string, query: string) => findAll(harness, { channelId: world.channelId, userId }, query);
  /** `menu` #number on a reply in #photos, chosen by `userId` (the member unless said). */
  const choose = (reply: InteractionReply, menu: 'More like' | 'Show', number = 1, userId = world.memberId) =>
    chooseResult(harness, reply, { menu, number, userId, channelId: world.channelId });

  test('Show #n shows that one image large, privately, with its line and jump link', async () => {
    const results = await searchAs(world.memberId, 'blue');
    const shown = await choose(results, 'Show');
    assert.equal(shown.ephemeral, true);
    assert.notEqual(shown.original!.id, results.original!.id, 'a reply of its own; the page stays');
    assert.deepEqual(shownNames(shown), [shownNames(results)[0]]);
    assert.match(
      shownText(shown),
      new RegExp(`^\\*\\*#1\\*\\* .*\\[Jump\\]\\(https://discord\\.com/channels/${world.guildId}/${world.channelId}/\\d+\\)`),
    );
    assert.throws(() => buttonId(shown, 'Share'), /no "Share" button/, 'sharing is off unless an admin switches it on');
  });

  test('More like #n searches from that result without downloading it again, and leaves the result itself out', async () => {
    const results = await searchAs(world.memberId, 'red');
    const chosen = shownNames(results)[0]!;
    const since = lastRequestSeq(harness.discord);
    const similar = await choose(results, 'More like');
    assert.equal(similar.ephemeral, true);
    assert.match(shownText(similar), /^### Images like \[this one\]\(https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+\)/);
    const names = shownNames(similar);
    assert.ok(!names.includes(chosen), 'not the image itself');
    assert.ok(names.length >= 3, names.join(' '));
    // The reddest of the rest comes first: the search ran on the chosen image's own vector.
    assert.ok(['red.png', 'crimson.png'].includes(names[0]!), names.join(' '));
    const cdnReads = harness.discord.requests.filter(
      (request) => request.seq > since && request.method === 'GET' && request.path.startsWith('/attachments/'),
    );
    assert.deepEqual(cdnReads, [], 'the image was not downloaded');
  });

  test('the new results have their own pages and menus, for the same member', async () => {
    const results = await searchAs(world.memberId, 'red');
    const similar = await choose(results, 'More like');
    const shown = await choose(similar, 'Show');
    assert.deepEqual(shownNames(shown), [shownNames(similar)[0]]);
  });

  test('More like #n shows nothing from channels the member cannot read', async () => {
    const results = await searchAs(world.memberId, 'red');
    const similar = await choose(results, 'More like');
    assert.ok(!shownNames(similar).includes('staff-red.png'));
    assert.ok(!shownText(similar).includes(world.staffChannelId));
  });

  test('only the searcher can use the menus', async () => {
    const results = await searchAs(world.memberId, 'red');
    await assert.rejects(choose(results, 'Show', 1, world.otherId), /ephemeral: only the user it was shown to can use it/);
  });

  test('Show #n of an image the member can no longer read says so, and shows nothing of it', async () => {
    const results = await searchAs(world.stafferId, 'red');
    const number = shownNames(results).indexOf('staff-red.png') + 1;
    assert.ok(number > 0, 'precondition: the staff image is among the results');
    harness.discord.setMemberRoles(world.guildId, world.stafferId, []);
    try {
      const shown = await choose(results, 'Show', number, world.stafferId);
      assert.match(privateText(shown), /That result is gone, or you can't see it any more/);
      assert.ok(!JSON.stringify([shown.components, shown.mediaUrls, shown.followups]).includes('staff-red'));
    } finally {
      harness.discord.setMemberRoles(world.guildId, world.stafferId, [world.staffRoleId]);
    }
  });

  test('after the bot restarts, the old page says its results expired', async () => {
    const results = await searchAs(world.memberId, 'green');
    await harness.restart();
    const shown: InteractionReply = await choose(results, 'Show');
    assert.match(privateText(shown), /These results have expired\. Run the search again\./);
  });
});
