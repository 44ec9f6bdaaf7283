import type { BotUnderTest } from '../../test/bot/botHarness.js';
import type { FakeDiscord } from '../../test/fake-discord/index.js';
import { weatherWatchers, type Scene } from './scene.js';

/** `/help` as the owner of a server sees it: every command with an example, then the setup steps for admins. */
export function helpScene(): Scene {
  const ids = { owner: '', channel: '' };
  return {
    name: 'help',
    setup(discord: FakeDiscord) {
      const { guildId, ownerId } = weatherWatchers(discord);
      ids.owner = ownerId;
      ids.channel = discord.createChannel(guildId, { name: 'weather' }).id;
    },
    async run(harness: BotUnderTest) {
      const reply = await harness.discord.invokeSlashCommand({ channelId: ids.channel, userId: ids.owner, name: 'help' });
      if (!reply.original) throw new Error(`/help gave no reply (callback ${reply.callbackType})`);
      return reply.original;
    },
  };
}
