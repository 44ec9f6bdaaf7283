import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { REST } from 'discord.js';
import { loadConfig, type Config } from '../../src/config.js';
import { startBot, type Bot } from '../../src/discord/bot.js';
import { registerCommands } from '../../src/discord/registerCommands.js';
import { openEngine, type Engine } from '../../src/engine.js';
import { setLogLevel } from '../../src/logger.js';
import { BotMetrics } from '../../src/ops/metrics.js';
import { FakeDiscord, type FakeDiscordOptions } from '../fake-discord/index.js';
import { fixtureModelDir } from '../fixtures/models/fixtureModels.js';

export interface BotUnderTest {
  discord: FakeDiscord;
  bot: Bot;
  engine: Engine;
  config: Config;
  /** The bot's metrics, when started with `metrics: true`. */
  metrics: BotMetrics | undefined;
  /** Stops the bot (as on SIGTERM) and starts it again on the same store. */
  restart(): Promise<void>;
  /** Stops the bot only; `start()` brings it back (downtime in between). */
  stopBot(): Promise<void>;
  startBotAgain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a loopback Discord and the real bot against it: the tiny model, a fresh SQLite
 * store, commands registered. `env` overrides any configuration variable.
 */
export async function startBotUnderTest(
  options: { fake?: FakeDiscordOptions; env?: Record<string, string>; setup?: (discord: FakeDiscord) => void; metrics?: boolean } = {},
): Promise<BotUnderTest> {
  const discord = await FakeDiscord.start(options.fake ?? {});
  options.setup?.(discord);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'bot-test-'));
  const config = loadConfig({
    DISCORD_TOKEN: discord.botToken,
    DISCORD_API_URL: discord.apiUrl,
    DISCORD_CDN_HOSTS: discord.cdnHost,
    MODEL_DIR: await fixtureModelDir('tiny'),
    STORE_URL: `sqlite://${path.join(dataDir, 'index.sqlite')}`,
    LOG_LEVEL: 'silent',
    ENCODER_THREADS: '1',
    COMMANDS_PER_MINUTE: '1000',
    // Off unless a test turns it on: its history reads would mix with those a test counts.
    RECHECK_REQUESTS_PER_MINUTE: '0',
    ...options.env,
  });
  setLogLevel(config.logLevel);
  await registerCommands(new REST({ api: config.discord.apiUrl }).setToken(discord.botToken), discord.applicationId);

  const metrics = options.metrics === true ? new BotMetrics() : undefined;
  let engine = await openEngine(config);
  let bot = await startBot(config, engine, discord.botToken, metrics);
  let running = true;
  const harness: BotUnderTest = {
    discord,
    get bot() {
      return bot;
    },
    get engine() {
      return engine;
    },
    config,
    metrics,
    async stopBot() {
      if (!running) return;
      running = false;
      await bot.stop();
      await engine.close();
    },
    async startBotAgain() {
      engine = await openEngine(config);
      bot = await startBot(config, engine, discord.botToken, metrics);
      running = true;
    },
    async restart() {
      await harness.stopBot();
      await harness.startBotAgain();
    },
    async stop() {
      await harness.stopBot();
      await discord.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
