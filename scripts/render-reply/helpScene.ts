import type { BotUnderTest } from '../../test/bot/botHarness.js';
import type { FakeDiscord } from '../../test/fake-discord/index.js';
import type { Scene } from './scene.js';

/** `/help` as the owner of a server sees it: every command with an example, then the setup steps for admins. */
export function helpScene(): Scene {
  const ids = { owner: '', channel: '' };
  return {
    name: 'help',
    setup(discord: FakeDiscord) {
      const owner = discord.createUser({ username: 'ada', globalName: 'Ada' });
      const guild = discord.createGuild({ name: 'Weather Watchers', ownerId: owner.id });
      discord.addMember(guild.id, owner.id);
      ids.owner = owner.id;
      ids.channel = discord.createChannel(guild.id, { name: 'weather' }).id;
    },
    async run(harness: BotUnderTest) {
      const reply = await harness.discord.invokeSlashCommand({ channelId: ids.channel, userId: ids.owner, name: 'help' });
      if (!reply.original) throw new Error(`/help gave no reply (callback ${reply.callbackType})`);
      return reply.original;
    },
  };
}
