import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { pressShare, publicFollowups, showResult } from './sharing.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildStaffWorld,
  buttonId,
  everyPage,
  findAll,
  indexChannel,
  postColours,
  privateText,
  shownNames,
  type StaffWorld,
} from './world.js';

const IS_COMPONENTS_V2 = 1 << 15;

describe('/settings, and sharing a result', () => {
  let harness: BotUnderTest;
  let world: StaffWorld;

  function build(discord: FakeDiscord): void {
    const staff = buildStaffWorld(discord);
    world = staff;
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: build });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.staffChannelId);
    await postColours(
      harness,
      world.channelId,
      world.memberId,
      Array.from({ length: 12 }, (_, i) => ({ name: `blue-${i + 1}`, rgb: [30, 60, 220] as const })),
    );
    await postColours(harness, world.staffChannelId, world.stafferId, [{ name: 'staff-blue', rgb: [20, 50, 230] }]);
  });
  after(() => harness.stop());

  const settings = (userId: string, options: Record<string, number | boolean> = {}) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'settings', options });
  /** Show #n of a `blue` search: of the image named, else of the first result. */
  const show = (userId: string, channelId: string, name?: string) => showResult(harness, { channelId, userId }, 'blue', name);
  const share = (userId: string, channelId: string, shown: InteractionReply) => pressShare(harness, shown, { channelId, userId });
  const publicPosts = (channelId: string) => publicFollowups(harness.discord, channelId);

  test('/settings shows the defaults, and only to members who manage the server', async () => {
    const shown = await settings(world.adminId);
    assert.match(shown.content, /Results per page: \*\*10\*\*/);
    assert.match(shown.content, /Members may share results: \*\*off\*\*/);
    assert.match(privateText(await settings(world.memberId, { sharing: true })), /Manage Server/);
    assert.match((await settings(world.adminId)).content, /share results: \*\*off\*\*/, 'the member changed nothing');
  });

  test('results per page: the next search shows that many a page', async () => {
    const changed = await settings(world.adminId, { 'results-per-page': 5 });
    assert.match(changed.content, /^Saved\./);
    assert.match(changed.content, /Results per page: \*\*5\*\*/);
    try {
      const first = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'blue');
      assert.equal(shownNames(first).length, 5);
      const pages = await everyPage(harness, first, world.memberId);
      assert.equal(pages.length, 3);
      assert.equal(pages.flatMap(shownNames).length, 12);
    } finally {
      await settings(world.adminId, { 'results-per-page': 10 });
    }
  });

  test('with sharing on, Share posts just that image and its jump link publicly, in the channel', async () => {
    await settings(world.adminId, { sharing: true });
    const shown = await show(world.memberId, world.channelId);
    const before = publicPosts(world.channelId).length;
    await share(world.memberId, world.channelId, shown);
    await harness.discord.waitFor(() => publicPosts(world.channelId).length > before, { what: 'the shared image to be posted' });
    const post = publicPosts(world.channelId).at(-1)!;
    assert.equal(post.ephemeral, false);
    assert.equal(post.flags & IS_COMPONENTS_V2, IS_COMPONENTS_V2);
    assert.deepEqual(
      post.attachments.map((attachment) => attachment.filename),
      [shown.name],
    );
    const text = JSON.stringify(post.components);
    assert.match(text, new RegExp(`<@${world.memberId}> shared an image`));
    assert.match(text, new RegExp(`\\[Jump to message\\]\\(https://discord\\.com/channels/${world.guildId}/${world.channelId}/\\d+\\)`));
  });

  test('Share is refused, privately, when not everyone who reads this channel can read the image', async () => {
    await settings(world.adminId, { sharing: true });
    const shown = await show(world.stafferId, world.channelId, 'staff-blue.png');
    const before = publicPosts(world.channelId).length;
    const refused = await share(world.stafferId, world.channelId, shown);
    assert.match(privateText(refused), new RegExp(`not everyone who can read this channel can read <#${world.staffChannelId}>`));
    assert.equal(publicPosts(world.channelId).length, before, 'nothing was posted');
  });

  test('in the staff channel itself, the staff image can be shared', async () => {
    await settings(world.adminId, { sharing: true });
    const shown = await show(world.stafferId, world.staffChannelId, 'staff-blue.png');
    const before = publicPosts(world.staffChannelId).length;
    await share(world.stafferId, world.staffChannelId, shown);
    await harness.discord.waitFor(() => publicPosts(world.staffChannelId).length > before, { what: 'the shared image to be posted' });
  });

  test('with sharing off, Show has no Share button, and one shown before sharing was switched off is refused', async () => {
    await settings(world.adminId, { sharing: true });
    const earlier = await show(world.memberId, world.channelId);
    await settings(world.adminId, { sharing: false });
    const later = await show(world.memberId, world.channelId);
    assert.throws(() => buttonId(later, 'Share'), /no "Share" button/);
    const before = publicPosts(world.channelId).length;
    assert.match(privateText(await share(world.memberId, world.channelId, earlier)), /Sharing results is switched off in this server/);
    assert.equal(publicPosts(world.channelId).length, before);
  });
});
