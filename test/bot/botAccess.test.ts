import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PermissionFlagsBits as P } from 'discord.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, findAll, indexChannel, postColours, shownChannels, until, type SmallWorld } from './world.js';

const RED = [220, 30, 30] as const;

/**
 * Channels the bot can no longer read: Discord sends it no deletions from a channel it cannot
 * see, and answers an empty history without Read Message History, so what it holds from there
 * may be stale. Results from such a channel are left out until it can read it again.
 */
describe('an indexed channel the bot can no longer read', () => {
  let harness: BotUnderTest;
  let world: SmallWorld;
  const lost = { view: '', history: '' };
  const posted: Record<string, string[]> = {};

  before(async () => {
    harness = await startBotUnderTest({ setup: (discord) => (world = buildSmallWorld(discord)) });
    lost.view = harness.discord.createChannel(world.guildId, { name: 'lost-view' }).id;
    lost.history = harness.discord.createChannel(world.guildId, { name: 'lost-history' }).id;
    for (const channelId of [world.channelId, lost.view, lost.history]) {
      await indexChannel(harness, world, channelId);
      posted[channelId] = [];
      for (let n = 1; n <= 2; n++)
        posted[channelId].push(...(await postColours(harness, channelId, world.memberId, [{ name: `red-${channelId}-${n}`, rgb: RED }])));
    }
  });
  after(() => harness.stop());

  function takeFromBot(channelId: string, permission: bigint): Promise<void> {
    harness.discord.updateChannel(channelId, {
      permissionOverwrites: [{ id: harness.discord.botUser.id, type: 'member', deny: permission }],
    });
    return until(() => {
      const channel = harness.bot.client.channels.cache.get(channelId);
      return (
        channel !== undefined && 'permissionOverwrites' in channel && channel.permissionOverwrites.cache.has(harness.discord.botUser.id)
      );
    }, 'the bot to hear of its lost permission');
  }

  test('its images leave results, /channels list says what to give, and they come back (less what was deleted meanwhile) once it can read', async () => {
    const where = { channelId: world.channelId, userId: world.memberId };
    assert.deepEqual(new Set(shownChannels(await findAll(harness, where, 'red'))), new Set([world.channelId, lost.view, lost.history]));

    await takeFromBot(lost.view, P.ViewChannel);
    await takeFromBot(lost.history, P.ReadMessageHistory);
    // Deleted while the bot cannot see the channel: no event reaches it.
    const deletedId = posted[lost.view]![0]!;
    await harness.discord.deleteMessage(deletedId.split(':')[0]!);

    const hidden = await findAll(harness, where, 'red');
    assert.deepEqual(new Set(shownChannels(hidden)), new Set([world.channelId]));
    assert.ok(harness.engine.library.has(world.guildId, deletedId), 'the records are kept, not deleted');

    const list = await harness.discord.invokeSlashCommand({ ...where, userId: world.adminId, name: 'channels', subcommand: 'list' });
    assert.equal(list.ephemeral, true);
    assert.match(list.content, new RegExp(`<#${lost.view}>: I can't read it now.*Give me View Channel there`));
    assert.match(list.content, new RegExp(`<#${lost.history}>: I can't read it now.*Give me Read Message History there`));
    assert.match(list.content, new RegExp(`• <#${world.channelId}>\\n|• <#${world.channelId}>$`));

    harness.discord.updateChannel(lost.view, { permissionOverwrites: [] });
    harness.discord.updateChannel(lost.history, { permissionOverwrites: [] });
    await until(
      () =>
        [lost.view, lost.history].every((id) => {
          const channel = harness.bot.client.channels.cache.get(id);
          return channel !== undefined && 'permissionOverwrites' in channel && channel.permissionOverwrites.cache.size === 0;
        }),
      'the bot to hear its permissions are back',
    );
    const back = await findAll(harness, where, 'red');
    const shown = shownChannels(back);
    assert.deepEqual(new Set(shown), new Set([world.channelId, lost.view, lost.history]));
    assert.equal(shown.filter((id) => id === lost.view).length, 1, 'the message deleted meanwhile is not shown');
    assert.equal(harness.engine.library.has(world.guildId, deletedId), false, 'and it is forgotten once found gone');
  });
});
