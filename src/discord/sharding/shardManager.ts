import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { REST, Routes, ShardClientUtil, ShardingManager, type Shard } from 'discord.js';
import type { Config } from '../../config.js';
import { logger } from '../../logger.js';
import { nextRestart, restartHistory, DEFAULT_RESTART_POLICY, type RestartPolicy } from './shardRestartPolicy.js';

/** Which shard of `count` receives a guild's events (Discord's formula). */
export function shardOfGuild(guildId: string, count: number): number {
  return ShardClientUtil.shardIdForGuildId(guildId, count);
}

/**
 * The exit code of a shard process that stopped on something restarting cannot fix (a refused
 * token, a wrong setting): the manager then stops every shard instead of restarting it. 78 is
 * EX_CONFIG from sysexits.h.
 */
export const EXIT_RESTART_WILL_NOT_HELP = 78;

/** A shard process exited with EXIT_RESTART_WILL_NOT_HELP; its own message is above in the log. */
export class ShardCannotStartError extends Error {
  constructor(readonly shardId: number) {
    super(
      `Shard ${shardId} stopped on a problem that restarting cannot fix (its message is above), so every shard on this host was stopped.`,
    );
    this.name = 'ShardCannotStartError';
  }
}

/** A shard kept crashing soon after each start: the manager gave up rather than loop forever. */
export class ShardCrashLoopError extends Error {
  constructor(
    readonly shardId: number,
    crashes: number,
    policy: RestartPolicy,
  ) {
    super(
      `Shard ${shardId} crashed ${crashes} times in a row, each within ${Math.round(policy.stableAfterMs / 1000)} s of starting, ` +
        "so the manager gave up and stopped every shard on this host. The shard's own messages above say why; fix that and start again.",
    );
    this.name = 'ShardCrashLoopError';
  }
}

export interface ShardManagerOptions {
  config: Config;
  token: string;
  /** The program each shard process runs (this same program). */
  script: string;
  /** How many shards exist across all hosts, and which of them this host runs (all when undefined). */
  count: 'auto' | number;
  ids: number[] | undefined;
  restartPolicy?: RestartPolicy;
  /** Pause between starting two shards: Discord lets a bot identify once per 5 s (default 5500 ms). */
  spawnDelayMs?: number;
}

export interface RunningShardManager {
  /** Stops every shard process (SIGTERM, each saving its work) and resolves when all have exited. */
  stop(): Promise<void>;
  /** Resolves after stop(); rejects with ShardCannotStartError or ShardCrashLoopError when the manager gave up. */
  finished: Promise<void>;
}

/**
 * Runs discord.js's ShardingManager: one child process per shard this host runs, each running
 * this same program as a shard that loads and serves only its own guilds, all sharing one
 * store (Redis or PostgreSQL). Several hosts may each run a disjoint part of the shards.
 * A shard that dies is started again after a back-off that grows while it keeps crashing
 * soon after starting; past the policy's limit, or when the shard says restarting cannot
 * help, the manager stops every shard and `finished` rejects.
 */
export async function runShardManager(options: ShardManagerOptions): Promise<RunningShardManager> {
  const { config, token } = options;
  const policy = options.restartPolicy ?? DEFAULT_RESTART_POLICY;
  const totalShards = options.count === 'auto' ? await recommendedShardCount(config, token) : options.count;
  const ids = options.ids ?? [...Array(totalShards).keys()];
  const manager = new ShardingManager(options.script, {
    token,
    totalShards,
    shardList: ids,
    mode: 'process',
    // Restarts are decided here (back-off, giving up), not by discord.js's immediate respawn.
    respawn: false,
    // Children run the same way this process was started (plain node, or tsx in development).
    execArgv: process.execArgv,
  });

  let stopping = false;
  const restartTimers = new Set<NodeJS.Timeout>();
  let giveUp: (error: Error) => void = () => {};
  let stopped: () => void = () => {};
  const finished = new Promise<void>((resolve, reject) => {
    stopped = resolve;
    giveUp = reject;
  });

  const stopAll = async (): Promise<void> => {
    stopping = true;
    for (const timer of restartTimers) clearTimeout(timer);
    await Promise.all([...manager.shards.values()].map((shard) => stopShard(shard.process)));
  };
  const fail = (error: Error): void => {
    if (stopping) return;
    logger.warn({ reason: error.name }, 'stopping every shard');
    void stopAll().then(() => giveUp(error));
  };

  manager.on('shardCreate', (shard: Shard) => {
    const history = restartHistory(policy);
    shard.on('spawn', () => {
      history.started(Date.now());
      logger.info({ shardId: shard.id, totalShards }, 'shard process started');
    });
    shard.on('death', (child) => {
      if (stopping) return;
      // In process mode the shard's child is a ChildProcess, which has exited by now.
      const { exitCode, signalCode } = child as ChildProcess;
      const exit = { code: exitCode, signal: signalCode };
      if (exit.code === EXIT_RESTART_WILL_NOT_HELP) return fail(new ShardCannotStartError(shard.id));
      const decision = nextRestart(history.crashed(Date.now()), policy);
      if (decision.giveUp) return fail(new ShardCrashLoopError(shard.id, decision.crashesInARow, policy));
      logger.warn({ shardId: shard.id, ...exit, restartInMs: decision.delayMs }, 'shard process died; starting it again after a pause');
      const timer = setTimeout(() => {
        restartTimers.delete(timer);
        if (!stopping) shard.spawn(-1).catch((error: unknown) => fail(error as Error));
      }, decision.delayMs);
      restartTimers.add(timer);
    });
  });
  // Started one by one, as manager.spawn() would, but stopping between two when one gives up.
  for (const [index, id] of ids.entries()) {
    if (stopping) break;
    if (index > 0) await sleep(options.spawnDelayMs ?? 5500);
    if (!stopping) await manager.createShard(id).spawn(-1);
  }
  return {
    async stop() {
      await stopAll();
      stopped();
    },
    finished,
  };
}

function stopShard(child: ChildProcess | null): Promise<void> {
  return new Promise((resolve) => {
    if (child === null || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** discord.js's own helper always asks discord.com; this asks the configured API. */
async function recommendedShardCount(config: Config, token: string): Promise<number> {
  const rest = new REST({ api: config.discord.apiUrl }).setToken(token);
  const { shards } = (await rest.get(Routes.gatewayBot())) as { shards: number };
  return Math.max(1, shards);
}
