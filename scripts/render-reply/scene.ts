import type { BotUnderTest } from '../../test/bot/botHarness.js';
import type { BotMessageRecord, FakeDiscord } from '../../test/fake-discord/index.js';

/** One picture of the bot: the world it runs in, and what a person does to get the reply that is drawn. */
export interface Scene {
  /** The picture's file name, without `.png`. */
  name: string;
  /** Builds guilds, channels and people before the bot starts. */
  setup(discord: FakeDiscord): void;
  /** Drives the running bot; resolves with the bot's reply as the fake Discord recorded it. */
  run(harness: BotUnderTest): Promise<BotMessageRecord>;
}
