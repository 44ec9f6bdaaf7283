import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, shownText, until, type SmallWorld } from './world.js';

describe('/help', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
  });
  after(() => harness.stop());

  const help = (userId: string) => harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'help' });

  test('tells a member what each command does, with examples, privately', async () => {
    const reply = await help(world.memberId);
    assert.equal(reply.ephemeral, true);
    const text = shownText(reply);
    for (const example of [
      '/find query:a rainbow by the water',
      'match:words',
      '/similar image:',
      'Find similar images',
      '/stats',
      '/forget-me',
      'More like #n',
      'Show #n',
    ]) {
      assert.ok(text.includes(example), `mentions ${example}`);
    }
    assert.doesNotMatch(text, /Setting up/, 'the setup steps are for those who manage the server');
    assert.doesNotMatch(text, /\/reposts/, 'so are the optional features');
  });

  test('gives members who manage the server the five setup steps: permissions, channels, reindex, checking, settings', async () => {
    const text = shownText(await help(world.adminId));
    const steps = text
      .slice(text.indexOf('### Setting up'))
      .split('\n')
      .filter((line) => /^\d\. /.test(line));
    assert.equal(steps.length, 5);
    assert.match(steps[0]!, /View Channel.*Read Message History.*Send Messages/);
    assert.match(steps[1]!, /^2\. `\/channels add/);
    assert.match(steps[2]!, /^3\. `\/reindex/);
    assert.match(steps[3]!, /^4\. `\/channels list`/);
    assert.match(steps[4]!, /^5\. `\/settings`/);
  });

  test('then the optional features: words in images and repost notices', async () => {
    const text = shownText(await help(world.adminId));
    const optional = text.slice(text.indexOf('### Optional'));
    assert.match(optional, /`\/settings words-in-images:True`/);
    assert.match(optional, /`\/reposts channel`.*`\/reposts list`/);
  });
});

describe('the welcome when the bot joins a server', () => {
  let harness: BotUnderTest;

  before(async () => {
    harness = await startBotUnderTest();
  });
  after(() => harness.stop());

  /** A server with a #general (its system channel) that the bot joins once it exists. */
  function serverJoined(
    name: string,
    options: { preferredLocale?: string; botMayPost?: boolean } = {},
  ): { guildId: string; channelId: string } {
    const { discord } = harness;
    const owner = discord.createUser({ username: `${name}-owner` });
    const guild = discord.createGuild({
      name,
      ownerId: owner.id,
      withBot: false,
      ...(options.preferredLocale ? { preferredLocale: options.preferredLocale } : {}),
    });
    discord.addMember(guild.id, owner.id);
    const channel = discord.createChannel(guild.id, {
      name: 'general',
      ...(options.botMayPost === false
        ? { permissionOverwrites: [{ id: discord.botUser.id, type: 'member' as const, deny: P.SendMessages }] }
        : {}),
    });
    discord.addBotToGuild(guild.id);
    return { guildId: guild.id, channelId: channel.id };
  }
  const postsIn = (channelId: string) => harness.discord.botMessagesIn(channelId).filter((message) => message.origin === 'channel');

  test('is one short message in the system channel pointing to /help, in the server language', async () => {
    const joined = serverJoined('newcomers');
    await harness.discord.waitFor(() => postsIn(joined.channelId).length > 0, { what: 'the welcome' });
    const [welcome] = postsIn(joined.channelId);
    assert.match(welcome!.content, /`\/help`/);
    assert.ok(welcome!.content.length < 200, 'short');

    const french = serverJoined('bienvenue', { preferredLocale: 'fr' });
    await harness.discord.waitFor(() => postsIn(french.channelId).length > 0, { what: 'the French welcome' });
    assert.match(postsIn(french.channelId)[0]!.content, /Bonjour/);
  });

  test('is posted once: not again when the server comes back after an outage, nor after a restart', async () => {
    const joined = serverJoined('once');
    await harness.discord.waitFor(() => postsIn(joined.channelId).length > 0, { what: 'the welcome' });
    harness.discord.setGuildAvailable(joined.guildId, false);
    harness.discord.setGuildAvailable(joined.guildId, true);
    await harness.restart();
    // A server joined after all that is welcomed: the events of the first one have all been handled by then.
    const later = serverJoined('later');
    await harness.discord.waitFor(() => postsIn(later.channelId).length > 0, { what: 'the next welcome' });
    assert.equal(postsIn(joined.channelId).length, 1);
  });

  test('is not posted where the bot may not post', async () => {
    const closed = serverJoined('closed', { botMayPost: false });
    const later = serverJoined('after-closed');
    await harness.discord.waitFor(() => postsIn(later.channelId).length > 0, { what: 'the next welcome' });
    await until(() => harness.bot.client.guilds.cache.has(closed.guildId), 'the bot to know the closed server');
    assert.deepEqual(postsIn(closed.channelId), []);
    const refused = harness.discord.requests.filter(
      (request) => request.method === 'POST' && request.path === `/api/v10/channels/${closed.channelId}/messages`,
    );
    assert.deepEqual(refused, [], 'it did not even try');
  });
});
