import process from 'node:process';
import { Status } from 'discord.js';
import { ConfigError, loadConfig, requireDiscordToken, type Config } from './config.js';
import { startBot } from './discord/bot.js';
import { runShardManager, shardOfGuild } from './discord/shardManager.js';
import { surviveUnhandledRejections } from './discord/unhandledRejections.js';
import { openEngine } from './engine.js';
import { logger, setLogLevel } from './logger.js';
import { startHealthServer } from './ops/healthServer.js';
import { BotMetrics } from './ops/metrics.js';

/** Start the bot: config → model → store and index → Discord (or a manager of shard processes). */
async function main(): Promise<void> {
  surviveUnhandledRejections();
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const token = requireDiscordToken(config);
  if (config.sharding.role === 'manager') {
    const manager = await runShardManager(config, token, process.argv[1]!, config.sharding.shards);
    onSignal(() => manager.stop());
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
  const engine = await openEngine(config, { collections: ownsGuild });
  const bot = await startBot(config, engine, token, metrics).catch(async (error: unknown) => {
    await engine.close();
    throw error;
  });
  // Each shard process serves its own /healthz and /metrics, on HEALTH_PORT + its first shard id.
  const health =
    metrics === undefined || config.healthPort === undefined
      ? undefined
      : await startHealthServer({
          port: config.healthPort + (sharding.role === 'shard' ? sharding.ids[0]! : 0),
          metrics,
          checks: {
            gatewayConnected: () => bot.client.ws.status === Status.Ready,
            storeReachable: async () => (await engine.store.collections(), true),
            modelLoaded: () => true,
          },
        });
  metrics?.onScrape(() => ({
    imagesIndexed: engine.library.stats().reduce((sum, collection) => sum + collection.images, 0),
    queueDepth: bot.context.ingest.depth,
  }));
  onSignal(async () => {
    await health?.close();
    await bot.stop();
    await engine.close();
  });
}

const SHUTDOWN_LIMIT_MS = 10_000;

/** SIGINT/SIGTERM: stop taking work, finish or checkpoint, close the store, exit 0 within 10 s. */
function onSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
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
  process.on('SIGINT', handle);
  process.on('SIGTERM', handle);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`${error.message}\n`);
  else logger.fatal({ err: error }, error instanceof Error ? error.message : 'start-up failed');
  process.exit(1);
});
