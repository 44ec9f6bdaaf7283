import process from 'node:process';
import { Status } from 'discord.js';
import { loadConfig, requireDiscordToken, type Config } from './config.js';
import { startBot, type Bot } from './discord/bot.js';
import { fetchBotIdentity } from './discord/botIdentity.js';
import { EXIT_RESTART_WILL_NOT_HELP, runShardManager, shardOfGuild } from './discord/sharding/shardManager.js';
import { surviveUnhandledRejections } from './discord/unhandledRejections.js';
import { openEngine, type Engine } from './engine.js';
import { logger, setLogLevel } from './logger.js';
import { startHealthServer } from './ops/healthServer.js';
import { BotMetrics } from './ops/metrics.js';
import { reportStartupFailure } from './startupFailure.js';

/**
 * Start the bot: config → is the token Discord's? → model → store and index → Discord (or a
 * manager of shard processes, which checks the token the same way before starting any).
 */
async function main(config: Config): Promise<void> {
  surviveUnhandledRejections();
  setLogLevel(config.logLevel);
  const token = requireDiscordToken(config);
  // Seconds, before the model download and the store: a wrong token or no way to Discord is told now.
  const identity = await fetchBotIdentity(config.discord.apiUrl, token);
  logger.debug({ botId: identity.id }, `DISCORD_TOKEN belongs to ${identity.username}`);
  if (config.sharding.role === 'manager') {
    const { count, ids } = config.sharding;
    const manager = await runShardManager({ config, token, script: process.argv[1]!, count, ids });
    onSignal(() => manager.stop());
    await manager.finished;
    return;
  }
  await runBot(config, token);
}

async function runBot(config: Config, token: string): Promise<void> {
  const { sharding } = config;
  const ownsGuild =
    sharding.role === 'shard'
      ? (guildId: string) => /^\d+$/.test(guildId) && sharding.ids.includes(shardOfGuild(guildId, sharding.count))
      : undefined;
  const metrics = config.healthPort === undefined ? undefined : new BotMetrics();
  let engine: Engine | undefined;
  let bot: Bot | undefined;
  // Served from the start (each shard on HEALTH_PORT + its first shard id), so that while the
  // model downloads and loads, /healthz answers 503 with `model: false` instead of nothing.
  const health =
    metrics === undefined || config.healthPort === undefined
      ? undefined
      : await startHealthServer({
          port: config.healthPort + (sharding.role === 'shard' ? sharding.ids[0]! : 0),
          metrics,
          checks: {
            gatewayConnected: () => bot?.client.ws.status === Status.Ready,
            storeReachable: async () => engine !== undefined && (await engine.store.collections(), true),
            modelLoaded: () => engine !== undefined,
          },
        });
  try {
    engine = await openEngine(config, { collections: ownsGuild });
    bot = await startBot(config, engine, token, metrics);
  } catch (error) {
    await engine?.close();
    await health?.close();
    throw error;
  }
  // Both exist from here on; captured as such for the closures below.
  const running = { engine, bot };
  metrics?.onScrape(() => ({
    imagesIndexed: running.engine.library.stats().reduce((sum, collection) => sum + collection.images, 0),
    queueDepth: running.bot.context.ingest.depth,
  }));
  const shutdown = onSignal(async () => {
    await health?.close();
    await running.bot.stop();
    await running.engine.close();
  });
  // A manager that was killed cannot stop its shards; they stop by themselves, so that the
  // manager started again does not run a second copy of each.
  if (sharding.role === 'shard') {
    process.once('disconnect', () => shutdown('the sharding manager is gone'));
    if (!process.connected) shutdown('the sharding manager is gone');
  }
}

const SHUTDOWN_LIMIT_MS = 10_000;

/**
 * SIGINT/SIGTERM (or the returned trigger): stop taking work, finish or checkpoint, close the
 * store, exit 0 within 10 s.
 */
function onSignal(stop: () => Promise<void>): (reason: string) => void {
  let stopping = false;
  const shutdown = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ reason }, 'shutting down');
    // Whatever is still running after the limit is resumed on the next start.
    setTimeout(() => {
      logger.warn('shutdown took too long; exiting with work left to resume on the next start');
      process.exit(0);
    }, SHUTDOWN_LIMIT_MS - 500).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  return shutdown;
}

let config: Config | undefined;
try {
  config = loadConfig();
  await main(config);
} catch (error) {
  const { permanent } = reportStartupFailure(error);
  // A shard process tells its manager not to start it again when that cannot help.
  process.exit(permanent && config?.sharding.role === 'shard' ? EXIT_RESTART_WILL_NOT_HELP : 1);
}
