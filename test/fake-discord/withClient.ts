import { once } from 'node:events';
import { Client, type ClientOptions } from 'discord.js';
import { FakeDiscord, type FakeDiscordOptions } from './fakeDiscord.js';

/** Starts a fake Discord and a real discord.js Client logged in to it; `stop()` tears both down. */

export interface FakeDiscordWithClient {
  discord: FakeDiscord;
  client: Client<true>;
  token: string;
  stop: () => Promise<void>;
}

export interface StartWithClientOptions extends Omit<ClientOptions, 'rest'> {
  /** Options of the fake; to build guilds before the client logs in, use `setup`. */
  fake?: FakeDiscordOptions;
  /** Runs after the fake starts and before login, so READY/GUILD_CREATE already carry what it builds. */
  setup?: (discord: FakeDiscord) => void | Promise<void>;
  rest?: ClientOptions['rest'];
}

export async function startFakeDiscordWithClient(options: StartWithClientOptions): Promise<FakeDiscordWithClient> {
  const { fake, setup, rest, ws, ...clientOptions } = options;
  const discord = await FakeDiscord.start(fake);
  let client: Client | undefined;
  try {
    await setup?.(discord);
    client = new Client({
      ...clientOptions,
      rest: { ...rest, api: discord.apiUrl },
      // Identify at once: Discord's 5 s identify spacing only slows tests down.
      ws: { buildIdentifyThrottler: () => ({ waitForIdentify: async () => undefined }), ...ws },
    });
    // Both at once, so a failed login (which rejects) never leaves the clientReady wait unhandled.
    await Promise.all([once(client, 'clientReady'), client.login(discord.botToken)]);
    const started = client as Client<true>;
    return {
      discord,
      client: started,
      token: discord.botToken,
      stop: async () => {
        await started.destroy();
        await discord.stop();
      },
    };
  } catch (error) {
    await client?.destroy();
    await discord.stop();
    throw error;
  }
}
