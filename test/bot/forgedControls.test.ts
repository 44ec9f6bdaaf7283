import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import type { BotMessageRecord, FakeDiscord, InteractionReply } from '../fake-discord/index.js';
import { allowSharing, publicFollowups } from './sharing.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import {
  buildSmallWorld,
  buttonId,
  chooseResult,
  findAll,
  indexChannel,
  postColours,
  privateText,
  selectMenu,
  shownChannels,
  until,
  type SmallWorld,
} from './world.js';

const RED = [220, 30, 30] as const;
const BLUE = [30, 60, 220] as const;

/**
 * Discord does not promise that a component interaction's custom id comes from the message it
 * arrives on: a modified client can send any custom id on any message it sees. Every control
 * must therefore hold only on the message the bot put it on, and a refused press must never
 * change the message it arrived on.
 */
interface ForgeryWorld extends SmallWorld {
  /** Only the admin (and the bot) can read it. */
  secretId: string;
  otherId: string;
}

function build(discord: FakeDiscord): ForgeryWorld {
  const small = buildSmallWorld(discord);
  const secretId = discord.createChannel(small.guildId, {
    name: 'secret',
    permissionOverwrites: [
      { id: small.guildId, type: 'role', deny: P.ViewChannel },
      { id: discord.botUser.id, type: 'member', allow: P.ViewChannel | P.ReadMessageHistory },
    ],
  }).id;
  const otherId = discord.createUser({ username: 'other' }).id;
  discord.addMember(small.guildId, otherId);
  return { ...small, secretId, otherId };
}

/** The session part of a results custom id (`results:<session>:…`). */
const sessionOf = (customId: string) => customId.split(':')[1]!;

