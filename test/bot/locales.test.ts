import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationCommandType } from 'discord.js';
import type { FakeDiscord } from '../fake-discord/index.js';
import { startBotUnderTest, type BotUnderTest } from './botHarness.js';
import { buildSmallWorld, indexChannel, postColours, privateText, shownText, type SmallWorld } from './world.js';

describe('replies in the member’s language', () => {
  let harness: BotUnderTest;
  let world: SmallWorld & { germanId: string; japaneseId: string; unknownId: string };

  function build(discord: FakeDiscord): void {
    const small = buildSmallWorld(discord);
    const person = (username: string, locale: string) => {
      const user = discord.createUser({ username, locale });
      discord.addMember(small.guildId, user.id);
      return user.id;
    };
    world = { ...small, germanId: person('greta', 'de'), japaneseId: person('yuki', 'ja'), unknownId: person('zed', 'xx-YY') };
  }

  before(async () => {
    harness = await startBotUnderTest({ setup: build });
    await indexChannel(harness, world);
    await postColours(harness, world.channelId, world.memberId, [{ name: 'red', rgb: [220, 30, 30] }]);
  });
  after(() => harness.stop());

  const find = (userId: string, query: string) =>
    harness.discord.invokeSlashCommand({ channelId: world.channelId, userId, name: 'find', options: { query } });

  test('a German member gets German results, controls and errors', async () => {
    const reply = await find(world.germanId, 'red');
    assert.match(shownText(reply), /^### Ergebnisse für „red“/);
    assert.match(JSON.stringify(reply.components), /Mehr wie #1/);
    assert.match(privateText(await find(world.germanId, '   ')), /Sag mir, wonach ich suchen soll/);
  });

  test('a Japanese member gets Japanese', async () => {
    assert.match(shownText(await find(world.japaneseId, 'red')), /「red」の検索結果/);
  });

  test('a member whose language the bot does not speak gets English', async () => {
    assert.match(shownText(await find(world.unknownId, 'red')), /^### Results for "red"/);
  });

  test('the registered commands carry their names and descriptions in every language', () => {
    const registered = [...harness.discord.state.globalCommands.values()];
    const find = registered.find((command) => command.name === 'find')!;
    assert.equal(find.name_localizations?.de, 'suchen');
    assert.equal(find.name_localizations?.ja, '検索');
    for (const command of registered) {
      for (const locale of ['de', 'fr', 'es-ES', 'es-419', 'pt-BR', 'ja'] as const) {
        assert.ok(command.name_localizations?.[locale], `${command.name}: a ${locale} name`);
        if (command.type === ApplicationCommandType.ChatInput) {
          assert.ok(command.description_localizations?.[locale], `${command.name}: a ${locale} description`);
          for (const option of command.options ?? [])
            assert.ok(option.description_localizations?.[locale], `${command.name} ${option.name}: a ${locale} description`);
        }
      }
    }
  });
});
