import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { repostCopy } from '../fixtures/repostCopies.js';
import { allowSharing } from './sharing.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildRepostWorld, jumpTo, noticesOf, postImage, reposts, setUpReposts, weatherPhoto, type RepostWorld } from './repostWorld.js';
import { buttonId, chooseResult, privateText, shownNames, shownText, until } from './world.js';

const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Repost checks as members meet them, through the real client: the actions, the exemptions, and what notices may link. */
describe('reposts on Discord', () => {
  let harness: BotUnderTest;
  let world: RepostWorld;
  const notices = (messageId: string) => noticesOf(harness, world, messageId);
  const nothing = { reactions: [], replies: [], logPosts: [] };
  /** The bot's ♻️, alone on a message. */
  const recycled = () => [{ emoji: '♻️', userIds: [harness.discord.botUser.id] }];

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildRepostWorld(discord)) });
    await setUpReposts(harness, world);
  });
  after(() => harness.stop());

  test('a repost in a watched channel gets a ♻️ reaction, a reply linking the earliest copy, and a log post; nobody is pinged', async () => {
    const photo = await weatherPhoto(0);
    const original = await postImage(harness, world.quietId, world.memberId, photo, 'p0.jpg');
    const repost = await postImage(harness, world.memesId, world.stafferId, await repostCopy(photo, 'resized'), 'p0-resized.jpg');
    const { reactions, replies, logPosts } = notices(repost);
    assert.deepEqual(reactions, recycled());
    assert.equal(replies.length, 1);
    assert.match(
      replies[0]!,
      new RegExp(`^♻️ This image was posted before, <t:\\d+:R>: ${escaped(jumpTo(world, world.quietId, original))}$`),
    );
    assert.equal(logPosts.length, 1);
    const newPost = jumpTo(world, world.memesId, repost);
    const earlier = jumpTo(world, world.quietId, original);
    assert.match(
      logPosts[0]!,
      new RegExp(
        `^♻️ <@${world.stafferId}> reposted an image in <#${world.memesId}>: ${escaped(newPost)} · earlier: ${escaped(earlier)} \\(<t:\\d+:d>\\)$`,
      ),
    );
    const sent = harness.discord.requests.filter(
      (request) => request.method === 'POST' && /\/channels\/\d+\/messages$/.test(request.path) && request.body !== null,
    );
    const bodies = sent.slice(-2).map((request) => (request.body as { allowed_mentions?: unknown }).allowed_mentions);
    assert.deepEqual(bodies, [{ parse: [], replied_user: false }, { parse: [] }], 'the reply and the log post ping nobody');
  });

  test('nothing happens in a channel that is not watched', async () => {
    const photo = await weatherPhoto(1);
    await postImage(harness, world.quietId, world.memberId, photo, 'p1.jpg');
    const again = await postImage(harness, world.quietId, world.stafferId, photo, 'p1-again.jpg');
    assert.deepEqual(notices(again), nothing);
  });

  test('posting your own image again within the window is not a repost; with no window it is', async () => {
    const photo = await weatherPhoto(2);
    await postImage(harness, world.memesId, world.memberId, photo, 'p2.jpg');
    const soon = await postImage(harness, world.memesId, world.memberId, photo, 'p2-again.jpg');
    assert.deepEqual(notices(soon), nothing);
    await reposts(harness, world, 'rules', { 'same-author-hours': 0 });
    try {
      const once = await postImage(harness, world.memesId, world.memberId, photo, 'p2-once-more.jpg');
      assert.deepEqual(notices(once).reactions, recycled());
    } finally {
      await reposts(harness, world, 'rules', { 'same-author-hours': 24 });
    }
  });

  test('a member with an exempt role is not told', async () => {
    const photo = await weatherPhoto(3);
    await postImage(harness, world.quietId, world.memberId, photo, 'p3.jpg');
    const byMod = await postImage(harness, world.memesId, world.modId, photo, 'p3-again.jpg');
    assert.deepEqual(notices(byMod), nothing);
  });

  test('an image posted before only in an exempt channel makes no repost', async () => {
    const photo = await weatherPhoto(4);
    await postImage(harness, world.archiveId, world.memberId, photo, 'p4.jpg');
    const later = await postImage(harness, world.memesId, world.stafferId, photo, 'p4-again.jpg');
    assert.deepEqual(notices(later), nothing);
  });

  test('a repost whose only earlier copy is in a channel the readers of the new message cannot all read gets no notice', async () => {
    const photo = await weatherPhoto(5);
    await postImage(harness, world.staffChannelId, world.stafferId, photo, 'p5.jpg');
    const repost = await postImage(harness, world.memesId, world.memberId, photo, 'p5-again.jpg');
    assert.deepEqual(notices(repost), nothing, 'even a bare ♻️ would say that a hidden channel holds this image');
  });

  test('the reply links the earliest copy that everyone there can read', async () => {
    const photo = await weatherPhoto(6);
    await postImage(harness, world.staffChannelId, world.stafferId, photo, 'p6.jpg');
    const readable = await postImage(harness, world.quietId, world.memberId, photo, 'p6-quiet.jpg');
    const repost = await postImage(harness, world.memesId, world.adminId, photo, 'p6-memes.jpg');
    assert.match(notices(repost).replies[0] ?? '', new RegExp(`: ${escaped(jumpTo(world, world.quietId, readable))}$`));
  });

  test('a log channel whose readers cannot all read a watched channel hears nothing of it, and /reposts status says so', async () => {
    await reposts(harness, world, 'channel', { channel: world.staffChannelId, log: true });
    try {
      const photo = await weatherPhoto(7);
      await postImage(harness, world.staffChannelId, world.stafferId, photo, 'p7.jpg');
      const repost = await postImage(harness, world.staffChannelId, world.adminId, photo, 'p7-again.jpg');
      assert.deepEqual(notices(repost), nothing);
      const status = (await reposts(harness, world, 'status')).content;
      assert.match(
        status,
        new RegExp(`Reposts in <#${world.staffChannelId}> are not logged: not everyone who can read <#${world.modLogId}> can read it\\.`),
      );
    } finally {
      await reposts(harness, world, 'channel', { channel: world.staffChannelId, log: false });
    }
  });

  test('a reaction Discord refuses is reported by /reposts status, and the reply still goes', async () => {
    const photo = await weatherPhoto(8);
    await postImage(harness, world.quietId, world.memberId, photo, 'p8.jpg');
    const repost = await postImage(harness, world.noReactionsId, world.stafferId, photo, 'p8-again.jpg');
    const { reactions, replies } = notices(repost);
    assert.deepEqual(reactions, []);
    assert.equal(replies.length, 1);
    const status = (await reposts(harness, world, 'status')).content;
    assert.match(
      status,
      new RegExp(`<#${world.noReactionsId}>: Discord refused my reaction\\. Give my role Add Reactions and Read Message History there\\.`),
    );
    assert.deepEqual(await harness.bot.context.guildState.reposts.refusals(world.guildId), new Map([[world.noReactionsId, ['react']]]));
  });

  test('the bot never acts on its own messages: a shared result in a watched channel gets no notice', async () => {
    await allowSharing(harness, world);
    const photo = await weatherPhoto(9);
    await postImage(harness, world.quietId, world.memberId, photo, 'p9.jpg');
    const results = await harness.discord.invokeSlashCommand({
      channelId: world.memesId,
      userId: world.memberId,
      name: 'find',
      options: { query: 'p9', match: 'words' },
    });
    assert.deepEqual(shownNames(results), ['p9.jpg']);
    const shown = await chooseResult(harness, results, { menu: 'Show', number: 1, userId: world.memberId, channelId: world.memesId });
    const before = harness.discord.botMessagesIn(world.memesId).length;
    await harness.discord.pressButton({
      userId: world.memberId,
      channelId: world.memesId,
      messageId: shown.original!.id,
      customId: buttonId(shown, 'Share'),
    });
    const post = await harness.discord.waitFor(() =>
      harness.discord
        .botMessagesIn(world.memesId)
        .slice(before)
        .find((message) => message.attachments.length > 0),
    );
    await harness.bot.context.live.flush();
    assert.deepEqual(notices(post.id).reactions, []);
    assert.deepEqual(notices(post.id).replies, []);
  });

  test('a repost posted while the bot was offline gets no notice when it is caught up', async () => {
    const photo = await weatherPhoto(10);
    await postImage(harness, world.quietId, world.memberId, photo, 'p10.jpg');
    await harness.stopBot();
    const missed = await harness.discord.postMessage(world.memesId, world.stafferId, {
      attachments: [{ filename: 'p10-again.jpg', data: photo, contentType: 'image/jpeg' }],
    });
    await harness.startBotAgain();
    const id = `${missed.id}:${missed.attachments[0]!.id}`;
    await until(() => harness.engine.library.has(world.guildId, id), 'the missed repost caught up');
    await harness.bot.context.live.flush();
    assert.deepEqual(notices(missed.id), nothing);
  });

  test('/reposts status shows the watched channels, the log channel, the exemptions and the rules', async () => {
    const lines = (await reposts(harness, world, 'status')).content.split('\n');
    assert.equal(lines[0], 'Repost checks (every other channel is not watched):');
    assert.ok(
      lines.includes(`• <#${world.memesId}>: react ♻️, reply with a link to the earliest copy, and post in the log channel`),
      lines.join('\n'),
    );
    assert.ok(lines.includes(`• <#${world.noReactionsId}>: react ♻️ and reply with a link to the earliest copy`));
    assert.ok(lines.includes(`Log channel: <#${world.modLogId}>`));
    assert.ok(lines.includes(`Left out: <#${world.archiveId}> and <@&${world.modsRoleId}>`));
    assert.ok(lines.includes('Your own image posted again within 24 hours is not a repost.'));
    assert.ok(
      lines.includes(
        "Near-copies: hashes at most 14 bits apart and similarity at least 0.8, or hashes at most 8 bits apart (the bot's defaults).",
      ),
    );
    assert.ok(
      lines.includes(
        'Words in images are off, so two captions on the same meme template count as copies of each other. `/settings words-in-images:True` tells them apart.',
      ),
    );
  });

  test('watching a channel that is not indexed says so; switching every action off stops watching it', async () => {
    const on = await reposts(harness, world, 'channel', { channel: world.lobbyId, react: true });
    assert.match(
      on.content,
      new RegExp(
        `^When a repost arrives in <#${world.lobbyId}> \\(or its threads\\), I will react ♻️\\.\nNote: <#${world.lobbyId}> is not indexed`,
      ),
    );
    const off = await reposts(harness, world, 'channel', { channel: world.lobbyId, react: false });
    assert.equal(off.content, `Repost checks are off in <#${world.lobbyId}>.`);
    assert.ok(!(await reposts(harness, world, 'status')).content.includes(world.lobbyId));
  });

  test("a server's own thresholds decide what is a near-copy; reset brings back the defaults", async () => {
    const photo = await weatherPhoto(0);
    // The framed copy's hash is 6 bits from the original's (and from its resized copy posted above).
    const saved = await reposts(harness, world, 'rules', { 'max-distance': 5 });
    assert.match(saved.content, /^Saved\.\n[\s\S]*Near-copies: hashes at most 5 bits apart .*\(this server's thresholds\)\.$/m);
    try {
      const framed = await postImage(harness, world.memesId, world.adminId, await repostCopy(photo, 'bordered'), 'p0-framed.jpg');
      assert.deepEqual(notices(framed), nothing);
    } finally {
      const reset = await reposts(harness, world, 'rules', { reset: true });
      assert.match(reset.content, /hashes at most 14 bits apart .*\(the bot's defaults\)\.$/m);
    }
  });

  test('/reposts list shows recent reposts beside their earlier posts, leaving out what the admin cannot read', async () => {
    const owner = await reposts(harness, world, 'list');
    assert.match(shownText(owner), /^### Recent reposts/);
    assert.ok(shownNames(owner).includes('p0-resized.jpg') && shownNames(owner).includes('p5-again.jpg'), shownNames(owner).join());
    assert.match(
      shownText(owner),
      new RegExp(
        `a repost of \\[this post\\]\\(https://discord\\.com/channels/${world.guildId}/${world.quietId}/\\d+\\) in <#${world.quietId}>`,
      ),
    );
    const mod = await reposts(harness, world, 'list', {}, world.modId);
    assert.ok(shownNames(mod).includes('p0-resized.jpg'));
    assert.ok(!shownNames(mod).includes('p5-again.jpg'), 'its only earlier post is in the staff channel, which the mod cannot read');
    assert.ok(!shownText(mod).includes(world.staffChannelId));
    assert.match(privateText(await reposts(harness, world, 'list', {}, world.memberId)), /Manage Server/);
  });
});