describe('controls pressed on a message they were not put on', () => {
  let harness: BotUnderTest;
  let world: ForgeryWorld;
  /** A public message of the bot in #photos: the /reindex progress, which the member reads. */
  let publicMessage: BotMessageRecord;
  /** The admin's results for "red", holding #secret images, and the session id of their controls. */
  let adminResults: InteractionReply;
  let session: string;

  const versionsOf = (messageId: string) => harness.discord.botMessages.find((message) => message.id === messageId)!.versions.length;
  const publicPosts = () => publicFollowups(harness.discord, world.channelId);

  /** A forged press by the admin on the public message: answered privately, the message unchanged. */
  async function forgeOnPublic(customId: string, values?: string[]): Promise<InteractionReply> {
    const before = versionsOf(publicMessage.id);
    const spec = { userId: world.adminId, messageId: publicMessage.id, customId, forged: true };
    const reply = values === undefined ? await harness.discord.pressButton(spec) : await harness.discord.selectMenu({ ...spec, values });
    assert.equal(reply.ephemeral, true, 'the answer is private');
    assert.equal(versionsOf(publicMessage.id), before, 'the public message was not edited');
    assert.ok(!JSON.stringify(harness.discord.botMessages.find((message) => message.id === publicMessage.id)).includes(world.secretId));
    return reply;
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = build(discord)) });
    await indexChannel(harness, world);
    await indexChannel(harness, world, world.secretId);
    await postColours(harness, world.secretId, world.adminId, [{ name: 'secret-red', rgb: RED }]);
    await postColours(
      harness,
      world.channelId,
      world.memberId,
      Array.from({ length: 11 }, (_, i) => ({ name: `open-blue-${i}`, rgb: BLUE })),
    );
    await allowSharing(harness, world);
    await harness.discord.invokeSlashCommand({ channelId: world.channelId, userId: world.adminId, name: 'reindex' });
    const progress = () => harness.discord.botMessagesIn(world.channelId).find((message) => message.origin === 'channel');
    await until(() => /Finished reindexing/.test(progress()?.versions.at(-1)?.content ?? ''), 'the public progress to finish');
    publicMessage = progress()!;
    assert.equal(publicMessage.ephemeral, false);
    adminResults = await findAll(harness, { channelId: world.channelId, userId: world.adminId }, 'red');
    assert.ok(shownChannels(adminResults).includes(world.secretId), 'precondition: the admin sees #secret images privately');
    session = sessionOf(buttonId(adminResults, 'Next'));
  });
  after(() => harness.stop());

  test('a page button of a private results session, forged onto a public message, does not turn it into those results', async () => {
    const reply = await forgeOnPublic(`results:${session}:page:0`);
    assert.match(reply.content, /This button no longer works/);
  });

  test('More like and Show, forged onto a public message, show nothing and change nothing', async () => {
    for (const kind of ['more', 'show']) {
      const reply = await forgeOnPublic(`results:${session}:${kind}`, ['0']);
      assert.match(reply.content, /This button no longer works/);
      assert.equal(reply.mediaUrls.length, 0);
    }
  });

  test('Share, forged onto a public message, posts nothing', async () => {
    const before = publicPosts().length;
    const reply = await forgeOnPublic(`results:${session}:share:0`);
    assert.match(reply.content, /This button no longer works/);
    assert.equal(publicPosts().length, before, 'nothing was posted');
  });

  test('an expired or made-up session, and a control the bot does not have, forged onto a public message, change nothing', async () => {
    assert.match((await forgeOnPublic('results:AAAAAAAAAAAA:page:1')).content, /This button no longer works/);
    assert.match((await forgeOnPublic('results:AAAAAAAAAAAA:more', ['0'])).content, /This button no longer works/);
    assert.match((await forgeOnPublic('welcome:dismiss')).content, /no longer works/);
  });

  test("another member's session, forged onto the member's own results, is refused and leaves their page as it was", async () => {
    const own = await findAll(harness, { channelId: world.channelId, userId: world.memberId }, 'red');
    const before = versionsOf(own.original!.id);
    for (const customId of [`results:${session}:page:1`, `results:${session}:share:0`]) {
      const reply = await harness.discord.pressButton({ userId: world.memberId, messageId: own.original!.id, customId, forged: true });
      assert.match(privateText(reply), /no longer works|Only the person who ran this search/);
      assert.ok(!JSON.stringify([reply.components, reply.mediaUrls, reply.followups]).includes(world.secretId));
    }
    for (const kind of ['show', 'more']) {
      const chosen = await harness.discord.selectMenu({
        userId: world.memberId,
        messageId: own.original!.id,
        customId: `results:${session}:${kind}`,
        values: ['0'],
        forged: true,
      });
      assert.ok(!JSON.stringify([chosen.components, chosen.mediaUrls, chosen.followups]).includes(world.secretId));
    }
    assert.equal(versionsOf(own.original!.id), before, "the member's page was not edited");
  });

  test("a member's own other session, forged onto one of their pages, does not change that page", async () => {
    const first = await findAll(harness, { channelId: world.channelId, userId: world.adminId }, 'red');
    const second = await findAll(harness, { channelId: world.channelId, userId: world.adminId }, 'blue');
    const before = versionsOf(second.original!.id);
    const reply = await harness.discord.pressButton({
      userId: world.adminId,
      messageId: second.original!.id,
      customId: buttonId(first, 'Next'),
      forged: true,
    });
    assert.match(reply.content, /This button no longer works/);
    assert.equal(versionsOf(second.original!.id), before);
  });

  test('Share forged onto a results page (not the Show reply it belongs to) posts nothing', async () => {
    const shown = await chooseResult(harness, adminResults, { menu: 'Show', number: 1, userId: world.adminId, channelId: world.channelId });
    const share = buttonId(shown, 'Share');
    const before = publicPosts().length;
    const reply = await harness.discord.pressButton({
      userId: world.adminId,
      messageId: adminResults.original!.id,
      customId: share,
      forged: true,
    });
    assert.match(reply.content, /This button no longer works/);
    assert.equal(publicPosts().length, before);
  });

  test('a select value that is not a result of the session is refused', async () => {
    const { customId } = selectMenu(adminResults, 'Show');
    for (const value of ['999', '-1', 'abc', '1e3']) {
      const reply = await harness.discord.selectMenu({
        userId: world.adminId,
        messageId: adminResults.original!.id,
        customId,
        values: [value],
        forged: true,
      });
      assert.match(privateText(reply), /That result is gone/);
      assert.equal(reply.mediaUrls.length, 0);
    }
  });

  test('after a restart every control of an old page, and Share of an old Show, says the results expired', async () => {
    const results = await findAll(harness, { channelId: world.channelId, userId: world.adminId }, 'red');
    const shown = await chooseResult(harness, results, { menu: 'Show', number: 1, userId: world.adminId, channelId: world.channelId });
    await harness.restart();
    const press = (messageId: string, customId: string, values?: string[]) =>
      values === undefined
        ? harness.discord.pressButton({ userId: world.adminId, messageId, customId })
        : harness.discord.selectMenu({ userId: world.adminId, messageId, customId, values });
    const replies = [
      await press(results.original!.id, buttonId(results, 'Next')),
      await press(results.original!.id, selectMenu(results, 'More like').customId, ['0']),
      await press(results.original!.id, selectMenu(results, 'Show').customId, ['0']),
      await press(shown.original!.id, buttonId(shown, 'Share')),
    ];
    for (const reply of replies) assert.equal(privateText(reply), 'These results have expired. Run the search again.');
  });
});
