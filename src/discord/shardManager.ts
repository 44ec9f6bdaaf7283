import { REST, Routes, ShardingManager } from 'discord.js';
import type { Config } from '../config.js';
import { logger } from '../logger.js';

/** Which shard of `count` receives a guild's events (Discord's formula). */
export function shardOfGuild(guildId: string, count: number): number {
  return Number((BigInt(guildId) >> 22n) % BigInt(count));
}

/**
 * Runs discord.js's ShardingManager: one child process per shard, each running this same
 * program as a shard that loads and serves only its own guilds, all sharing one store
 * (Redis or PostgreSQL). A shard that dies is started again and catches up from its cursors.
 */
export async function runShardManager(
  config: Config,
  token: string,
  script: string,
  shards: 'auto' | number,
): Promise<{ stop(): Promise<void> }> {
  const totalShards = shards === 'auto' ? await recommendedShardCount(config, token) : shards;
  const manager = new ShardingManager(script, {
    token,
    totalShards,
    mode: 'process',
    respawn: true,
    // Children run the same way this process was started (plain node, or tsx in development).
    execArgv: process.execArgv,
  });
  manager.on('shardCreate', (shard) => {
    logger.info({ shardId: shard.id, totalShards }, 'shard process started');
    shard.on('death', () => logger.warn({ shardId: shard.id }, 'shard process died; starting it again'));
  });
  await manager.spawn({ timeout: -1 });
  return {
    async stop() {
      manager.respawn = false;
      await Promise.all(
        [...manager.shards.values()].map(
          (shard) =>
            new Promise<void>((resolve) => {
              const child = shard.process;
              if (child === null || child.exitCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGTERM');
            }),
        ),
      );
    },
  };
}

/** discord.js's own helper always asks discord.com; this asks the configured API. */
async function recommendedShardCount(config: Config, token: string): Promise<number> {
  const rest = new REST({ api: config.discord.apiUrl }).setToken(token);
  const { shards } = (await rest.get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, shards);
}
