import type { BotUnderTest } from '../../test/bot/botHarness.js';
import type { BotMessageRecord, FakeDiscord } from '../../test/fake-discord/index.js';

/** The server the pictures are taken in: Weather Watchers, owned by Ada, who is its first member. */
export function weatherWatchers(discord: FakeDiscord): { guildId: string; ownerId: string } {
  const owner = discord.createUser({ username: 'ada', globalName: 'Ada' });
  const guild = discord.createGuild({ name: 'Weather Watchers', ownerId: owner.id });
  discord.addMember(guild.id, owner.id);
  return { guildId: guild.id, ownerId: owner.id };
}

/** One picture of the bot: the world it runs in, and what a person does to get the reply that is drawn. */
export interface Scene {
  /** The picture's file name, without `.png`. */
  name: string;
  /** Builds guilds, channels and people before the bot starts. */
  setup(discord: FakeDiscord): void;
  /** Drives the running bot; resolves with the bot's reply as the fake Discord recorded it. */
  run(harness: BotUnderTest): Promise<BotMessageRecord>;
}
